"""llm_call.sanitised: characters removed or replaced in a model's reply before it was used."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
additive = True


def upgrade() -> None:
    if "sanitised" in {column["name"] for column in sa.inspect(op.get_bind()).get_columns("llm_call")}:
        return  # a development build of 0.1 created it before this migration existed
    op.add_column("llm_call", sa.Column("sanitised", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("llm_call") as batch:
        batch.drop_column("sanitised")
