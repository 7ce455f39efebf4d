"""The report's numbers: one JSON-ready summary built from a :class:`Dataset`.

Terminal tables, the HTML report and ``--json`` all render this one structure, so they
never disagree. Accuracy counts completed episodes the chosen assessor judged; failed and
abandoned episodes are counted apart and never silently dropped. A statistic over no
episodes is None (JSON null, printed "n/a"), never 0: a run whose every episode failed
measured nothing.
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict

from ..assess.differential import TOP_K, top_k_accuracy
from ..doctor_tools.events import TOOL_EVENT_KINDS
from .dataset import Dataset, EpisodeView
from .faults import FLAG_NAMES
from .statistics import (
    mcnemar,
    mean_interval,
    normalised_accuracy,
    paired_bootstrap,
    paired_t,
    pareto_front,
    pass_hat_k,
    proportion,
)

RATINGS = ("confidence", "adherence", "return_visit")
FLAGS = FLAG_NAMES
NUMERIC_METRICS = ("turns", "questions", "examinations", "tests_ordered", "test_cost_usd", "cost_usd",
                   "repeated_questions", "repeated_tests", "invalid_actions")
RATE_METRICS = ("premature_closure", "forced_final", "diagnosed")


def condition_key(view: EpisodeView, with_budget: bool) -> str:
    """The condition an episode belongs to: doctor, persona, swap, doctor tools (and budget across runs)."""
    parts = [view.doctor]
    if view.row.persona_id:
        parts.append(view.row.persona_id)
    if view.row.swap:
        parts.append(view.row.swap)
    if view.tools:
        parts.append(f"tools:{view.tools}")
    if with_budget:
        parts.append(f"{view.row.max_turns} turns")
    return " · ".join(parts)


def build_summary(dataset: Dataset, *, exclude_flagged: bool = False) -> dict:
    """Everything a report shows, as plain data."""
    views = dataset.episodes
    excluded = [v for v in views if exclude_flagged and v.flagged]
    kept = [v for v in views if v not in excluded]
    scored = [v for v in kept if v.scored]
    with_budget = len({v.row.max_turns for v in views}) > 1
    conditions = _group(scored, lambda v: [condition_key(v, with_budget)])
    return {
        "runs": [_run_record(run, views) for run in dataset.runs],
        "assessor": dataset.assessor or "in-run",
        "episodes": _status_counts(views, excluded, scored),
        "overall": _accuracy(scored),
        "conditions": _conditions(conditions),
        "breakdowns": _breakdowns(scored),
        "pass_k": {label: _pass_k(group) for label, group in conditions.items()},
        "paired": _paired(conditions),
        "doctor_tools": _doctor_tools([v for v in kept if v.row.status == "completed"], with_budget),
        "metrics": _metrics(kept),
        "faults": _faults(views),
        "surveys": _surveys(kept),
        "turn_budget": _turn_budget(scored),
        "cases": _cases(kept),
        "notes": list(dataset.notes),
    }


# ---- grouping and accuracy ------------------------------------------------------------------
def _group(views: Iterable[EpisodeView], keys: Callable[[EpisodeView], list[str]]) -> dict[str, list[EpisodeView]]:
    groups: dict[str, list[EpisodeView]] = defaultdict(list)
    for view in views:
        for key in keys(view):
            groups[key].append(view)
    return dict(groups)


def _accuracy(views: Sequence[EpisodeView]) -> dict:
    correct = sum(bool(v.correct) for v in views)
    share = proportion(correct, len(views))
    ranks = [v.rank for v in views]
    return {"n": len(views), "correct": correct, "accuracy": share.value, "low": share.low, "high": share.high,
            "credit": _mean(v.credit for v in views if v.credit is not None),
            "top_k": {str(k): top_k_accuracy(ranks, k) if views else None for k in TOP_K}}


def _status_counts(views, excluded, scored) -> dict:
    counts = Counter(v.row.status for v in views)
    return {"total": len(views), **{s: counts.get(s, 0) for s in ("completed", "failed", "abandoned", "running")},
            "scored": len(scored), "excluded_flagged": len(excluded),
            "unjudged": sum(1 for v in views if v.row.status == "completed" and v.correct is None)}


def _run_record(run, views: Sequence[EpisodeView]) -> dict:
    return {"id": run.id, "doctor": run.bindings.get("doctor"), "bindings": run.bindings,
            "scenarios": run.scenarios, "max_turns": run.max_turns, "status": run.status,
            "started_at": run.started_at.isoformat(), "episodes": sum(v.run.id == run.id for v in views)}


def _mean(values: Iterable[float]) -> float | None:
    """The mean; None for no values (a mean of nothing is not 0)."""
    values = list(values)
    return sum(values) / len(values) if values else None


def _conditions(groups: dict[str, list[EpisodeView]]) -> list[dict]:
    rows = []
    for label, group in groups.items():
        first = group[0]
        rows.append({"label": label, "doctor": first.doctor, "persona": first.row.persona_id,
                     "swap": first.row.swap, "max_turns": first.row.max_turns, **_accuracy(group),
                     "cost_usd": _mean(v.row.cost_usd for v in group),
                     "llm_cost_usd": _mean(v.row.llm_cost_usd for v in group),
                     "tokens": _mean(v.row.input_tokens + v.row.output_tokens for v in group)})
    front = set(pareto_front([(row["cost_usd"], row["accuracy"]) for row in rows]))
    for index, row in enumerate(rows):
        row["pareto"] = index in front
    return rows


def _breakdowns(views: Sequence[EpisodeView]) -> dict[str, list[dict]]:
    axes: dict[str, Callable[[EpisodeView], list[str]]] = {
        "model": lambda v: [v.doctor],
        "doctor_bias": lambda v: v.doctor_biases or ["none"],
        "patient_bias": lambda v: v.patient_biases or ["none"],
        "temperament": lambda v: v.temperament or ["default"],
        "specialty": lambda v: [v.row.specialty or "?"],
        "language": lambda v: [v.language],
        "turn_budget": lambda v: [str(v.row.max_turns)],
        "doctor_tools": lambda v: [v.tools or "none"],
    }
    return {axis: [{"key": key, **_accuracy(group)} for key, group in sorted(_group(views, keys).items())]
            for axis, keys in axes.items()}


def _cases(views: Sequence[EpisodeView]) -> list[dict]:
    """Per case: its title and right answer (case text, in the case's language) and the doctor's
    most frequent answers (model text, in the doctor's language), so a page can mark each
    with its language and direction."""
    rows = []
    for case_id, group in sorted(_group(views, lambda v: [v.row.scenario_id]).items()):
        first = group[0]
        given = Counter(v.row.diagnosis for v in group if v.row.diagnosis)
        rows.append({"id": case_id, "title": first.row.scenario_title, "language": first.row.language,
                     "doctor_language": (first.run.config or {}).get("doctor_language") or first.row.language,
                     "episodes": len(group), "correct": sum(bool(v.correct) for v in group),
                     "correct_diagnosis": first.row.correct_diagnosis,
                     "diagnoses": [text for text, _ in given.most_common(3)],
                     "runs": sorted({v.run.id for v in group})})  # where the viewer's links go
    return rows


def _pass_k(views: Sequence[EpisodeView]) -> dict[str, float]:
    outcomes: dict[str, list[bool]] = defaultdict(list)
    for view in views:
        outcomes[view.row.scenario_id].append(bool(view.correct))
    most = max((len(o) for o in outcomes.values()), default=0)
    return {str(k): value for k in range(1, most + 1) if (value := pass_hat_k(outcomes, k)) is not None}


# ---- paired comparisons -----------------------------------------------------------------------
def _is_neutral(view: EpisodeView) -> bool:
    return view.row.persona_id in (None, "neutral")


def _reference_of(groups: dict[str, list[EpisodeView]], label: str) -> str | None:
    """The persona reference of ``label``, among conditions of the same doctor, budget and tools.

    A persona condition is compared with the neutral one of the same swap value; a neutral
    swap value with the first neutral swap value in order. The reference has none.
    """
    first = groups[label][0]
    peers = {other: group[0] for other, group in groups.items()
             if group[0].doctor == first.doctor and group[0].row.max_turns == first.row.max_turns
             and group[0].tools == first.tools}
    neutral = sorted(other for other, view in peers.items() if _is_neutral(view))
    same_swap = [other for other in neutral if peers[other].row.swap == first.row.swap and other != label]
    if not _is_neutral(first) and same_swap:
        return same_swap[0]
    return neutral[0] if neutral and neutral[0] != label else None


def _without_tools_of(groups: dict[str, list[EpisodeView]], label: str) -> str | None:
    """The condition of the same doctor, persona, swap and budget without tools (for a tools condition)."""
    def setting(view: EpisodeView) -> tuple:
        return view.doctor, view.row.persona_id, view.row.swap, view.row.max_turns

    first = groups[label][0]
    if first.tools is None:
        return None
    return next((other for other, group in groups.items()
                 if group[0].tools is None and setting(group[0]) == setting(first)), None)


def _paired(groups: dict[str, list[EpisodeView]]) -> list[dict]:
    """One row per (condition, reference): tools against none, persona against neutral."""
    rows = []
    for label, group in groups.items():
        references = {"tools": _without_tools_of(groups, label), "persona": _reference_of(groups, label)}
        for factor, reference in references.items():
            pairs = _pairs(groups[reference], group) if reference is not None else []
            if pairs:
                rows.append({"condition": label, "reference": reference, "factor": factor, **_paired_row(pairs)})
    return rows


def _paired_row(pairs) -> dict:
    before, after = [bool(a.correct) for a, _ in pairs], [bool(b.correct) for _, b in pairs]
    ref_acc, acc = sum(before) / len(pairs), sum(after) / len(pairs)  # pairs is never empty here
    references, conditions = [a for a, _ in pairs], [b for _, b in pairs]
    return {"n_pairs": len(pairs), "accuracy": acc, "reference_accuracy": ref_acc,
            "normalised_accuracy": normalised_accuracy(acc, ref_acc),
            "mcnemar": asdict(mcnemar(before, after)), "ratings": _paired_ratings(pairs),
            **_spend(conditions, ""), **_spend(references, "reference_")}


def _spend(views: Sequence[EpisodeView], prefix: str) -> dict:
    """Means per episode: diagnostic cost, model spend, all tokens and the tokens spent in tools."""
    return {f"{prefix}cost_usd": _mean(v.row.cost_usd for v in views),
            f"{prefix}llm_cost_usd": _mean(v.row.llm_cost_usd for v in views),
            f"{prefix}tokens": _mean(v.row.input_tokens + v.row.output_tokens for v in views),
            f"{prefix}tool_tokens": _mean(v.tool_tokens for v in views)}


def _pairs(reference: Sequence[EpisodeView], other: Sequence[EpisodeView]):
    """Episodes on the same case and trial (the runner gives them the same seed)."""
    by_key = {(v.row.scenario_id, v.row.trial): v for v in reference}
    return [(by_key[key], v) for v in other if (key := (v.row.scenario_id, v.row.trial)) in by_key]


def _paired_ratings(pairs) -> dict:
    both = [(a.survey, b.survey) for a, b in pairs if a.survey is not None and b.survey is not None]
    if len(both) < 2:
        return {}
    result = {}
    for item in RATINGS:
        a = [float(getattr(x, item)) for x, _ in both]
        b = [float(getattr(y, item)) for _, y in both]
        result[item] = {"t": asdict(paired_t(a, b)), "bootstrap": asdict(paired_bootstrap(a, b))}
    return result


# ---- doctor tools ------------------------------------------------------------------------------
def _doctor_tools(views: Sequence[EpisodeView], with_budget: bool) -> list[dict]:
    """How each tools condition used its tools, over its completed episodes."""
    groups = _group((v for v in views if v.tools), lambda v: [condition_key(v, with_budget)])
    return [_tool_use(label, group) for label, group in groups.items()]


def _tool_use(label: str, group: Sequence[EpisodeView]) -> dict:
    calls = [call for view in group for call in view.tool_calls]
    counts = Counter(call.tool for call in calls)
    reflections = [call.detail or {} for call in calls if call.tool == "reflect"]
    first = group[0]
    return {"label": label, "tools": first.tools, "doctor": first.doctor, "persona": first.row.persona_id,
            "swap": first.row.swap, "max_turns": first.row.max_turns, "episodes": len(group),
            "uses_per_episode": {kind: counts[kind] / len(group) for kind in _kinds(counts)},
            "tool_tokens": _mean(v.tool_tokens for v in group),
            "tool_cost_usd": _mean(sum(c.cost_usd or 0.0 for c in v.tool_calls) for v in group),
            "searches_per_episode": counts["rag"] / len(group),
            "reflections": len(reflections),
            "reflect_changed": _mean(float(bool(d.get("changed"))) for d in reflections),
            "reflect_continued": _mean(float(bool(d.get("continued"))) for d in reflections),
            "notebook_truncated": sum(1 for c in calls
                                      if c.tool == "notebook-write" and (c.detail or {}).get("truncated"))}


def _kinds(counts: Counter) -> list[str]:
    """The tool kinds used, known ones in their order, then any other (a newer log's)."""
    return [kind for kind in TOOL_EVENT_KINDS if counts[kind]] + sorted(set(counts) - set(TOOL_EVENT_KINDS))


# ---- metrics, faults, surveys, budgets ---------------------------------------------------------
def _metrics(views: Sequence[EpisodeView]) -> dict:
    measured = [v.metrics for v in views if v.metrics is not None and v.row.status == "completed"]
    coverage = [m.coverage for m in measured if m.coverage is not None]
    return {
        "n": len(measured),
        "mean": {name: _mean(getattr(m, name) for m in measured) for name in NUMERIC_METRICS},
        "rate": {name: _mean(float(getattr(m, name)) for m in measured) for name in RATE_METRICS},
        "coverage": {"n": len(coverage), "mean": _mean(coverage),
                     "median": pystats.median(coverage) if coverage else None, "values": coverage},
        "tokens": _mean(v.row.input_tokens + v.row.output_tokens for v in views),
        "llm_cost_usd": sum(v.row.llm_cost_usd for v in views),
    }


def _faults(views: Sequence[EpisodeView]) -> dict:
    checked = [v for v in views if v.faults is not None and v.row.status == "completed"]
    examples: list[str] = []
    for view in checked:
        for flag in FLAGS:
            examples += [f"episode {view.row.id}: {item}" for item in getattr(view.faults, flag)[:1]]
    return {"n": len(checked),
            "rates": {flag: _mean(float(v.faults.flags[flag]) for v in checked) for flag in FLAGS},
            "any": _mean(float(v.faults.any) for v in checked),
            "measurement_revealed": _mean(float(bool(v.faults.measurement_revealed)) for v in checked),
            "examples": examples[:10]}


def _surveys(views: Sequence[EpisodeView]) -> dict:
    answered = [v for v in views if v.survey is not None]
    by_bias = _group(answered, lambda v: [f"doctor:{b}" for b in v.doctor_biases]
                     + [f"patient:{b}" for b in v.patient_biases] or ["none"])
    return {"n": len(answered), "heuristic": sum(v.survey.heuristic for v in answered),
            "errors": sum(1 for v in views if v.row.survey_error),
            "overall": _rating_means(answered),
            "by_bias": [{"key": key, "n": len(group), **_rating_means(group)} for key, group in sorted(by_bias.items())]}


def _rating_means(views: Sequence[EpisodeView]) -> dict:
    return {item: asdict(mean_interval([float(getattr(v.survey, item)) for v in views])) for item in RATINGS}


def _turn_budget(views: Sequence[EpisodeView]) -> list[dict]:
    groups = _group(views, lambda v: [f"{v.doctor}\t{v.row.max_turns}"])
    rows = []
    for key, group in groups.items():
        doctor, budget = key.split("\t")
        rows.append({"doctor": doctor, "max_turns": int(budget), **_accuracy(group)})
    return sorted(rows, key=lambda r: (r["doctor"], r["max_turns"]))
