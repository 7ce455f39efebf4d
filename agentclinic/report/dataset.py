"""Loading logged runs into plain per-episode records with their metrics, faults and survey."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..assess.differential import differential_rank
from ..persona import Persona, load_library
from ..scenario import Scenario
from ..store import AssessmentRow, DoctorToolCall, Episode, Run, Store, SurveyRow
from ..store.tool_log import tool_calls_of
from .faults import FaultChecker, Faults
from .metrics import EpisodeMetrics, episode_metrics


class ReportError(ValueError):
    """The runs asked for cannot be reported (unknown id, empty database)."""


@dataclass
class EpisodeView:
    """One logged episode as reports see it."""

    row: Episode
    run: Run
    correct: bool | None  # by the chosen assessor; None when it has not judged this episode
    credit: float | None  # graded credit (mean-mode panels), else 1.0/0.0
    assessor: str | None
    rank: int | None = None  # where the right answer first appears in the differential
    metrics: EpisodeMetrics | None = None
    faults: Faults | None = None
    survey: SurveyRow | None = None
    tool_calls: list[DoctorToolCall] = field(default_factory=list)  # doctor-tool uses, in order

    @property
    def doctor(self) -> str:
        return str(self.run.bindings.get("doctor", "?"))

    @property
    def tools(self) -> str | None:
        """The doctor-tools label (e.g. ``rag+notebook``); None for an episode without tools."""
        return self.row.doctor_tools if self.row.doctor_tools not in (None, "", "none") else None

    @property
    def tool_tokens(self) -> int:
        """Tokens spent in doctor-tool calls (a tool without a model spends none)."""
        return sum((c.input_tokens or 0) + (c.output_tokens or 0) for c in self.tool_calls)

    @property
    def persona(self) -> dict:
        return self.row.persona if isinstance(self.row.persona, dict) else {}

    @property
    def doctor_biases(self) -> list[str]:
        return _strings(self.persona.get("doctor_biases"))

    @property
    def patient_biases(self) -> list[str]:
        return _strings(self.persona.get("patient_biases"))

    @property
    def temperament(self) -> list[str]:
        temperament = self.persona.get("temperament")
        items = temperament.items() if isinstance(temperament, dict) else ()
        return [f"{axis}={option}" for axis, option in sorted(items, key=str)]

    @property
    def language(self) -> str:
        language = self.persona.get("language")
        return language if isinstance(language, str) and language else self.row.language

    @property
    def flagged(self) -> bool:
        return bool(self.faults and self.faults.any)

    @property
    def scored(self) -> bool:
        return self.row.status == "completed" and self.correct is not None


@dataclass
class Dataset:
    runs: list[Run]
    episodes: list[EpisodeView] = field(default_factory=list)
    assessor: str | None = None
    notes: list[str] = field(default_factory=list)  # damaged rows read as well as they could be


def _strings(value: object) -> list[str]:
    """A logged list of names, or [] when a damaged row holds something else."""
    return [str(item) for item in value] if isinstance(value, list) else []


def resolve_run_ids(store: Store, run_ids: Sequence[int]) -> list[int]:
    """The runs to report: those named, or the latest one."""
    if not run_ids:
        latest = store.latest_run_id()
        if latest is None:
            raise ReportError(f"no runs in {store.url}; run `agentclinic run` first")
        return [latest]
    missing = [rid for rid in run_ids if store.run(rid) is None]
    if missing:
        raise ReportError(f"no run {', '.join(map(str, missing))} in {store.url}; see `agentclinic runs list`")
    return list(dict.fromkeys(run_ids))


def load_dataset(store: Store, run_ids: Sequence[int], assessor: str | None = None) -> Dataset:
    """Every episode of ``run_ids`` with metrics, fault flags and survey.

    ``assessor`` picks whose judgement counts (the latest row by that assessor, e.g. a
    re-scoring); by default the judgement made during the run.
    """
    runs = [store.run(rid) for rid in resolve_run_ids(store, run_ids)]
    dataset = Dataset([run for run in runs if run is not None], assessor=assessor)
    for run in dataset.runs:
        if not isinstance(run.bindings, dict):  # a damaged log: the roles are unknown, the episodes still count
            dataset.notes.append(f"run {run.id}: its role bindings are not a mapping "
                                 f"({str(run.bindings)[:60]!r}); its models are reported as unknown")
            run.bindings = {}
    checkers: dict[str | None, FaultChecker | None] = {}  # one per distinct case, shared across runs
    for run in dataset.runs:
        rows = list(store.episodes(run.id))
        ids = [row.id for row in rows]
        turns, judged, surveys = store.turns_of(ids), store.assessments_of(ids), store.surveys_of(ids)
        tool_calls = tool_calls_of(store, ids)  # one query per run (chunked), not one per episode
        for row in rows:
            if row.case_digest not in checkers:
                checkers[row.case_digest] = _checker(_stored_case(store, row, dataset.notes))
            checker = checkers[row.case_digest]
            view = _view(row, run, turns[row.id], judged[row.id], surveys.get(row.id), checker, assessor)
            view.tool_calls = tool_calls.get(row.id, [])
            dataset.episodes.append(view)
    return dataset


def _stored_case(store: Store, row: Episode, notes: list[str]) -> Scenario | None:
    """The case the episode played; None, with a note, when its stored copy cannot be read."""
    try:
        return store.case(row.case_digest)
    except (ValueError, TypeError) as exc:  # damaged JSON, or data that fails validation
        reason = str(exc).splitlines()[0][:160]
        notes.append(f"the stored case of episode {row.id} ({row.scenario_id}) cannot be read ({reason}); its "
                     "episodes are reported without coverage, fault checks or differential rank")
        return None


def _checker(scenario: Scenario | None) -> FaultChecker | None:
    return FaultChecker(scenario) if scenario is not None else None


def _view(row: Episode, run: Run, turns, judged: list[AssessmentRow], survey: SurveyRow | None,
          checker: FaultChecker | None, assessor: str | None) -> EpisodeView:
    correct, credit, name = _judgement(row, judged, assessor)
    view = EpisodeView(row, run, correct, credit, name, survey=survey)
    scenario = checker.scenario if checker is not None else None
    view.metrics = episode_metrics(turns, scenario.key_facts if scenario is not None else (), row.max_turns)
    if checker is not None:  # logs from before case snapshots: no coverage, faults or ranks
        view.faults = checker.check(turns, reticent=_reticent(row.persona))
        view.rank = differential_rank(row.diagnosis, row.differential, checker.scenario)
    return view


# Patient persona rules under which "I don't know" is the persona's behaviour, not a fault.
_RETICENT = {"unsure_history", "less_forthcoming", "withhold_details", "brief_answers", "distrust_doctor"}


def _reticent(persona: dict | None) -> bool:
    if not persona:
        return False
    try:
        return bool(load_library().hints(Persona.model_validate(persona), "patient") & _RETICENT)
    except ValueError:  # a persona from another library version: judge it as plain
        return False


def _judgement(row: Episode, judged: list[AssessmentRow], assessor: str | None):
    if assessor is None:
        credit = None if row.correct is None else float(row.correct)
        in_run = next((a for a in judged if a.source == "run"), None)
        return row.correct, credit, in_run.assessor if in_run else None
    chosen = [a for a in judged if a.assessor == assessor]
    if not chosen:
        return None, None, assessor
    latest = chosen[-1]
    return latest.correct, latest.score if latest.score is not None else float(latest.correct), assessor
