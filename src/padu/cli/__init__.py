"""The ``padu`` command line: thin commands, each calling one service function.

One module per domain registers its commands on :data:`app` (``padu.cli._common``) when it is
imported; the order of the imports below is the order of ``padu --help``. :func:`main` runs a
command and maps every failure to one message and an exit code (see ``_common``).
"""

from __future__ import annotations

# isort: off
from padu.cli import register, regions, synth, programmes, measure, linkage  # noqa: F401
from padu.cli import convergence, plan, serve, user  # noqa: F401

# isort: on
from padu.cli._common import app, main

__all__ = ["app", "main"]
