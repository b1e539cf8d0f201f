"""Adoptions: a drawn target list recorded as a programme's planned recipients for a year.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "adopsi",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch", sa.String(40), nullable=False, unique=True),
        sa.Column("programme", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("rule_version", sa.Integer, nullable=False),
        sa.Column("snapshot_id", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("eligible", sa.Integer, nullable=False),
        sa.Column("selected", sa.Integer, nullable=False),
        sa.Column("cost", sa.BigInteger, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("adopsi")
