"""Doctor tools: episode.doctor_tools, one row per tool use, and the notebook's versions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
additive = True


def upgrade() -> None:
    op.add_column("episode", sa.Column("doctor_tools", sa.String(), nullable=True))
    op.create_index("ix_episode_doctor_tools", "episode", ["doctor_tools"])
    op.create_table(
        "doctor_tool_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("tool", sa.String(), nullable=False),
        sa.Column("input", sa.String(), nullable=False),
        sa.Column("output", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_doctor_tool_call_episode_id", "episode_id"),
    )
    op.create_table(
        "doctor_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_doctor_note_chain", "run_id", "chain", "position", unique=True),
        sa.Index("ix_doctor_note_episode_id", "episode_id"),
    )


def downgrade() -> None:
    op.drop_table("doctor_note")
    op.drop_table("doctor_tool_call")
    op.drop_index("ix_episode_doctor_tools", "episode")
    with op.batch_alter_table("episode") as batch:
        batch.drop_column("doctor_tools")
