"""Writing and reading the episode log through SQLModel (SQLite by default, any SQLAlchemy URL)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, delete, select

from ..episode import Episode as EpisodeState
from ..episode import TurnRecord
from ..paths import DEFAULT_DB_URL
from ..persona import Persona
from ..scenario import Scenario
from ..llm.backends.base import RawCompletion
from ..llm.calls import CallRecord, CallTotals
from ..roles import Assessment
from ..survey import Survey
from .episode_rows import PendingRow, call_row, insert_pending, turn_row
from .finishing import elapsed, finish, totals_values
from .engine import make_engine, one_line, require_existing
from .errors import StoreError
from .schema import ensure_schema
from .models import (AssessmentRow, CaseSnapshot, DoctorNote, DoctorToolCall, Episode, LLMCacheEntry, LLMCall, Run,
                     RunClaim, SurveyRow, Turn, utcnow)


class Store:
    """The recorder: runs, episodes, turns and assessments."""

    def __init__(self, url: str = DEFAULT_DB_URL, *, create: bool = True):
        """Open the database at ``url``, bringing its schema up to date (see :mod:`.schema`).

        ``create=False`` (read-only commands) refuses a SQLite file that does not exist
        instead of creating an empty one.
        """
        self.url = url
        self._started: dict[int, datetime] = {}  # episodes this store started, until they finish
        self._cases: set[str] = set()  # case snapshots known to be stored
        if not create:
            require_existing(url)
        self.engine = make_engine(url)
        try:
            ensure_schema(url, self.engine)
        except StoreError:
            self.engine.dispose()
            raise
        except Exception as exc:  # noqa: BLE001 - any driver error means the URL is unusable
            self.engine.dispose()
            raise StoreError(f"cannot open database {url}: {one_line(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()

    # ---- writing ---------------------------------------------------------------------------
    def start_run(self, **fields) -> int:
        from .. import __version__

        with Session(self.engine) as session:
            run = Run(package_version=__version__, **fields)
            session.add(run)
            session.commit()
            return run.id  # type: ignore[return-value]

    def claim_run(self, identity: str, create: Callable[[], int], replace: bool = False) -> int:
        """The run for an experiment: the claimed one, or one made by ``create`` and claimed.

        When processes race, one insert wins; a loser removes the (empty) run it made and
        joins the winner's. ``replace`` points the claim at a new run (``--fresh``).
        """
        with Session(self.engine) as session:
            claim = session.get(RunClaim, identity)
            if claim is not None and not replace:
                return claim.run_id
        run_id = create()
        with Session(self.engine) as session:
            try:
                if replace:
                    session.merge(RunClaim(identity=identity, run_id=run_id))
                else:
                    session.add(RunClaim(identity=identity, run_id=run_id))
                session.commit()
                return run_id
            except IntegrityError:
                session.rollback()
        with Session(self.engine) as session:
            session.exec(delete(Run).where(Run.id == run_id))  # type: ignore[arg-type]
            session.commit()
            return session.get(RunClaim, identity).run_id  # type: ignore[union-attr]

    def episode_counts(self) -> dict[int, int]:
        """Episodes per run, in one query (for run lists)."""
        with Session(self.engine) as session:
            query = select(Episode.run_id, func.count()).group_by(Episode.run_id)  # type: ignore[arg-type]
            return dict(session.exec(query).all())

    def finished_count(self, run_id: int) -> int:
        """Episodes of a run that are completed or failed."""
        with Session(self.engine) as session:
            query = select(func.count()).select_from(Episode).where(
                Episode.run_id == run_id, Episode.status.in_(("completed", "failed")))  # type: ignore[attr-defined]
            return session.exec(query).one()

    def reopen_run(self, run_id: int) -> None:
        """Mark a run running again (resuming it)."""
        with Session(self.engine) as session:
            run = session.get(Run, run_id)
            if run is not None:
                run.status, run.finished_at = "running", None
                session.add(run)
                session.commit()

    def delete_episodes(self, episode_ids: Sequence[int]) -> None:
        """Remove unfinished episodes and everything hanging off them, in one transaction, so a
        resumed run redoes them without duplicates or half-written rows."""
        if not episode_ids:
            return
        with Session(self.engine) as session:
            for model in (Turn, LLMCall, AssessmentRow, SurveyRow, DoctorToolCall, DoctorNote):
                session.exec(delete(model).where(model.episode_id.in_(episode_ids)))  # type: ignore[attr-defined]
            session.exec(delete(Episode).where(Episode.id.in_(episode_ids)))  # type: ignore[union-attr]
            session.commit()

    def finish_run(self, run_id: int, status: str = "completed") -> None:
        with Session(self.engine) as session:
            run = session.get(Run, run_id)
            if run is not None:
                run.status, run.finished_at = status, utcnow()
                session.add(run)
                session.commit()

    def start_episode(self, run_id: int, scenario: Scenario, *, seed: int | None, trial: int = 0,
                      max_turns: int = 0, persona: Persona | None = None, swap: str | None = None,
                      doctor_tools: str | None = None) -> int:
        digest = self.save_case(scenario)
        with Session(self.engine, expire_on_commit=False) as session:  # the id and start need no re-read
            row = Episode(run_id=run_id, case_digest=digest, scenario_id=scenario.id, scenario_title=scenario.title,
                          specialty=scenario.specialty, language=scenario.language, trial=trial, seed=seed,
                          correct_diagnosis=scenario.diagnosis.name, max_turns=max_turns, swap=swap,
                          doctor_tools=doctor_tools,
                          persona_id=persona.label() if persona else None,
                          persona=persona.model_dump(mode="json") if persona else None)
            session.add(row)
            session.commit()
            self._started[row.id] = row.started_at  # type: ignore[index]
            return row.id  # type: ignore[return-value]

    def save_case(self, scenario: Scenario) -> str:
        """Store the case once per distinct content; returns its digest."""
        data = scenario.model_dump(mode="json")
        digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
        if digest in self._cases:  # stored by this store already (snapshots are never removed)
            return digest
        with Session(self.engine) as session:
            if session.get(CaseSnapshot, digest) is not None:
                return digest
            session.add(CaseSnapshot(digest=digest, scenario_id=scenario.id, data=data))
            try:
                session.commit()
            except IntegrityError:  # another writer stored the same case first: same content
                session.rollback()
        self._cases.add(digest)
        return digest

    def record_turn(self, episode_id: int, record: TurnRecord) -> None:
        self.write_rows([turn_row(episode_id, record)])

    def record_call(self, episode_id: int | None, record: CallRecord) -> None:
        self.write_rows([call_row(episode_id, record)])

    def write_rows(self, rows: Sequence[SQLModel]) -> None:
        """Insert ORM rows in one transaction (the gym environment's turns and calls, as they happen)."""
        if not rows:
            return
        with Session(self.engine) as session:
            session.add_all(list(rows))
            session.commit()

    def record_totals(self, episode_id: int, totals: CallTotals) -> None:
        """Store an episode's model-call totals (kept apart so failed episodes get them too)."""
        with Session(self.engine) as session:
            row = session.get(Episode, episode_id)
            if row is None:
                return
            _set_totals(row, totals)
            session.add(row)
            session.commit()

    # ---- response cache (llm.client.ResponseCache) -----------------------------------------
    def get(self, key: str) -> RawCompletion | None:
        with Session(self.engine) as session:
            entry = session.get(LLMCacheEntry, key)
            return RawCompletion(entry.text, entry.input_tokens, entry.output_tokens, entry.model) if entry else None

    def put(self, key: str, model: str, completion: RawCompletion) -> None:
        with Session(self.engine) as session:
            session.merge(LLMCacheEntry(key=key, model=model, text=completion.text,
                                        input_tokens=completion.input_tokens,
                                        output_tokens=completion.output_tokens))
            session.commit()

    def calls(self, episode_id: int) -> Sequence[LLMCall]:
        with Session(self.engine) as session:
            query = select(LLMCall).where(LLMCall.episode_id == episode_id).order_by(LLMCall.id)  # type: ignore[arg-type]
            return session.exec(query).all()

    def finish_episode(self, episode_id: int, state: EpisodeState, pending: Sequence[PendingRow] = (),
                       totals: CallTotals | None = None) -> None:
        """Store the outcome of a finished episode (and its assessment, if any), with its
        ``pending`` rows (turns, calls, tool uses) and call ``totals``, in one transaction."""
        finish(self.engine, episode_id, state, pending, totals, self._started.pop(episode_id, None))

    def add_assessments(self, rows: Iterable[AssessmentRow]) -> None:
        """Keep re-scoring results (never overwriting earlier ones)."""
        with Session(self.engine) as session:
            session.add_all(list(rows))
            session.commit()

    def end_episode(self, episode_id: int, status: str, error: str | None = None,
                    state: EpisodeState | None = None, pending: Sequence[PendingRow] = (),
                    totals: CallTotals | None = None) -> None:
        """Mark an episode failed or abandoned, keeping whatever progress it made (its
        ``pending`` rows and call ``totals`` too, in the same transaction)."""
        with Session(self.engine) as session:
            row = session.get(Episode, episode_id)
            if row is None:
                return
            insert_pending(session, pending)
            if totals is not None:
                _set_totals(row, totals)
            row.status, row.error = status, error
            if state is not None:
                row.turns, row.cost_usd = state.turn, state.cost_usd
                row.tests_ordered, row.invalid_actions = len(state.stats.tests), state.stats.invalid_actions
                row.questions, row.examinations = state.stats.questions, state.stats.examinations
                row.redactions = state.stats.redactions
            self._close(row)
            session.add(row)
            session.commit()

    @staticmethod
    def _close(row: Episode) -> None:
        row.finished_at = utcnow()
        row.duration_s = elapsed(row.started_at, row.finished_at)

    # ---- reading ---------------------------------------------------------------------------
    def runs(self, limit: int = 50) -> Sequence[Run]:
        with Session(self.engine) as session:
            return session.exec(select(Run).order_by(Run.id.desc()).limit(limit)).all()  # type: ignore[union-attr]

    def run(self, run_id: int) -> Run | None:
        with Session(self.engine) as session:
            return session.get(Run, run_id)

    def latest_run_id(self) -> int | None:
        with Session(self.engine) as session:
            return session.exec(select(func.max(Run.id))).one()

    def episodes(self, run_id: int | None = None, status: str | None = None,
                 limit: int | None = None) -> Sequence[Episode]:
        with Session(self.engine) as session:
            query = select(Episode).order_by(Episode.id)  # type: ignore[arg-type]
            if run_id is not None:
                query = query.where(Episode.run_id == run_id)
            if status is not None:
                query = query.where(Episode.status == status)
            if limit is not None:
                query = query.limit(limit)
            return session.exec(query).all()

    def episode(self, episode_id: int) -> Episode | None:
        with Session(self.engine) as session:
            return session.get(Episode, episode_id)

    def turns(self, episode_id: int) -> Sequence[Turn]:
        with Session(self.engine) as session:
            query = select(Turn).where(Turn.episode_id == episode_id).order_by(Turn.index)  # type: ignore[arg-type]
            return session.exec(query).all()

    def turns_of(self, episode_ids: Sequence[int]) -> dict[int, list[Turn]]:
        """Every turn of many episodes in one query, grouped by episode."""
        grouped: dict[int, list[Turn]] = {eid: [] for eid in episode_ids}
        for row in self._rows_of(Turn, episode_ids, Turn.index):
            grouped[row.episode_id].append(row)
        return grouped

    def assessments_of(self, episode_ids: Sequence[int]) -> dict[int, list[AssessmentRow]]:
        """Every assessment of many episodes, oldest first."""
        grouped: dict[int, list[AssessmentRow]] = {eid: [] for eid in episode_ids}
        for row in self._rows_of(AssessmentRow, episode_ids, AssessmentRow.id):
            grouped[row.episode_id].append(row)
        return grouped

    def surveys_of(self, episode_ids: Sequence[int]) -> dict[int, SurveyRow]:
        """The latest survey of each episode that has one."""
        return {row.episode_id: row for row in self._rows_of(SurveyRow, episode_ids, SurveyRow.id)}

    def _rows_of(self, model, episode_ids: Sequence[int], order) -> list:
        rows: list = []
        with Session(self.engine) as session:
            for start in range(0, len(episode_ids), 500):  # stay under SQL parameter limits
                chunk = list(episode_ids[start:start + 500])
                query = select(model).where(model.episode_id.in_(chunk)).order_by(model.episode_id, order)
                rows.extend(session.exec(query).all())
        return rows

    def case(self, digest: str | None) -> Scenario | None:
        """The case an episode played, from its snapshot (None for logs without one)."""
        if digest is None:
            return None
        with Session(self.engine) as session:
            snapshot = session.get(CaseSnapshot, digest)
            return Scenario.model_validate(snapshot.data) if snapshot else None


def _set_totals(row: Episode, totals: CallTotals) -> None:
    for name, value in totals_values(totals).items():
        setattr(row, name, value)


def assessment_row(episode_id: int, assessment: Assessment, rank: int | None, source: str) -> AssessmentRow:
    return AssessmentRow(episode_id=episode_id, assessor=assessment.assessor, correct=assessment.correct,
                         verdict=assessment.verdict, reason=assessment.reason, matched=assessment.matched,
                         score=assessment.score, differential_rank=rank, details=dict(assessment.details),
                         source=source)


def survey_row(episode_id: int, survey: Survey) -> SurveyRow:
    return SurveyRow(episode_id=episode_id, respondent=survey.respondent, heuristic=survey.heuristic,
                     confidence=survey.confidence.score, confidence_reason=survey.confidence.reason,
                     adherence=survey.adherence.score, adherence_reason=survey.adherence.reason,
                     return_visit=survey.return_visit.score, return_visit_reason=survey.return_visit.reason)
