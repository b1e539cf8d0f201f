"""Vectorised drawing helpers shared by the family and member generators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl


def categorical(rng: np.random.Generator, probs: np.ndarray, codes: Sequence[str]) -> np.ndarray:
    """One code per row, row ``i`` drawn from the distribution ``probs[i]`` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(probs))[:, None]
    idx = (u > cum).sum(axis=1)
    out: np.ndarray = np.asarray(codes, dtype=object)[idx]
    return out


def mix(weights: Mapping[str, float]) -> np.ndarray:
    """A probability vector from code -> weight (normalised)."""
    v = np.array(list(weights.values()), dtype=float)
    out: np.ndarray = v / v.sum()
    return out


def by_quantile(
    score: np.ndarray,
    groups: np.ndarray,
    shares: Mapping[str, Sequence[float]],
    codes: Sequence[str],
) -> np.ndarray:
    """Assign ordered codes (worst first) so that each group gets exactly its target shares.

    Rows are ranked by ``score`` within their group; the lowest ``shares[g][0]`` get
    ``codes[0]`` and so on. This hits published margins while keeping the code correlated
    with welfare.
    """
    pct = (
        pl.DataFrame({"s": score, "g": groups})
        .select(((pl.col("s").rank("ordinal").over("g") - 0.5) / pl.len().over("g")).alias("p"))
        .get_column("p")
        .to_numpy()
    )
    out = np.empty(len(score), dtype=object)
    for g, sh in shares.items():
        mask = groups == g
        cum = np.cumsum(np.asarray(sh, dtype=float) / np.sum(sh))
        idx = np.minimum(np.searchsorted(cum, pct[mask], side="right"), len(codes) - 1)
        out[mask] = np.asarray(codes, dtype=object)[idx]
    return out


def sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def only_where(cond: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``cond`` holds, None elsewhere (a skipped questionnaire item)."""
    out = np.full(len(cond), None, dtype=object)
    out[cond] = np.asarray(values, dtype=object)[cond]
    return out
