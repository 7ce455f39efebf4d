"""Writing a finished episode: its outcome, assessment, survey and pending rows, in one go.

Plain SQL statements, not ORM objects: this runs once an episode and was most of a scripted
batch's database time (a SELECT of the row, the unit-of-work flush, two more objects).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from ..assess.differential import differential_rank
from .episode_rows import PendingRow, insert_pending
from .models import AssessmentRow, Episode, SurveyRow, utcnow

if TYPE_CHECKING:
    from ..episode import Episode as EpisodeState
    from ..llm.calls import CallTotals


def elapsed(start: datetime, end: datetime) -> float:
    """Seconds between two times (SQLite hands back naive datetimes: they are UTC)."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    return round((end - start).total_seconds(), 3)


def totals_values(totals: CallTotals) -> dict[str, Any]:
    """An episode's model-call totals as column values."""
    return {"llm_calls": totals.calls, "llm_cache_hits": totals.cache_hits, "input_tokens": totals.input_tokens,
            "output_tokens": totals.output_tokens, "llm_cost_usd": round(totals.cost_usd, 6),
            "llm_unpriced": sorted(totals.unpriced_models)}


def outcome_values(state: EpisodeState) -> dict[str, Any]:
    """The episode row's columns that a finished episode fills."""
    diagnosis, assessment, stats = state.diagnosis, state.assessment, state.stats
    return {
        "status": "completed", "diagnosis": diagnosis.diagnosis if diagnosis else None,
        "differential": list(diagnosis.differential) if diagnosis else [],
        "confidence": diagnosis.confidence if diagnosis else None,
        "correct": assessment.correct if assessment else None, "verdict": assessment.verdict if assessment else None,
        "turns": state.turn, "truncated": state.truncated, "cost_usd": state.cost_usd,
        "questions": stats.questions, "examinations": stats.examinations, "tests_ordered": len(stats.tests),
        "invalid_actions": stats.invalid_actions, "images_unavailable": stats.images_unavailable,
        "redactions": stats.redactions, "survey_error": state.survey_error,
    }


def finish(engine: Engine, episode_id: int, state: EpisodeState, pending: Sequence[PendingRow],
           totals: CallTotals | None, started_at: datetime | None) -> None:
    """Store a finished episode; ``started_at`` (when known) saves reading the row back."""
    from .recorder import assessment_row, survey_row

    values = outcome_values(state) | (totals_values(totals) if totals is not None else {})
    rows = list(pending)
    if state.assessment is not None:
        rank = differential_rank(values["diagnosis"], values["differential"], state.scenario)
        rows.append((AssessmentRow, _columns(assessment_row(episode_id, state.assessment, rank, "run"))))
    if state.survey is not None:
        rows.append((SurveyRow, _columns(survey_row(episode_id, state.survey))))
    with engine.begin() as connection:
        if started_at is None:
            started_at = connection.execute(select(Episode.started_at).where(Episode.id == episode_id)).scalar()
            if started_at is None:
                raise KeyError(f"episode {episode_id} does not exist")
        finished = utcnow()
        insert_pending(connection, rows)
        connection.execute(update(Episode).where(Episode.id == episode_id).values(  # type: ignore[arg-type]
            **values, finished_at=finished, duration_s=elapsed(started_at, finished)))


def _columns(row) -> dict[str, Any]:
    return {name: getattr(row, name) for name in type(row).model_fields if name != "id"}
