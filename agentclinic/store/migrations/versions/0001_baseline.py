"""The schema as agentclinic 0.1 created it, before migrations existed.

Frozen here (not imported from the models) so later model changes never rewrite history.
Databases made by 0.1 already hold these tables without an ``alembic_version`` row: this
step adopts them, creating only what is missing and adding columns older 0.1 builds lacked,
so an old log is upgraded in place rather than refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
additive = True  # creates or adds only: safe to apply automatically

BASELINE = sa.MetaData()

sa.Table(
    "case_snapshot", BASELINE,
    sa.Column("digest", sa.String(), nullable=False),
    sa.Column("scenario_id", sa.String(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("digest"),
    sa.Index("ix_case_snapshot_scenario_id", "scenario_id"),
)

sa.Table(
    "llm_cache", BASELINE,
    sa.Column("key", sa.String(), nullable=False),
    sa.Column("model", sa.String(), nullable=False),
    sa.Column("text", sa.String(), nullable=False),
    sa.Column("input_tokens", sa.Integer(), nullable=True),
    sa.Column("output_tokens", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("key"),
)

sa.Table(
    "run", BASELINE,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("scenarios", sa.String(), nullable=False),
    sa.Column("seed", sa.BigInteger(), nullable=True),
    sa.Column("max_turns", sa.Integer(), nullable=False),
    sa.Column("episodes_planned", sa.Integer(), nullable=True),
    sa.Column("bindings", sa.JSON(), nullable=False),
    sa.Column("config", sa.JSON(), nullable=False),
    sa.Column("package_version", sa.String(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id"),
)

sa.Table(
    "episode", BASELINE,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("run_id", sa.Integer(), nullable=False),
    sa.Column("scenario_id", sa.String(), nullable=False),
    sa.Column("scenario_title", sa.String(), nullable=False),
    sa.Column("specialty", sa.String(), nullable=False),
    sa.Column("language", sa.String(), nullable=False),
    sa.Column("trial", sa.Integer(), nullable=False),
    sa.Column("seed", sa.BigInteger(), nullable=True),
    sa.Column("persona_id", sa.String(), nullable=True),
    sa.Column("persona", sa.JSON(), nullable=True),
    sa.Column("swap", sa.String(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("correct", sa.Boolean(), nullable=True),
    sa.Column("verdict", sa.String(), nullable=True),
    sa.Column("diagnosis", sa.String(), nullable=True),
    sa.Column("correct_diagnosis", sa.String(), nullable=False),
    sa.Column("differential", sa.JSON(), nullable=False),
    sa.Column("confidence", sa.Float(), nullable=True),
    sa.Column("turns", sa.Integer(), nullable=False),
    sa.Column("max_turns", sa.Integer(), nullable=False),
    sa.Column("questions", sa.Integer(), nullable=False),
    sa.Column("examinations", sa.Integer(), nullable=False),
    sa.Column("tests_ordered", sa.Integer(), nullable=False),
    sa.Column("invalid_actions", sa.Integer(), nullable=False),
    sa.Column("truncated", sa.Boolean(), nullable=False),
    sa.Column("cost_usd", sa.Float(), nullable=False),
    sa.Column("images_unavailable", sa.Integer(), nullable=False),
    sa.Column("redactions", sa.Integer(), nullable=False),
    sa.Column("case_digest", sa.String(), nullable=True),
    sa.Column("survey_error", sa.String(), nullable=True),
    sa.Column("error", sa.String(), nullable=True),
    sa.Column("llm_calls", sa.Integer(), nullable=False),
    sa.Column("llm_cache_hits", sa.Integer(), nullable=False),
    sa.Column("input_tokens", sa.Integer(), nullable=False),
    sa.Column("output_tokens", sa.Integer(), nullable=False),
    sa.Column("llm_cost_usd", sa.Float(), nullable=False),
    sa.Column("llm_unpriced", sa.JSON(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("duration_s", sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(["case_digest"], ["case_snapshot.digest"]),
    sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_episode_persona_id", "persona_id"),
    sa.Index("ix_episode_run_id", "run_id"),
    sa.Index("ix_episode_run_scenario", "run_id", "scenario_id"),
    sa.Index("ix_episode_scenario_id", "scenario_id"),
    sa.Index("ix_episode_status", "status"),
)

sa.Table(
    "run_claim", BASELINE,
    sa.Column("identity", sa.String(), nullable=False),
    sa.Column("run_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
    sa.PrimaryKeyConstraint("identity"),
)

sa.Table(
    "assessment", BASELINE,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("episode_id", sa.Integer(), nullable=False),
    sa.Column("assessor", sa.String(), nullable=False),
    sa.Column("correct", sa.Boolean(), nullable=False),
    sa.Column("verdict", sa.String(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("matched", sa.String(), nullable=True),
    sa.Column("score", sa.Float(), nullable=True),
    sa.Column("differential_rank", sa.Integer(), nullable=True),
    sa.Column("details", sa.JSON(), nullable=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_assessment_episode_id", "episode_id"),
)

sa.Table(
    "llm_call", BASELINE,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("episode_id", sa.Integer(), nullable=True),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("model", sa.String(), nullable=False),
    sa.Column("input_tokens", sa.Integer(), nullable=True),
    sa.Column("output_tokens", sa.Integer(), nullable=True),
    sa.Column("latency_ms", sa.Float(), nullable=True),
    sa.Column("cost_usd", sa.Float(), nullable=True),
    sa.Column("cache_hit", sa.Boolean(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("error", sa.String(), nullable=True),
    sa.Column("note", sa.String(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_llm_call_episode_id", "episode_id"),
)

sa.Table(
    "survey", BASELINE,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("episode_id", sa.Integer(), nullable=False),
    sa.Column("respondent", sa.String(), nullable=False),
    sa.Column("heuristic", sa.Boolean(), nullable=False),
    sa.Column("confidence", sa.Integer(), nullable=False),
    sa.Column("confidence_reason", sa.String(), nullable=False),
    sa.Column("adherence", sa.Integer(), nullable=False),
    sa.Column("adherence_reason", sa.String(), nullable=False),
    sa.Column("return_visit", sa.Integer(), nullable=False),
    sa.Column("return_visit_reason", sa.String(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_survey_episode_id", "episode_id"),
)

sa.Table(
    "turn", BASELINE,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("episode_id", sa.Integer(), nullable=False),
    sa.Column("index", sa.Integer(), nullable=False),
    sa.Column("speaker", sa.String(), nullable=False),
    sa.Column("text", sa.String(), nullable=False),
    sa.Column("action", sa.String(), nullable=True),
    sa.Column("action_detail", sa.JSON(), nullable=True),
    sa.Column("provenance", sa.String(), nullable=True),
    sa.Column("cost_usd", sa.Float(), nullable=False),
    sa.Column("latency_ms", sa.Float(), nullable=True),
    sa.Column("image_ids", sa.JSON(), nullable=False),
    sa.Column("note", sa.String(), nullable=True),
    sa.Column("redactions", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_turn_episode_index", "episode_id", "index", unique=True),
)

# Values for NOT NULL columns added to an adopted table's existing rows.
_DICT_COLUMNS = {"bindings", "config", "details", "data"}


def _filler(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.JSON):
        return sa.text("'{}'" if column.name in _DICT_COLUMNS else "'[]'")
    if isinstance(kind, sa.Boolean):
        return sa.false()
    if isinstance(kind, (sa.Integer, sa.Float)):
        return sa.text("0")
    if isinstance(kind, sa.DateTime):
        return sa.func.current_timestamp()
    return sa.text("''")


def _adopt(bind, table: sa.Table) -> None:
    inspector = sa.inspect(bind)
    have = {column["name"] for column in inspector.get_columns(table.name)}
    for column in table.columns:
        if column.name not in have:
            default = None if column.nullable else _filler(column)
            op.add_column(table.name, sa.Column(column.name, column.type, nullable=column.nullable,
                                                server_default=default))
    indexes = {index["name"] for index in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in indexes:
            op.create_index(index.name, table.name, [c.name for c in index.columns], unique=index.unique)


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for table in BASELINE.sorted_tables:
        if table.name in existing:
            _adopt(bind, table)
        else:
            table.create(bind)


def downgrade() -> None:
    for table in reversed(BASELINE.sorted_tables):
        op.drop_table(table.name)
