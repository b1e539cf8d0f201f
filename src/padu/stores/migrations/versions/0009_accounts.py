"""Accounts and API tokens (issue 14): who may sign in, in which role, and the SHA-256 of
each API token (never the token).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "pengguna",
        sa.Column("username", sa.String(40), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("agency", sa.String(60), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("sandi_diubah", sa.DateTime, nullable=False),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )
    op.create_table(
        "token_api",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(40), sa.ForeignKey("pengguna.username"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("dibuat", sa.DateTime, nullable=False),
        sa.Column("terakhir_dipakai", sa.DateTime, nullable=True),
        sa.Column("dicabut", sa.DateTime, nullable=True),
        sa.Column("pelaku", sa.String(100), nullable=False),
    )
    op.create_index("ix_token_api_username", "token_api", ["username"])


def downgrade() -> None:
    op.drop_table("token_api")
    op.drop_table("pengguna")
