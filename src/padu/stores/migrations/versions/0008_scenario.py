"""Planning scenarios (issue 13), every version of their YAML text kept.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "skenario_versi",
        sa.Column("scenario_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("skenario_versi")
