"""``padu mpi`` subcommands beyond the main table (registered by :mod:`padu.cli` at its end)."""

from __future__ import annotations
