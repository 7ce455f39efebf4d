"""Doctor tools from the AgentClinic paper: chain of thought, reflection, retrieval, a
notebook and experiential learning, as strategies that wrap any doctor.

- ``cot``: a private reasoning call before each action (logged, never shown to the patient);
- ``reflect``: once per episode, before a diagnosis is final, the doctor reviews the evidence
  and may revise it or continue the encounter instead;
- ``rag``: the doctor may search a local corpus (:mod:`.corpus`, :mod:`.retrieval`) before
  acting; the best passages come back;
- ``notebook``: after each episode the doctor rewrites a note of at most 1,000 characters that
  later episodes of the run read (:mod:`.notebook` defines the order);
- ``experience``: one correct past episode of a different case is shown as a worked example
  (:mod:`.experience` defines the choice).

A tool use is never a turn: it is logged as a ``doctor_tool_call`` row with its tokens and
cost. Select tools with ``--doctor-tools`` or ``RunConfig(doctor_tools=...)``
(:mod:`.selection`); model doctors use them through :mod:`agentclinic.agents.model_tools`,
the baseline doctor (``rag``, ``notebook``) through :mod:`agentclinic.agents.baseline_tools`.
"""

from .context import EpisodeFeedback, ToolContext
from .corpus import CorpusError, Passage, default_corpus, load_corpus
from .events import ToolEvent, emit
from .retrieval import Hit, Retriever, open_retriever
from .selection import BASELINE_TOOLS, TOOLS, label, parse_conditions

__all__ = ["BASELINE_TOOLS", "TOOLS", "CorpusError", "EpisodeFeedback", "Hit", "Passage", "Retriever", "ToolContext",
           "ToolEvent", "default_corpus", "emit", "label", "load_corpus", "open_retriever", "parse_conditions"]
