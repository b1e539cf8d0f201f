"""Multidimensional poverty: the Alkire-Foster measure computed inside the warehouse engine."""

from padu.measure.af import (
    AFResult,
    Dimension,
    GroupResult,
    alkire_foster,
    parse_fraction,
    score_distribution,
)

__all__ = [
    "AFResult",
    "Dimension",
    "GroupResult",
    "alkire_foster",
    "parse_fraction",
    "score_distribution",
]
