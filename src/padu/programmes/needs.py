"""Data needs ("identifikasi kebutuhan data sasaran"): what each programme must read, and
whether the register holds it well enough, where.

For every programme: the register fields its rules read (from the AST) plus those it
declares; for every such field its completeness and validity in a snapshot, overall and by
region; the regions where a programme cannot target reliably (a needed field under the
completeness threshold); and the families left undecidable (the rule is unknown because a
needed field is blank). The agency x field matrix and a workbook with one sheet per agency
are what an agency takes out of the workshop.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis

from padu.programmes.model import Programme
from padu.regions import REGION_COLUMNS, Regions, kaltara
from padu.register.quality import quality_report
from padu.register.snapshots import snapshot_table
from padu.rules import compile_member_rule, compile_rule, member_condition
from padu.rules.compiler import evaluate, unknown
from padu.schema import EXPECTED_FIELDS, register_schema
from padu.stores import Catalog, Warehouse

RELIABLE = 95.0  # % completeness a needed field must reach in a region
#: Family items the questionnaire's skip rules leave blank for some families (data/dtsen/README).
SKIP_RULED_FAMILY_FIELDS = frozenset(
    # asked only where it applies: a blank is "no toilet / no PLN meter", not missing data
    {"jenis_kloset", "pembuangan_akhir_tinja", "daya_terpasang", "id_pelanggan_pln"}
)


def _always_applicable(field: str) -> bool:
    """A field every record should carry: only such blanks make targeting unreliable."""
    level, name = field.split(".", 1)
    if level == "keluarga":
        return name not in SKIP_RULED_FAMILY_FIELDS
    return name in EXPECTED_FIELDS["individu"]


def programme_fields(p: Programme) -> list[str]:
    """``level.field`` names a programme needs: read by its rules (the cost components'
    member rules too: a blank there misprices a family), or declared."""
    fields = {f"{lv}.{n}" for lv, n in compile_rule(p.rule).fields}
    member_rules = [p.member_rule] if p.member_rule else []
    member_rules += [c.member_rule for c in p.cost_components]
    for rule in member_rules:
        fields |= {f"{lv}.{n}" for lv, n in compile_member_rule(rule).fields}
    kel = set(register_schema().names("keluarga"))
    fields |= {f"{'keluarga' if f in kel else 'individu'}.{f}" for f in p.data_needs}
    return sorted(fields)


def _validity(
    wh: Warehouse, catalog: Catalog, snapshot: int, completeness: dict[str, Any]
) -> dict[str, float]:
    """% of filled values that are valid (codes in their list, flags Ya/Tidak)."""
    tem = snapshot_table(wh, catalog, snapshot, "temuan")
    bad = (
        tem.filter(tem.kode == "kode_tidak_dikenal")
        .group_by("tingkat", "kolom")
        .aggregate(n=ibis._.count())
    )
    counts = {f"{r['tingkat']}.{r['kolom']}": r["n"] for r in bad.to_pyarrow().to_pylist()}
    out = {}
    for name, c in completeness.items():
        filled = c["terisi"] + (counts.get(name, 0) if name.split(".")[1] in _flag_fields() else 0)
        out[name] = round(100.0 * (1 - counts.get(name, 0) / filled), 2) if filled else 0.0
    return out


def _flag_fields() -> set[str]:
    return {f.name for f in register_schema().fields if f.type == "boolean"}


def _undecidable_members(programme: Programme, ind: Any, as_of: Any) -> int:
    """Members a person programme's member rule cannot decide (a blank it reads)."""
    if programme.unit != "individu" or not programme.member_rule:
        return 0
    cond = member_condition(compile_member_rule(programme.member_rule), ind, as_of)
    return int(ind.filter(unknown(cond)).count().to_pyarrow().as_py())


def data_needs(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    programmes: Sequence[Programme],
    by: str = "kabupaten",
) -> dict[str, Any]:
    """Needs, completeness, validity, unreliable regions and undecidable families."""
    snap = catalog.snapshot(snapshot)
    quality = quality_report(wh, catalog, snap.id, by=by)
    completeness = quality["completeness"]
    by_region = quality["completeness_by_region"]
    validity = _validity(wh, catalog, snap.id, completeness)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    rules = {p.code: compile_rule(p.rule) for p in programmes}
    table, exprs = evaluate(rules, kel, ind, snap.tanggal)
    region_col = REGION_COLUMNS.get(by, by)
    # unknown: a needed value is blank, a member's value leaves an aggregate open, or the
    # arithmetic faults (division by zero, overflow); see docs/measures.md "Data hilang"
    metrics = {code: ibis.cases((unknown(e), 1), else_=0).sum() for code, e in exprs.items()}
    undecided = table.group_by(_wil=table[region_col]).aggregate(**metrics).to_pyarrow().to_pylist()
    regions = kaltara()
    out_programmes = []
    needed: set[str] = set()
    for p in programmes:
        fields = programme_fields(p)
        needed |= set(fields)
        per_region = {r["_wil"]: int(r[p.code] or 0) for r in undecided}
        # blanks behind a questionnaire skip rule are expected, so only fields every record
        # should carry decide whether a programme can target reliably somewhere
        decisive = [f for f in fields if _always_applicable(f)]
        weak = sorted(
            {
                region
                for region, values in by_region.items()
                for f in decisive
                if values.get(f, 100.0) < RELIABLE
            }
        )
        out_programmes.append(
            {
                "code": p.code,
                "name": p.name,
                "agency": p.agency,
                "fields": fields,
                "undecidable": sum(per_region.values()),
                "undecidable_by_region": per_region,
                "undecidable_members": _undecidable_members(p, ind, snap.tanggal),
                "unreliable_regions": [{"kode": w, "nama": _name(regions, w)} for w in weak],
            }
        )
    matrix: dict[str, dict[str, int]] = {}
    for p in programmes:
        row = matrix.setdefault(p.agency, {})
        for f in programme_fields(p):
            row[f] = row.get(f, 0) + 1
    return {
        "snapshot": snap.id,
        "by": by,
        "threshold_percent": RELIABLE,
        "programmes": out_programmes,
        "fields": {
            f: {
                "completeness": completeness[f]["persen"],
                "validity": validity.get(f, 0.0),
                "by_region": {
                    region: values.get(f) for region, values in sorted(by_region.items())
                },
            }
            for f in sorted(needed)
        },
        "matrix": matrix,
    }


def _name(regions: Regions, code: str) -> str:
    region = regions.find(code)
    return region.nama if region else code


def write_workbook(needs: dict[str, Any], path: Path) -> None:
    """One sheet per agency: its programmes, the fields they need, and how good they are."""
    import xlsxwriter

    regions = kaltara()
    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    warn = book.add_format({"bg_color": "#F8CBAD"})
    region_codes = sorted({r for f in needs["fields"].values() for r in f["by_region"]})
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for p in needs["programmes"]:
        by_agency.setdefault(p["agency"], []).append(p)
    for agency, progs in sorted(by_agency.items()):
        ws = book.add_worksheet(agency[:31])
        header = ["Program", "Kolom yang dibutuhkan", "Kelengkapan (%)", "Validitas (%)"]
        header += [f"Lengkap % {_name(regions, r)}" for r in region_codes]
        header += ["Keluarga tak terputuskan"]
        for c, h in enumerate(header):
            ws.write_string(0, c, h, head)
        row = 1
        for p in progs:
            for f in p["fields"]:
                info = needs["fields"][f]
                values = [p["code"], f, info["completeness"], info["validity"]]
                values += [info["by_region"].get(r) for r in region_codes]
                values += [p["undecidable"]]
                for c, v in enumerate(values):
                    fmt = warn if isinstance(v, float) and v < needs["threshold_percent"] else None
                    if v is None:
                        continue
                    if isinstance(v, str):
                        ws.write_string(row, c, v)
                    else:
                        ws.write_number(row, c, v, fmt)
                row += 1
        ws.freeze_panes(1, 2)
        ws.autofilter(0, 0, max(row - 1, 1), len(header) - 1)
        ws.set_column(0, 1, 30)
    book.close()
