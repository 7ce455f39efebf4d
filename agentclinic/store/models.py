"""Database tables (SQLModel). Documented in the README for plain-SQL users.

Kept deliberately flat: one row per run, per episode, per turn and per assessment, with
the numbers reports need as columns (not only inside JSON) so SQL can group by them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Run(SQLModel, table=True):
    """One invocation: a batch run, an env instance or a TUI session."""

    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(description="cli | env | tui")
    status: str = Field(default="running",
                        description="running | completed | partial (this shard done, others not) | interrupted")
    scenarios: str = Field(description="the pack name, directory or file the cases came from")
    seed: int | None = Field(default=None, sa_type=BigInteger)  # seeds are 64-bit (PostgreSQL INTEGER is not)
    max_turns: int
    episodes_planned: int | None = None
    bindings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    package_version: str
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RunClaim(SQLModel, table=True):
    """Which run an experiment (a configuration's identity) is filled into.

    Several processes (``--shard i/n``) starting the same experiment race to insert this row;
    the primary key lets exactly one win, and the others join its run.
    """

    __tablename__ = "run_claim"

    identity: str = Field(primary_key=True, description="sha256 of the run's configuration identity")
    run_id: int = Field(foreign_key="run.id")


class RunLease(SQLModel, table=True):
    """The live process executing a run, or one shard of it (``shard`` '' for the whole run).

    Its heartbeat keeps it fresh; a lease whose heartbeat is old, or whose process is gone,
    may be taken over, so a run killed with SIGKILL can still be resumed.
    """

    __tablename__ = "run_lease"

    run_id: int = Field(foreign_key="run.id", primary_key=True)
    shard: str = Field(default="", primary_key=True, description="'' for the whole run, 'i/n' for a shard")
    owner: str = Field(description="host:pid:token of the process holding it")
    heartbeat_at: datetime


class Episode(SQLModel, table=True):
    """One encounter with one case."""

    __tablename__ = "episode"
    __table_args__ = (Index("ix_episode_run_scenario", "run_id", "scenario_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    scenario_id: str = Field(index=True)
    scenario_title: str = ""
    specialty: str = ""
    language: str = "en"
    trial: int = 0
    seed: int | None = Field(default=None, sa_type=BigInteger,
                             description="shared by paired episodes (same case and trial)")
    persona_id: str | None = Field(default=None, index=True, description="persona stack id; NULL when neutral")
    persona: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    swap: str | None = Field(default=None, description="demographic swap, e.g. 'sex=male'")
    doctor_tools: str | None = Field(default=None, index=True,
                                     description="the doctor's tools, e.g. 'rag+notebook'; NULL: none")
    status: str = Field(default="running", index=True, description="running | completed | failed | abandoned")
    correct: bool | None = None
    verdict: str | None = None
    diagnosis: str | None = Field(default=None, description="the doctor's final diagnosis")
    correct_diagnosis: str = ""
    differential: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confidence: float | None = None
    turns: int = Field(default=0, description="doctor turns taken")
    max_turns: int = 0
    questions: int = 0
    examinations: int = 0
    tests_ordered: int = 0
    invalid_actions: int = 0
    truncated: bool = False
    cost_usd: float = 0.0
    images_unavailable: int = Field(default=0, description="remote images that could not be fetched")
    redactions: int = Field(default=0, description="diagnosis mentions removed from replies (simulator faults)")
    case_digest: str | None = Field(default=None, foreign_key="case_snapshot.digest",
                                    description="the exact case played (case_snapshot), for re-scoring")
    survey_error: str | None = Field(default=None, description="why the patient survey has no row")
    error: str | None = None
    llm_calls: int = Field(default=0, description="model calls made (cache hits excluded)")
    llm_cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    llm_cost_usd: float = Field(default=0.0, description="model spend; see llm_unpriced")
    llm_unpriced: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                    description="models without a price in model_prices.yaml")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    duration_s: float | None = None


class Turn(SQLModel, table=True):
    """One utterance in an episode's transcript."""

    __tablename__ = "turn"
    __table_args__ = (Index("ix_turn_episode_index", "episode_id", "index", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id")
    index: int
    speaker: str = Field(description="doctor | patient | measurement | system")
    text: str
    action: str | None = Field(default=None, description="the doctor's parsed action kind")
    action_detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    provenance: str | None = Field(default=None, description="case | default-normal | unavailable")
    cost_usd: float = 0.0
    latency_ms: float | None = None
    image_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, description="how a result was found when not by name")
    redactions: int = Field(default=0, description="diagnosis mentions removed from this reply")
    created_at: datetime = Field(default_factory=utcnow)


class AssessmentRow(SQLModel, table=True):
    """A judgement of an episode's diagnosis; re-scoring adds rows, never overwrites."""

    __tablename__ = "assessment"

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id", index=True)
    assessor: str = Field(description="'scripted', a model label, or 'panel:<mode>(...)'")
    correct: bool
    verdict: str
    reason: str
    matched: str | None = None
    score: float | None = Field(default=None, description="graded credit in [0, 1] (mean-mode panels)")
    differential_rank: int | None = Field(default=None, description="1 = the final diagnosis; None = not in the list")
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="run", description="run | rescore")
    created_at: datetime = Field(default_factory=utcnow)


class SurveyRow(SQLModel, table=True):
    """The patient's ratings of the doctor after an episode (1-10 each, with reasons)."""

    __tablename__ = "survey"

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id", index=True)
    respondent: str = Field(description="'scripted' or the patient model's label")
    heuristic: bool = Field(description="derived by rules rather than answered in role")
    confidence: int
    confidence_reason: str = ""
    adherence: int
    adherence_reason: str = ""
    return_visit: int
    return_visit_reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class CaseSnapshot(SQLModel, table=True):
    """The exact case an episode played, stored once per distinct content.

    Keeps the log self-sufficient: re-scoring, coverage and fault checks read the case from
    here even after the pack on disk has changed.
    """

    __tablename__ = "case_snapshot"

    digest: str = Field(primary_key=True, description="sha256 of the case's canonical JSON")
    scenario_id: str = Field(index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class LLMCall(SQLModel, table=True):
    """One model call (or cache hit) made by a role during an episode."""

    __tablename__ = "llm_call"

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int | None = Field(default=None, foreign_key="episode.id", index=True)
    role: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = Field(default=None, description="None when the model's price is unknown")
    cache_hit: bool = False
    attempts: int = 1
    error: str | None = None
    note: str | None = None
    sanitised: int = Field(default=0, description="characters removed or replaced in the reply (controls, "
                                                  "lone surrogates, bidi overrides)")
    created_at: datetime = Field(default_factory=utcnow)


class LLMCacheEntry(SQLModel, table=True):
    """A cached model response, keyed by model, parameters, messages and seed."""

    __tablename__ = "llm_cache"

    key: str = Field(primary_key=True)
    model: str
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class DoctorToolCall(SQLModel, table=True):
    """One use of a doctor tool (chain of thought, reflection, retrieval, notebook, experience).

    Not a turn of the encounter: kept apart from ``turn`` so budgets and transcripts of
    turns stay as they were; ``position`` places it in the transcript (the number of turns
    logged before it).
    """

    __tablename__ = "doctor_tool_call"

    id: int | None = Field(default=None, primary_key=True)
    episode_id: int = Field(foreign_key="episode.id", index=True)
    position: int = Field(description="turns logged before this call (where it sits in the transcript)")
    turn: int = Field(default=0, description="the doctor turn it came before")
    tool: str = Field(description="cot | reflect | rag | notebook-read | notebook-write | experience")
    input: str = ""
    output: str = ""
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: float | None = None
    created_at: datetime = Field(default_factory=utcnow)


class DoctorNote(SQLModel, table=True):
    """A version of a doctor's notebook: the note written at the end of one episode."""

    __tablename__ = "doctor_note"
    __table_args__ = (Index("ix_doctor_note_chain", "run_id", "chain", "position", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id")
    chain: str = Field(description="the doctor condition the note belongs to (tools, persona, swap)")
    position: int = Field(description="the writing episode's place in the chain's plan order")
    episode_id: int = Field(foreign_key="episode.id", index=True)
    text: str
    truncated: bool = Field(default=False, description="the doctor wrote more than the cap; the rest was cut")
    created_at: datetime = Field(default_factory=utcnow)
