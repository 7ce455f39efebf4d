"""An episode's log rows, built as they happen and written together when the episode ends.

A batch used to commit every turn and every model call on its own (about 35 commits an
episode, a third of a scripted run's time). Holding them until the episode ends costs no
crash safety: an episode that never ended is removed and run again on resume (see
:mod:`agentclinic.resume`), so its half-written turns were never kept anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from .models import DoctorToolCall, LLMCall, Turn

if TYPE_CHECKING:
    from ..doctor_tools.events import ToolEvent
    from ..episode import TurnRecord
    from ..llm.calls import CallRecord


PendingRow = tuple[type[SQLModel], dict[str, Any]]  # a table and one row's column values


def turn_row(episode_id: int, record: TurnRecord) -> Turn:
    """The ``turn`` row of one logged turn."""
    return Turn(**_turn_values(episode_id, record))


def call_row(episode_id: int | None, record: CallRecord) -> LLMCall:
    """The ``llm_call`` row of one model call."""
    return LLMCall(episode_id=episode_id, **vars(record))


def tool_row(episode_id: int, position: int, event: ToolEvent) -> DoctorToolCall:
    """The ``doctor_tool_call`` row of one tool use; ``position`` counts the turns logged before it."""
    return DoctorToolCall(**_tool_values(episode_id, position, event))


def _turn_values(episode_id: int, record: TurnRecord) -> dict[str, Any]:
    return dict(episode_id=episode_id, index=record.index, speaker=record.speaker, text=record.text,
                action=record.action, action_detail=record.action_detail, provenance=record.provenance,
                cost_usd=record.cost_usd, latency_ms=record.latency_ms, image_ids=list(record.image_ids),
                note=record.note, redactions=record.redactions)


def _tool_values(episode_id: int, position: int, event: ToolEvent) -> dict[str, Any]:
    return dict(episode_id=episode_id, position=position, turn=event.turn, tool=event.tool, input=event.input,
                output=event.output, detail=dict(event.detail), input_tokens=event.input_tokens,
                output_tokens=event.output_tokens, cost_usd=event.cost_usd, latency_ms=event.latency_ms)


class PendingRows:
    """Rows of one episode, in the order they happened, waiting for the episode's end.

    They are held as plain column values and inserted in bulk (:func:`insert_pending`):
    building an ORM object per turn cost more than the episode's own work."""

    def __init__(self, episode_id: int):
        self.episode_id = episode_id
        self.rows: list[PendingRow] = []

    def turn(self, record: TurnRecord) -> None:
        self.rows.append((Turn, _turn_values(self.episode_id, record)))

    def call(self, record: CallRecord) -> None:
        self.rows.append((LLMCall, {"episode_id": self.episode_id, **vars(record)}))

    def tool(self, position: int, event: ToolEvent) -> None:
        self.rows.append((DoctorToolCall, _tool_values(self.episode_id, position, event)))

    def take(self) -> list[PendingRow]:
        """The rows so far, leaving none behind (so a retry never writes them twice)."""
        rows, self.rows = self.rows, []
        return rows


def insert_pending(session: Session | Connection, pending: Sequence[PendingRow]) -> None:
    """Insert pending rows, one statement per table, each table's rows in their order."""
    by_model: dict[type[SQLModel], list[dict[str, Any]]] = {}
    for model, values in pending:
        by_model.setdefault(model, []).append(values)
    for model, rows in by_model.items():
        static, factories = _defaults(model)
        session.execute(insert(model.__table__),  # type: ignore[attr-defined]
                        [{**static, **{name: make() for name, make in factories.items()}, **values}
                         for values in rows])


@lru_cache(maxsize=None)
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """The model's field defaults (``created_at`` and the like), which a plain insert skips:
    fixed values, and factories to call for each row."""
    static: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, info in model.model_fields.items():
        if name == "id" or info.is_required():
            continue
        if info.default_factory is not None:
            factories[name] = info.default_factory  # type: ignore[assignment]
        else:
            static[name] = info.default
    return static, factories
