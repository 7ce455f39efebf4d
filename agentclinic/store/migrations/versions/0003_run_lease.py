"""run_lease: which live process executes a run (or one shard of it), kept fresh by a heartbeat."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
additive = True


def upgrade() -> None:
    op.create_table(
        "run_lease",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("shard", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
        sa.PrimaryKeyConstraint("run_id", "shard"),
    )


def downgrade() -> None:
    op.drop_table("run_lease")
