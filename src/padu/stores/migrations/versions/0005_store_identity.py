"""Store identity shared with the warehouse, and pending/committed warehouse batches.

Existing snapshots and ledgers are recorded as committed batches, so the batch table
describes every visible batch from the start. No identity is created here: that happens
when :func:`padu.stores.open_stores` first pairs the catalog with its warehouse.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "store_identity",
        sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
    )
    op.create_table(
        "batch",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("dimulai", sa.DateTime, nullable=False),
        sa.Column("selesai", sa.DateTime, nullable=True),
    )
    op.create_index("ix_batch_kind_state", "batch", ["kind", "state"])
    cols = ["id", "kind", "state", "pelaku", "pid", "host", "dimulai", "selesai"]
    batch = sa.table("batch", *(sa.column(c) for c in cols))
    for kind, table in (("snapshot", "snapshot"), ("ledger", "ledger")):
        op.execute(
            batch.insert().from_select(
                cols,
                sa.select(
                    sa.column("batch"),
                    sa.literal(kind),
                    sa.literal("committed"),
                    sa.literal("migrasi"),
                    sa.literal(0),
                    sa.literal(""),
                    sa.column("dibuat"),
                    sa.column("dibuat"),
                ).select_from(sa.table(table)),
            )
        )


def downgrade() -> None:
    op.drop_index("ix_batch_kind_state", "batch")
    op.drop_table("batch")
    op.drop_table("store_identity")
