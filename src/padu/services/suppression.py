"""One small-cell protection for every regional figure a viewer may read.

The API (``/api/v1/mpi``), Beranda and Kemiskinan show the same regions' counts; a viewer
who reads all three may subtract any shown figure from any other. So one function decides
what is hidden (:func:`hide_children`, over the children of one parent, seeded with what
is hidden in the parent), and all three ask it, with the same counts, top-down from the
province. What it guards against, for a region of ``families = counted + missing``:

- a count of 1 to 4 families (primary suppression, :data:`padu.access.MIN_CELL`);
- a parent's total minus its shown children (complementary suppression among siblings,
  :func:`padu.access.protect`), for families, counted, missing, poor and each indicator's
  deprived and censored counts; when the parent's own count is hidden, at least one
  non-zero child is hidden as well, so the parent cannot be summed back from its children;
- ``families = counted + missing``: families are always shown (Beranda's desil table adds
  up to them), so a hidden missing count hides counted, and the reverse, with every share
  over counted (H, M0, deprivation rates);
- ``A * q * scale = sum of weight x censored count``: a region with any censored count
  hidden hides A, M0 and the contributions, which would give the sum back.

Hidden figures are ``None`` in every model built from these flags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from padu.access import MIN_CELL, protect


@dataclass(frozen=True)
class AreaCounts:
    """The additive counts of one region that suppression looks at."""

    families: int
    n: int  # units counted (every indicator known)
    q: int  # of which poor
    missing: int  # units with incomplete data
    deprived: tuple[int, ...]  # per indicator, poor or not
    censored: tuple[int, ...]  # per indicator, poor and deprived


@dataclass(frozen=True)
class Hidden:
    """What one region may not show a viewer."""

    whole: bool = False  # every figure but a zero family count
    counted: bool = False  # counted and missing, H, M0 and every share over counted
    poor: bool = False  # the poor count with H, A, M0 and every censored figure
    deprived: frozenset[int] = frozenset()  # indicators whose deprived count is hidden
    censored: frozenset[int] = frozenset()  # indicators whose censored count is hidden

    @property
    def shares(self) -> bool:
        """Whether shares over the counted units (H, M0, rates) are hidden."""
        return self.whole or self.counted

    @property
    def ratio(self) -> bool:
        """Whether A, M0 and the contributions are hidden (they give back the weighted sum
        of censored counts, so one hidden censored count could be solved for)."""
        return self.whole or self.poor or bool(self.censored)

    def deprived_hidden(self, i: int) -> bool:
        return self.whole or i in self.deprived

    def censored_hidden(self, i: int) -> bool:
        return self.whole or self.poor or i in self.censored


SHOWN = Hidden()


def _small(x: int) -> bool:
    return 0 < x < MIN_CELL


def _group(counts: dict[str, int], hidden: set[str], parent_hidden: bool) -> set[str]:
    """:func:`protect` among siblings; when the parent's count is hidden too, at least one
    non-zero child hidden (else the children would add up to the parent)."""
    out = protect(counts, hidden)
    if parent_hidden and not any(counts[k] > 0 for k in out):
        nonzero = [k for k, v in counts.items() if v > 0]
        if nonzero:
            out = protect(counts, out | {min(nonzero, key=lambda k: (counts[k], k))})
    return out


def hide_children(children: Mapping[str, AreaCounts], parent: Hidden) -> dict[str, Hidden]:
    """What each of one parent's children hides, given what the parent hides (the one rule
    the API, Beranda and Kemiskinan share; see the module doc)."""
    if not children:
        return {}
    width = len(next(iter(children.values())).deprived)
    whole = _group({c: a.families for c, a in children.items()}, set(), parent.whole)
    counted = set(whole)
    while True:  # counted and missing hide together (families = counted + missing)
        before = len(counted)
        counted = _group({c: a.missing for c, a in children.items()}, counted, parent.counted)
        counted = _group({c: a.n for c, a in children.items()}, counted, parent.counted)
        if len(counted) == before:
            break
    poor = _group({c: a.q for c, a in children.items()}, set(whole), parent.poor)
    dep: dict[str, set[int]] = {c: set() for c in children}
    cen: dict[str, set[int]] = {c: set() for c in children}
    for i in range(width):
        values = {c: a.deprived[i] for c, a in children.items()}
        for c in _group(values, set(whole), parent.deprived_hidden(i)):
            dep[c].add(i)
        values = {c: a.censored[i] for c, a in children.items()}
        for c in _group(values, whole | poor, parent.censored_hidden(i)):
            cen[c].add(i)
    return {
        c: Hidden(
            whole=c in whole,
            counted=c in counted,
            poor=c in poor,
            deprived=frozenset(dep[c]),
            censored=frozenset(cen[c]),
        )
        for c in children
    }


def hide_root(a: AreaCounts) -> Hidden:
    """What the province (no siblings, no parent) hides: its own small counts."""
    width = len(a.deprived)
    return Hidden(
        whole=_small(a.families),
        counted=_small(a.n) or _small(a.missing),
        poor=_small(a.q),
        deprived=frozenset(i for i in range(width) if _small(a.deprived[i])),
        censored=frozenset(i for i in range(width) if _small(a.censored[i])),
    )


def hide_levels(
    root: AreaCounts, levels: Sequence[Mapping[str, Mapping[str, AreaCounts]]]
) -> dict[str, Hidden]:
    """What every region of a tree hides, top-down: ``levels[0]`` maps the root (key ``""``)
    to its children, each later level maps a region of the level above to its children."""
    out: dict[str, Hidden] = {"": hide_root(root)}
    for level in levels:
        for parent, children in level.items():
            out.update(hide_children(children, out.get(parent, SHOWN)))
    return out


def add(counts: list[AreaCounts], width: int) -> AreaCounts:
    """The counts of a parent made of ``counts``."""
    return AreaCounts(
        families=sum(a.families for a in counts),
        n=sum(a.n for a in counts),
        q=sum(a.q for a in counts),
        missing=sum(a.missing for a in counts),
        deprived=tuple(sum(a.deprived[i] for a in counts) for i in range(width)),
        censored=tuple(sum(a.censored[i] for a in counts) for i in range(width)),
    )
