"""Demo accounts (issue 14): ``make demo`` marks the accounts it makes with ``demo``.

A demo account has a password printed on the screen for anyone to read, so the web app
refuses it unless the server runs in demo mode (``padu serve --demo``). Every account made
before this revision is a real one (``demo`` false).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    with op.batch_alter_table("pengguna") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("pengguna") as batch:
        batch.drop_column("demo")
