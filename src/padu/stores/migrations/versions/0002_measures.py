"""User-defined measures, every version kept.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "measure_version",
        sa.Column("measure_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("measure_version")
