"""Snapshots, the BPS<->Kemendagri crosswalk and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch", sa.String(40), nullable=False, unique=True),
        sa.Column("tanggal", sa.Date, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("skema_wilayah", sa.String(20), nullable=False),
        sa.Column("keluarga", sa.Integer, nullable=False),
        sa.Column("individu", sa.Integer, nullable=False),
        sa.Column("temuan", sa.Integer, nullable=False),
        sa.Column("sumber", sa.JSON, nullable=False),
    )
    op.create_table(
        "wilayah_crosswalk",
        sa.Column("kode_bps", sa.String(20), primary_key=True),
        sa.Column("kode_kemendagri", sa.String(20), nullable=False),
        sa.Column("tingkat", sa.String(20), nullable=False),
        sa.Column("sumber", sa.String(300), nullable=False),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("waktu", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
        sa.Column("jenis", sa.String(60), nullable=False),
        sa.Column("rincian", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("wilayah_crosswalk")
    op.drop_table("snapshot")
