"""The synthetic-data service: a synthetic DTSEN register, and agency lists from a snapshot.

``padu synth`` and ``padu synth list`` call these functions. A synthetic register holds no
real person (nothing is recorded); an agency list drawn from a snapshot carries real names
and NIKs, so it is written whole or not at all and recorded as an ``agency_list``
personal-data export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from padu.errors import InputError
from padu.files import check_output_folder
from padu.stores import Catalog, Warehouse


class SyntheticRegisterOutcome(BaseModel):
    """``padu synth``: the register written, its size, and its deliberate problems."""

    out: str
    families: int
    individuals: int
    problems: dict[str, int]  # kind of planted problem -> how many (ground_truth.json)
    files: list[str]


def synthesize_register(
    out: Path,
    *,
    scale: float = 1.0,
    seed: int = 1,
    xlsx: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> SyntheticRegisterOutcome:
    """Generate the synthetic Kaltara register at ``scale`` (1 = the Dukcapil population of
    December 2024) into the folder ``out`` (CSV, Parquet, ground_truth.json, XLSX when small
    or asked); the same seed gives the same files. The folder appears whole or not at all."""
    from padu.synth.generator import synthesize_to

    if scale <= 0:
        raise InputError(f"skala penduduk harus lebih dari 0, bukan {scale}")
    check_output_folder(out)
    if progress is not None:
        progress("membangkitkan dan menulis register sintetis")
    truth = synthesize_to(out, scale=scale, seed=seed, xlsx=xlsx)
    return SyntheticRegisterOutcome(
        out=str(out), families=truth["families"], individuals=truth["individuals"],
        problems=truth["problem_counts"], files=sorted(str(p) for p in out.iterdir()),
    )  # fmt: skip


class AgencyListOutcome(BaseModel):
    """``padu synth list``: the list and its answer key, and what went into it. The fields
    from ``programme`` on are there only for a programme's list of realised recipients."""

    out: str
    truth: str  # the answer key beside the list (``NAME.truth.json``)
    snapshot: int
    rows: int
    not_in_register: int
    noise: dict[str, int]  # kind of noise -> rows
    programme: str | None = None
    draws: dict[str, int] | None = None  # kind of draw -> rows
    wanted: dict[str, int] | None = None  # kind of draw -> distinct rows asked
    pools: dict[str, int] | None = None  # kind of draw -> register units there were
    warnings: list[str] | None = None

    @model_serializer(mode="wrap")
    def _only_for_a_programme(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.programme is None:
            for key in ("programme", "draws", "wanted", "pools", "warnings"):
                data.pop(key, None)
        return data


def draw_agency_list(
    wh: Warehouse,
    catalog: Catalog,
    ref: str | int,
    out: Path,
    *,
    size: int = 1000,
    seed: int = 1,
    programme: str | None = None,
    actor: str,
) -> AgencyListOutcome:
    """A noisy list of ``size`` people drawn from snapshot ``ref``, as an agency would send
    one, written to ``out`` (.xlsx or .csv) with its answer key beside it. With
    ``programme`` (a code), the list stands for that programme's realised recipients: mostly
    from its target list, some eligible outside it, some ineligible, some not in the
    register. Recorded as an ``agency_list`` personal-data export by ``actor``."""
    from padu.synth.agency_list import agency_list_from_snapshot

    if size < 1:
        raise InputError(f"jumlah baris daftar harus paling sedikit 1, bukan {size}")
    snap, lst, truth = agency_list_from_snapshot(
        wh, catalog, str(ref), out, size=size, seed=seed, actor=actor, programme=programme
    )
    return AgencyListOutcome.model_validate(
        {"out": str(out), "truth": str(truth), "snapshot": snap.id, **lst.summary()}
    )
