"""The terminal UI (Textual): play the doctor or the patient, browse logged episodes.

Games run through the same runner and episode loop as model episodes, with the person as
one more role implementation (:mod:`agentclinic.agents.human`), so they are logged and
scored the same way.
"""
