"""Reading rows that may be damaged: the viewer shows what it can and says what it could not.

A log is a file anyone can edit, copy half-written or get from someone else. A row that fails
to decode (a case snapshot that no longer validates, a JSON column that is not JSON, bindings
that are not a mapping) must not take the whole page down: each is shown as unreadable, with
the reason, and the rest of the page as usual.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON, Text, type_coerce
from sqlmodel import Session, select

from ..scenario import Scenario
from ..store import Store, Turn


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())) or "case"
        return f"{exc.error_count()} validation error(s), first: {where}: {first.get('msg', '')}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def stored_case(store: Store, digest: str | None) -> tuple[Scenario | None, str]:
    """The case an episode played and ``""``, or None and why its stored copy cannot be read."""
    try:
        return store.case(digest), ""
    except (ValueError, TypeError, RecursionError) as exc:  # ValueError: pydantic's, and bad JSON
        return None, f"stored case unreadable: {_reason(exc)}"


def stored_turns(store: Store, episode_id: int) -> tuple[list[Turn], list[str]]:
    """An episode's turns in order, and notes on any whose JSON columns could not be read (those
    read as empty: no images, no action detail).

    The JSON columns are fetched as text and decoded here: through the ORM, one bad value
    would fail the whole query.
    """
    columns = list(Turn.__table__.columns)  # type: ignore[attr-defined]
    query = (select(*[type_coerce(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in columns])
             .where(Turn.episode_id == episode_id).order_by(Turn.index))  # type: ignore[arg-type]
    with Session(store.engine) as session:
        rows = session.exec(query).all()
    turns, notes = [], []
    for row in rows:
        values = dict(zip([c.name for c in columns], row, strict=True))
        ids, bad_ids = _json(values["image_ids"], list)
        detail, bad_detail = _json(values["action_detail"], dict)
        if bad_ids:
            notes.append(f"turn {values['index']}: image ids unreadable ({bad_ids}); shown as none")
        if bad_detail:
            notes.append(f"turn {values['index']}: action detail unreadable ({bad_detail}); left out")
        turns.append(Turn(**{**values, "image_ids": [str(i) for i in ids or []], "action_detail": detail}))
    return turns, notes


def _json(raw: Any, kind: type) -> tuple[Any, str]:
    """A JSON column's value if it is a ``kind`` (or null), else None and why not."""
    if isinstance(raw, str):  # a driver that decodes JSON itself hands over the value instead
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            return None, f"not JSON: {exc}"
    if raw is None or isinstance(raw, kind):
        return raw, ""
    return None, f"a {type(raw).__name__}, not a {kind.__name__}"


def binding_pairs(bindings: Any) -> list[tuple[str, str]]:
    """A run's role bindings as (role, model) pairs; anything but a mapping as one line of text."""
    if isinstance(bindings, dict):
        return [(str(role), str(spec)) for role, spec in sorted(bindings.items(), key=lambda kv: str(kv[0]))]
    if bindings in (None, "", [], {}):
        return []
    try:
        text = json.dumps(bindings, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(bindings)
    return [("bindings (not a mapping)", text)]


def bound_specs(bindings: Any) -> list[str]:
    """The model specs a run bound, as text; none when its bindings are not a mapping."""
    return [str(spec) for spec in bindings.values()] if isinstance(bindings, dict) else []
