"""Convergence: who receives what across every agency, on one register.

Planned recipients (adopted target lists) and realised ones (linked agency lists) of a
fiscal year, tied to register families, give the overlap, gap, targeting-error and coverage
views of :func:`convergence` and the family card of :func:`family_card`. The definitions
are in ``docs/convergence.md``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["convergence", "family_card"]


def __getattr__(name: str) -> Any:
    if name == "convergence":
        from padu.convergence.views import convergence

        return convergence
    if name == "family_card":
        from padu.convergence.family import family_card

        return family_card
    raise AttributeError(name)
