"""The simulator and its checks: what keeps AgentClinic's numbers meaningful.

* :mod:`.folding` turns any text into comparable word tokens that remember where they came
  from, so a term found in a folded text is removed from the original one.
* :mod:`.guard` is the one redaction guard between the simulated roles and the doctor.
* :mod:`.answers` reads the shape of a final answer (one condition, a causal chain, or a
  hedge) before the judge compares names.
* :mod:`.implicated` decides which body systems a case implicates, so a test the case lacks
  is reported normal only where nothing in the case argues otherwise.
* :mod:`.detectors`, :mod:`.probes` and :mod:`.audit` check what the simulated patient and
  measurement say against the case card.

Everything here is pure: no network, database or terminal.
"""
