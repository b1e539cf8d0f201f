"""The recipients of a fiscal year: adopted target lists (planned) and linked agency lists
(realised), as one table of rows tied to programme and register person or family.

Which sources count (``docs/convergence.md``, "Sources"): the newest adoption of each
programme and year; every ledger of the year, except that of several ledgers of one
programme from the same file name or the same file content only the newest counts. A
review row counts once a reviewer decided it is one of its candidates, whenever that was.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

import ibis
import pyarrow as pa

from padu.linkage.ledger import BATCH, CANDIDATES, LEDGER
from padu.programmes.adopt import BATCH as PLANNED_BATCH_COLUMN
from padu.programmes.adopt import PLANNED, current_adoptions
from padu.stores import Catalog, Warehouse

Basis = Literal["planned", "realised", "both"]
BASES: tuple[str, ...] = ("planned", "realised", "both")
#: Row statuses of the recipients table: a recipient tied to the register, one not found
#: in it (an unmatched row), and a row still waiting for a reviewer.
RECIPIENT, NOT_FOUND, PENDING = "penerima", "tidak_ditemukan", "menunggu_tinjauan"
ROW_SCHEMA = {
    "basis": "string",
    "programme": "string",
    "src": "string",
    "row": "int64",
    "status": "string",
    "nik": "string",
    "kk": "string",
}


@dataclass(frozen=True)
class Source:
    """One adoption or ledger counted for a year."""

    basis: Literal["planned", "realised"]
    kind: Literal["adoption", "ledger"]
    id: int
    programme: str
    snapshot: int
    batch: str
    rows: int
    dibuat: dt.datetime
    pelaku: str
    off_reference: bool
    file: str | None = None
    replaced_by: int | None = None  # a newer ledger of the same file: this one does not count

    @property
    def counted(self) -> bool:
        return self.replaced_by is None

    @property
    def key(self) -> str:
        """The source's name in the recipients table (``adopsi:3``, ``ledger:5``)."""
        return f"{'adopsi' if self.kind == 'adoption' else 'ledger'}:{self.id}"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "basis": self.basis,
            "kind": self.kind,
            "id": self.id,
            "programme": self.programme,
            "snapshot": self.snapshot,
            "rows": self.rows,
            "off_reference": self.off_reference,
            "counted": self.counted,
            "dibuat": self.dibuat.isoformat(timespec="seconds"),
            "pelaku": self.pelaku,
        }
        if self.file is not None:
            out["file"] = self.file
        if self.replaced_by is not None:
            out["replaced_by"] = self.replaced_by
        return out


def year_sources(catalog: Catalog, year: int, basis: Basis = "both") -> list[Source]:
    """The adoptions and ledgers of ``year`` under ``basis``, by programme: the newest
    adoption of each programme, and every ledger, one that a newer link of the same file
    (same name or same content, compared with every newer ledger) replaces marked with
    ``replaced_by`` (it does not count)."""
    ref = catalog.reference(year)
    agreed = ref.snapshot_id if ref is not None else None
    out: list[Source] = []
    if basis in ("planned", "both"):
        newest = current_adoptions(catalog, year)
        out += [
            Source(
                "planned", "adoption", a.id, a.programme, a.snapshot_id, a.batch, a.selected,
                a.dibuat, a.pelaku, a.snapshot_id != agreed,
            )
            for a in newest.values()
        ]  # fmt: skip
    if basis in ("realised", "both"):
        newer: list[Any] = []
        for led in reversed(catalog.ledgers(year=year)):  # newest first
            by = next(
                (
                    n.id
                    for n in reversed(newer)  # the nearest newer link of the same file
                    if n.programme == led.programme
                    and (n.source_file == led.source_file or n.file_sha256 == led.file_sha256)
                ),
                None,
            )
            newer.append(led)
            out.append(
                Source(
                    "realised", "ledger", led.id, led.programme, led.snapshot_id, led.batch,
                    int(json.loads(led.counts).get("rows", 0)), led.dibuat, led.pelaku,
                    led.snapshot_id != agreed, led.source_file, by,
                )
            )  # fmt: skip
    return sorted(out, key=lambda s: (s.programme, s.basis, s.id))


def recipient_rows(wh: Warehouse, catalog: Catalog, sources: list[Source]) -> Any:
    """Every row of ``sources`` as (basis, programme, src, row, status, nik, kk).

    ``status`` is :data:`RECIPIENT` (nik/kk: the register person or family), NOT_FOUND (an
    unmatched row) or PENDING (a review row without a reviewer's "same").
    """
    parts: list[Any] = []
    planned = [s for s in sources if s.basis == "planned"]
    if planned and wh.has(PLANNED):
        t = wh.table(PLANNED)
        tag = _tags(planned)
        rows = t.join(tag, t[PLANNED_BATCH_COLUMN] == tag["_batch"])
        parts.append(
            rows.select(
                basis=rows["_basis"],
                programme=rows["programme"],
                src=rows["_src"],
                row=rows["peringkat"].cast("int64"),
                status=ibis.literal(RECIPIENT),
                nik=rows["nik"].cast("string"),
                kk=rows["kk"].cast("string"),
            )
        )
    realised = [s for s in sources if s.basis == "realised"]
    if realised and wh.has(LEDGER):
        t = wh.table(LEDGER)
        tag = _tags(realised)
        rows = t.join(tag, t[BATCH] == tag["_batch"])
        programme = rows["_programme"]
        decided = _decided(wh, catalog, realised)
        rows = rows.left_join(
            decided, [rows[BATCH] == decided["_dbatch"], rows["row"] == decided["_drow"]]
        )
        status = ibis.cases(
            (rows["status"] == "matched", RECIPIENT),
            (rows["status"] == "unmatched", NOT_FOUND),
            (rows["_drej"].fill_null(False), NOT_FOUND),
            (rows["_dnik"].notnull() | rows["_dkk"].notnull(), RECIPIENT),
            else_=PENDING,
        )
        matched = rows["status"] == "matched"
        parts.append(
            rows.select(
                basis=rows["_basis"],
                programme=programme,
                src=rows["_src"],
                row=rows["row"].cast("int64"),
                status=status,
                nik=ibis.ifelse(matched, rows["nik"], rows["_dnik"]).cast("string"),
                kk=ibis.ifelse(matched, rows["kk"], rows["_dkk"]).cast("string"),
            )
        )
    if not parts:
        types = {"string": pa.string(), "int64": pa.int64()}
        return ibis.memtable(pa.table({k: pa.array([], types[v]) for k, v in ROW_SCHEMA.items()}))
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p, distinct=False)
    return out


def _tags(sources: list[Source]) -> Any:
    """The sources as a small table: batch -> basis, programme, source key."""
    return ibis.memtable(
        pa.table(
            {
                "_batch": [s.batch for s in sources],
                "_basis": [s.basis for s in sources],
                "_programme": [s.programme for s in sources],
                "_src": [s.key for s in sources],
            }
        )
    )


def _decided(wh: Warehouse, catalog: Catalog, ledgers: list[Source]) -> Any:
    """The review rows of ``ledgers`` a reviewer decided: the person decided "same", or
    ``_drej`` when every candidate of the row was decided "different" (the row is then a
    recipient not found in the register, as a re-link would make it).

    The review queue is small (rows in review and their few candidates), so it is read
    and matched with the catalog's decisions here; of two "same" decisions for one row
    (two reviewers on two ledgers) the better-ranked candidate counts, as in a re-link.
    """
    batches = [s.batch for s in ledgers]
    t = wh.table(LEDGER)
    review = t.filter(t[BATCH].isin(batches) & (t["status"] == "review"))
    c = wh.table(CANDIDATES) if wh.has(CANDIDATES) else None
    rows = review.select(BATCH, "row", "row_key").to_pyarrow().to_pylist()
    found: dict[tuple[str, int], tuple[str | None, str | None, bool]] = {}
    if rows and c is not None:
        keys = {r["row_key"] for r in rows}
        said = {(d.row_key, d.person_key): d.decision for d in catalog.decisions(keys)}
        if said:
            cands = c.filter(c[BATCH].isin(batches))
            queue = review.select(_b=review[BATCH], _r=review["row"], row_key=review["row_key"])
            cands = cands.join(queue, [cands[BATCH] == queue["_b"], cands["row"] == queue["_r"]])
            listed = cands.select(BATCH, "row", "rank", "nik", "kk", "row_key").to_pyarrow()
            per_row: dict[tuple[str, int], list[tuple[str | None, str | None, str | None]]] = {}
            for cand in sorted(listed.to_pylist(), key=lambda x: x["rank"] or 0):
                person = f"{cand['nik'] or ''}|{cand['kk'] or ''}"
                decision = said.get((cand["row_key"], person))
                per_row.setdefault((cand[BATCH], int(cand["row"])), []).append(
                    (cand["nik"], cand["kk"], decision)
                )
            for key, cands_of_row in per_row.items():
                same = [(n, k) for n, k, d in cands_of_row if d == "same"]
                if same:
                    found[key] = (same[0][0], same[0][1], False)
                elif all(d == "different" for _, _, d in cands_of_row):
                    found[key] = (None, None, True)
    return ibis.memtable(
        pa.table(
            {
                "_dbatch": pa.array([k[0] for k in found], pa.string()),
                "_drow": pa.array([k[1] for k in found], pa.int64()),
                "_dnik": pa.array([v[0] for v in found.values()], pa.string()),
                "_dkk": pa.array([v[1] for v in found.values()], pa.string()),
                "_drej": pa.array([v[2] for v in found.values()], pa.bool_()),
            }
        )
    )
