"""Writing and reading doctor-tool rows: tool uses and notebook versions (see models)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from .models import DoctorNote, DoctorToolCall

if TYPE_CHECKING:
    from .recorder import Store


def tool_calls_of(store: Store, episode_ids: Sequence[int]) -> dict[int, list[DoctorToolCall]]:
    """Every tool use of many episodes, in order, grouped by episode."""
    grouped: dict[int, list[DoctorToolCall]] = {eid: [] for eid in episode_ids}
    with Session(store.engine) as session:
        for start in range(0, len(episode_ids), 500):  # stay under SQL parameter limits
            chunk = list(episode_ids[start:start + 500])
            query = select(DoctorToolCall).where(DoctorToolCall.episode_id.in_(chunk)).order_by(  # type: ignore[attr-defined]
                DoctorToolCall.episode_id, DoctorToolCall.id)
            for row in session.exec(query).all():
                grouped[row.episode_id].append(row)
    return grouped


def save_note(store: Store, run_id: int, chain: str, position: int, episode_id: int, text: str,
              truncated: bool) -> None:
    with Session(store.engine) as session:
        session.add(DoctorNote(run_id=run_id, chain=chain, position=position, episode_id=episode_id, text=text,
                               truncated=truncated))
        session.commit()


def notes_of(store: Store, run_id: int, chain: str | None = None) -> list[DoctorNote]:
    """A run's notebook versions (of one chain, or all), in chain and position order."""
    with Session(store.engine) as session:
        query = select(DoctorNote).where(DoctorNote.run_id == run_id)
        if chain is not None:
            query = query.where(DoctorNote.chain == chain)
        return list(session.exec(query.order_by(DoctorNote.chain, DoctorNote.position)).all())  # type: ignore[arg-type]
