"""What model doctors are told about their tools: the defaults of the prompt set's ``tool_*``
fields (``rag_text`` is ``tool_rag_text``, and so on).

A prompt set file may override any of them; placeholders in braces are filled per use.
"""

from __future__ import annotations

RAG_TEXT = ("You may search a medical knowledge base before acting: write SEARCH: <keywords> as your whole reply. "
            "The best passages come back to you and a search does not use a turn (at most {per_turn} searches "
            "per turn, {total} per encounter).")
RAG_JSON = ('You may search a medical knowledge base before acting: reply {{"action": "search", "query": '
            '"<keywords>"}}. The best passages come back to you and a search does not use a turn (at most '
            "{per_turn} searches per turn, {total} per encounter).")
RAG_TOOLS = ("You may call search_knowledge(query) to search a medical knowledge base before acting. The best "
             "passages come back to you and a search does not use a turn (at most {per_turn} searches per turn, "
             "{total} per encounter).")
SEARCH_RESULT = "Search results for {query!r} (not a turn; now continue):\n{passages}"
SEARCH_REFUSED = "No more searches now ({reason}). Take your action for this turn."
NOTEBOOK = "Your notebook (what you wrote after earlier cases):\n{note}"
EXPERIENCE = "{example}\nUse it as an example of how to work through a case; this patient is a different one."
COT_REQUEST = ("Before acting, think step by step, privately (the patient never sees this): what you have learned, "
               "the likely diagnoses, and the most useful next step. Do not act yet.")
COT_ACT = "Now take your next action."
REFLECT = ("Before your diagnosis of {diagnosis!r} is final, review the evidence once: what supports it, what argues "
           "against it, and what important possibility is still unchecked? Then either give your final diagnosis "
           "(the same or a revised one) or, if something important is unchecked, take another action instead.")
REFLECT_FINAL = ("Before your diagnosis of {diagnosis!r} is final, review the evidence once: what supports it and "
                 "what argues against it? This is the final turn: give your final diagnosis now (the same or a "
                 "revised one).")
NOTE_WRITE = ("The encounter is over. The correct diagnosis was {correct}; your diagnosis ({diagnosis}) was judged "
              "{verdict}. Your notebook so far:\n{previous}\nRewrite your notebook for future cases: general lessons "
              "about diagnosing, not this patient's details. At most {limit} characters; it replaces the old "
              "notebook. Reply with the notebook text only.")
