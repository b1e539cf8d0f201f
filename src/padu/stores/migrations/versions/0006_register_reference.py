"""The agreed reference: which snapshot is a fiscal year's common data basis, with history.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "register_reference",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tahun", sa.Integer, nullable=False, index=True),
        sa.Column("snapshot_id", sa.Integer, nullable=False),
        sa.Column("alasan", sa.Text, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("register_reference")
