"""Linkage: column mappings per agency, review decisions, register u per snapshot, ledgers.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "link_mapping",
        sa.Column("agency", sa.String(60), primary_key=True),
        sa.Column("mapping", sa.Text, nullable=False),
        sa.Column("disimpan", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )
    op.create_table(
        "link_decision",
        sa.Column("row_key", sa.String(64), primary_key=True),
        sa.Column("person_key", sa.String(40), primary_key=True),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("programme", sa.String(60), nullable=False),
        sa.Column("source_file", sa.String(300), nullable=False),
        sa.Column("diputuskan", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )
    op.create_table(
        "link_model",
        sa.Column("snapshot_id", sa.Integer, primary_key=True),
        sa.Column("comparisons", sa.Text, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch", sa.String(40), nullable=False, unique=True),
        sa.Column("programme", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("source_file", sa.String(300), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("snapshot_id", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger")
    op.drop_table("link_model")
    op.drop_table("link_decision")
    op.drop_table("link_mapping")
