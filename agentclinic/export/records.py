"""One exported record per logged episode: the doctor's conversation and everything known about it.

The record is flat where a dataset wants columns and JSON-typed the same way in every row, so
JSONL, Parquet and a ``datasets`` folder hold the same table. The hidden diagnosis appears
only in ``label`` and ``label_synonyms``: the messages the doctor received (system, user,
tool) passed the redaction guard when they were logged; an assistant message is the doctor's
own words, so a correct final diagnosis names it there, as the answer to learn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from ..chat import doctor_messages
from ..llm.redact import redact_secrets
from ..report.dataset import EpisodeView, ReportError, load_dataset, resolve_run_ids
from ..rewards import Shaping, trajectory_terms
from ..scenario import Scenario
from ..store import AssessmentRow, LLMCall, Store, Turn
from .instructions import rebuild_instructions

STATUSES = ("completed", "failed", "abandoned", "running", "any")


class ExportError(ValueError):
    """Nothing can be exported as asked (unknown run, empty selection)."""


@dataclass(frozen=True)
class Selection:
    """Which episodes of a run to export."""

    run_id: int | None = None  # None: the latest run
    status: str = "completed"
    correct_only: bool = False
    assessor: str | None = None  # whose judgement counts (as in `agentclinic report --assessor`)


def export_records(store: Store, selection: Selection) -> list[dict[str, Any]]:
    """The records of the selected episodes, in episode order."""
    if selection.status not in STATUSES:
        raise ExportError(f"--status must be one of {', '.join(STATUSES)}, got {selection.status!r}")
    try:
        run_id = resolve_run_ids(store, [selection.run_id] if selection.run_id is not None else [])[0]
        views = load_dataset(store, [run_id], selection.assessor).episodes
    except ReportError as exc:
        raise ExportError(str(exc)) from None
    views = [v for v in views if selection.status in ("any", v.row.status)
             and (not selection.correct_only or v.correct is True)]
    if not views:
        raise ExportError(_empty(run_id, selection))
    ids = [v.row.id for v in views]
    turns, judged, calls = store.turns_of(ids), store.assessments_of(ids), _calls_of(store, ids)
    cases: dict[str | None, Scenario | None] = {}
    records = []
    for view in views:
        digest = view.row.case_digest
        if digest not in cases:
            cases[digest] = store.case(digest)
        records.append(episode_record(view, turns[view.row.id], judged[view.row.id], calls.get(view.row.id, []),
                                      cases[digest]))
    return records


def _empty(run_id: int, selection: Selection) -> str:
    wanted = "correct " if selection.correct_only else ""
    status = "" if selection.status == "any" else f"{selection.status} "
    return (f"run {run_id} has no {wanted}{status}episodes to export"
            + ("; try --status any" if selection.status != "any" else ""))


def _calls_of(store: Store, episode_ids: Sequence[int]) -> dict[int, list[LLMCall]]:
    grouped: dict[int, list[LLMCall]] = {}
    with Session(store.engine) as session:
        for start in range(0, len(episode_ids), 500):  # stay under SQL parameter limits
            query = select(LLMCall).where(LLMCall.episode_id.in_(episode_ids[start:start + 500])  # type: ignore[union-attr]
                                          ).order_by(LLMCall.id)  # type: ignore[arg-type]
            for call in session.exec(query).all():
                grouped.setdefault(call.episode_id, []).append(call)  # type: ignore[arg-type]
    return grouped


def episode_record(view: EpisodeView, turns: Sequence[Turn], judged: Sequence[AssessmentRow],
                   calls: Sequence[LLMCall], scenario: Scenario | None) -> dict[str, Any]:
    """One episode as a flat record (see the module doc)."""
    row, run = view.row, view.run
    messages, prompt_set = _messages(view, turns, scenario)
    return {
        "id": f"run{run.id}-ep{row.id}", "run_id": run.id, "episode_id": row.id, "case_id": row.scenario_id,
        "case_title": row.scenario_title, "specialty": row.specialty, "language": row.language,
        "seed": row.seed, "trial": row.trial, "condition": condition(row.persona_id, row.swap),
        "persona_id": row.persona_id, "swap": row.swap, "doctor_biases": view.doctor_biases,
        "patient_biases": view.patient_biases, "temperament": view.temperament,
        "persona_json": json.dumps(row.persona, sort_keys=True) if row.persona else None,
        "status": row.status, "error": redact_secrets(row.error.splitlines()[0]) if row.error else None,
        "messages": messages, "prompt_set": prompt_set,
        "image_ids": _shown_images(turns, run.config),
        "label": row.correct_diagnosis, "label_synonyms": list(scenario.diagnosis.synonyms) if scenario else [],
        "diagnosis": row.diagnosis, "differential": list(row.differential), "confidence": row.confidence,
        "correct": view.correct, "verdict": _verdict(view, judged), "assessor": view.assessor,
        "differential_rank": view.rank, "assessments": [_assessment(a) for a in judged],
        "rewards": _rewards(turns, scenario, view.correct, run.config),
        "metrics": view.metrics.as_dict() if view.metrics else None,
        "faults": view.faults.flags if view.faults else None,
        "survey": _survey(view), "model_calls": [_call(c) for c in calls],
        "totals": {"turns": row.turns, "max_turns": row.max_turns, "cost_usd": row.cost_usd,
                   "llm_calls": row.llm_calls, "input_tokens": row.input_tokens, "output_tokens": row.output_tokens,
                   "llm_cost_usd": row.llm_cost_usd, "duration_s": row.duration_s},
        "bindings": {role: str(run.bindings.get(role, "")) for role in ("doctor", "patient", "measurement", "assessor")},
        "run_source": run.source, "scenarios": run.scenarios, "package_version": run.package_version,
    }


def condition(persona_id: str | None, swap: str | None) -> str:
    """The experimental condition an episode ran under: its persona stack and demographic swap."""
    return "|".join(part for part in (persona_id or "neutral", swap) if part)


def _messages(view: EpisodeView, turns: Sequence[Turn], scenario: Scenario | None) -> tuple[list[dict], str | None]:
    if scenario is None:  # a log from before case snapshots: the brief cannot be rebuilt
        return doctor_messages("", turns, max_turns=view.row.max_turns), None
    opening = next((t.text for t in turns if t.speaker == "system"), None)
    instructions = rebuild_instructions(scenario, max_turns=view.row.max_turns, run_config=view.run.config,
                                        persona=view.row.persona, opening=opening)
    images_off = view.run.config.get("images") == "off"
    modalities = None if images_off else {image.id: image.modality for image in scenario.images}
    return doctor_messages(instructions.text, turns, max_turns=view.row.max_turns,
                           image_modalities=modalities), instructions.prompt_set


def _shown_images(turns: Sequence[Turn], config: dict[str, Any]) -> list[str]:
    """The ids of the case images the doctor was shown, in order (none when images were off)."""
    if config.get("images") == "off":
        return []
    return [image for turn in turns if turn.speaker != "doctor" for image in turn.image_ids]


def _verdict(view: EpisodeView, judged: Sequence[AssessmentRow]) -> str | None:
    if view.assessor is None or view.row.status != "completed":
        return view.row.verdict
    chosen = [a for a in judged if a.assessor == view.assessor]
    return chosen[-1].verdict if chosen else None


def _assessment(row: AssessmentRow) -> dict[str, Any]:
    return {"assessor": row.assessor, "source": row.source, "correct": row.correct, "verdict": row.verdict,
            "reason": row.reason, "score": row.score, "differential_rank": row.differential_rank,
            "details_json": json.dumps(row.details, sort_keys=True, default=str) if row.details else None}


def _rewards(turns: Sequence[Turn], scenario: Scenario | None, correct: bool | None,
             config: dict[str, Any]) -> dict[str, Any]:
    """Per-step reward terms of both schemes, with their totals. The shaped terms use the
    weights an env run recorded (``config["reward"]``), else the default ``Shaping()``."""
    facts = scenario.key_facts if scenario is not None else ()
    weight = float(config.get("cost_weight") or 0.0)
    recorded = config.get("reward")
    known = {name: value for name, value in recorded.items() if name in Shaping.__dataclass_fields__} \
        if isinstance(recorded, dict) else {}
    shaped = Shaping(**known)
    terms = {mode: trajectory_terms(turns, facts, correct=correct, shaping=shaping, cost_weight=weight)
             for mode, shaping in (("terminal", None), ("shaped", shaped))}
    totals = {f"{mode}_total": round(sum(sum(step.values()) for step in steps), 6) for mode, steps in terms.items()}
    return {**terms, **totals}


def _survey(view: EpisodeView) -> dict[str, Any] | None:
    survey = view.survey
    if survey is None:
        return None
    return {"respondent": survey.respondent, "heuristic": survey.heuristic,
            **{name: getattr(survey, name) for name in ("confidence", "adherence", "return_visit")},
            **{f"{name}_reason": getattr(survey, f"{name}_reason")
               for name in ("confidence", "adherence", "return_visit")}}


def _call(call: LLMCall) -> dict[str, Any]:
    """A model call's accounting; never its prompt or reply."""
    return {"role": call.role, "model": redact_secrets(call.model), "input_tokens": call.input_tokens,
            "output_tokens": call.output_tokens, "cost_usd": call.cost_usd, "latency_ms": call.latency_ms,
            "cache_hit": call.cache_hit, "attempts": call.attempts,
            "error": redact_secrets(call.error.splitlines()[0]) if call.error else None}
