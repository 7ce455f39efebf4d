"""One episode as the transcript page shows it: the case, every turn, tool uses, judgements.

A read model like :mod:`.queries`: plain records built from the log, no HTML. The viewer is
for researchers after the fact, so the case's diagnosis and image captions are shown too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from ..report.metrics import EpisodeMetrics, episode_metrics
from ..report.tool_lines import describe, interleave, usage
from ..scenario import Scenario
from ..store import (
    AssessmentRow,
    DoctorNote,
    DoctorToolCall,
    Episode,
    LLMCall,
    Store,
    SurveyRow,
    Turn,
)
from ..store.tool_log import tool_calls_of
from .images import ImageFinder, ImageLookup
from .queries import (
    NO_FILTERS,
    Filters,
    RunRow,
    condition_of,
    episode_rows,
    neighbours,
    outcome_of,
    run_row,
)
from .stored import stored_case, stored_turns


@dataclass(frozen=True)
class ImageItem:
    """An image a reply showed (or the case holds): shown when ``available``, else ``reason``."""

    id: str
    modality: str
    caption: str
    available: bool
    reason: str = ""


@dataclass(frozen=True)
class TurnItem:
    """One logged turn."""

    index: int
    speaker: str
    text: str
    action: str | None
    detail: list[tuple[str, str]]
    provenance: str | None
    note: str | None
    latency_ms: float | None
    cost_usd: float
    redactions: int
    images: list[ImageItem]
    kind: str = "turn"


@dataclass(frozen=True)
class ToolItem:
    """One doctor-tool use, placed between the turns it came between."""

    tool: str
    turn: int
    description: str
    usage: str
    kind: str = "tool"


@dataclass
class Transcript:
    """Everything the transcript page shows about one episode."""

    episode: Episode
    run: RunRow
    case: Scenario | None
    outcome: str
    condition: str
    items: list[TurnItem | ToolItem]
    case_images: list[ImageItem]
    assessments: list[AssessmentRow]
    survey: SurveyRow | None
    metrics: EpisodeMetrics
    calls: list[LLMCall]
    notes: list[DoctorNote]
    persona: list[tuple[str, str]] = field(default_factory=list)
    previous_id: int | None = None
    next_id: int | None = None
    case_problem: str = ""  # why the stored case cannot be shown, when it cannot
    problems: list[str] = field(default_factory=list)  # other parts of the log that could not be read


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)


def pairs(mapping: dict[str, Any] | None) -> list[tuple[str, str]]:
    """A JSON column as (name, text) pairs, leaving out empty values."""
    return [(str(k), _value(v)) for k, v in (mapping or {}).items() if v not in (None, "", [], {})]


def _image_item(found: ImageLookup, image_id: str) -> ImageItem:
    image = found.image
    if image is None:
        return ImageItem(image_id, "", "", False, found.reason)
    return ImageItem(image.id, image.modality, image.caption or "", found.found is not None, found.reason)


class ImageResolver:
    """Looks up one episode's images against its run's pack, each id once."""

    def __init__(self, finder: ImageFinder, source: str, episode: Episode, case: Scenario | None):
        self.finder, self.source, self.episode, self.case = finder, source, episode, case
        self.seen: dict[str, ImageLookup] = {}

    def lookup(self, image_id: str) -> ImageLookup:
        if image_id not in self.seen:
            self.seen[image_id] = self.finder.lookup(self.source, self.episode.scenario_id, self.case, image_id)
        return self.seen[image_id]

    def item(self, image_id: str) -> ImageItem:
        return _image_item(self.lookup(image_id), image_id)


def _turn_item(turn: Turn, images: ImageResolver) -> TurnItem:
    return TurnItem(index=turn.index, speaker=turn.speaker, text=turn.text, action=turn.action,
                    detail=pairs(turn.action_detail), provenance=turn.provenance, note=turn.note,
                    latency_ms=turn.latency_ms, cost_usd=turn.cost_usd, redactions=turn.redactions,
                    images=[images.item(i) for i in turn.image_ids])


def _tool_item(call: DoctorToolCall) -> ToolItem:
    return ToolItem(tool=call.tool, turn=call.turn, description=describe(call), usage=usage(call))


def _notes(store: Store, episode_id: int) -> list[DoctorNote]:
    with Session(store.engine) as session:
        query = select(DoctorNote).where(DoctorNote.episode_id == episode_id)
        return list(session.exec(query.order_by(DoctorNote.id)).all())  # type: ignore[arg-type]


def transcript(store: Store, episode_id: int, finder: ImageFinder, filters: Filters = NO_FILTERS,
               order: Sequence[int] | None = None) -> Transcript | None:
    """Episode ``episode_id`` with everything logged about it; None when there is no such episode.

    Previous and next are the neighbours among the run's episodes that pass ``filters``, or
    in ``order`` (episode ids) when given: a caller writing every page lists the run once.
    """
    row = store.episode(episode_id)
    run = store.run(row.run_id) if row else None
    summary = run_row(store, run.id) if run and run.id is not None else None
    if row is None or run is None or summary is None:
        return None
    case, case_problem = stored_case(store, row.case_digest)
    turns, problems = stored_turns(store, episode_id)
    images = ImageResolver(finder, run.scenarios, row, case)
    calls = tool_calls_of(store, [episode_id])[episode_id]
    items = [_tool_item(item) if isinstance(item, DoctorToolCall) else _turn_item(item, images)
             for item in interleave(turns, calls)]
    ids = order if order is not None else [r.id for r in episode_rows(store, run) if filters.keep(r)]
    previous_id, next_id = neighbours(ids, episode_id)
    return Transcript(
        episode=row, run=summary, case=case, outcome=outcome_of(row), condition=condition_of(row), items=items,
        case_images=[images.item(i.id) for i in case.images] if case else [],
        assessments=list(store.assessments_of([episode_id])[episode_id]),
        survey=store.surveys_of([episode_id]).get(episode_id),
        metrics=episode_metrics(turns, case.key_facts if case else (), row.max_turns),
        calls=list(store.calls(episode_id)), notes=_notes(store, episode_id), persona=pairs(row.persona),
        previous_id=previous_id, next_id=next_id, case_problem=case_problem, problems=problems)
