"""Scoring diagnoses: the deterministic matcher, ranked differentials, judge panels, re-scoring.

``agentclinic.assess.match(predicted, correct, synonyms=())`` is the deterministic matcher
(exact / equivalent / narrower / broader / wrong / none, with a reason). LLM judges and
panels of judges implement the same assessor protocol as the scripted one;
:func:`rescore_run` applies any of them to a logged run without re-running it.
"""

from ..matching import DiagnosisGraph, Verdict, load_diagnosis_graph, match
from .differential import TOP_K, differential_rank, ranked_answers, top_k_accuracy

__all__ = ["TOP_K", "DiagnosisGraph", "Verdict", "differential_rank", "load_diagnosis_graph", "match",
           "ranked_answers", "top_k_accuracy"]
