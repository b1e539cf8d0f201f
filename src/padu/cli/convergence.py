"""``padu convergence`` and ``padu family``: the convergence views and the family card.

Registered on the main app by importing :mod:`padu.cli`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.table import Table

from padu.cli._common import BY, State, app, check_format, emit, out, state_of
from padu.fmt import angka, persen

BASIS_WORDS = {
    "planned": "rencana",
    "realised": "realisasi",
    "both": "rencana dan realisasi",
}


def _right(table: Table, first: int) -> None:
    """Right-align the figure columns from ``first`` on (counts line up on the last digit)."""
    for column in table.columns[first:]:
        column.justify = "right"


def _pct(x: float | None) -> str:
    return "-" if x is None else persen(100 * x, 1)


@app.command("convergence")
def convergence_command(
    ctx: typer.Context,
    snapshot: Annotated[
        str, typer.Option("--snapshot", help="Id/label snapshot, 'latest' atau 'acuan:TAHUN'.")
    ],
    year: Annotated[int, typer.Option("--year", help="Tahun anggaran.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Rinci per kabupaten, kecamatan atau desa.")
    ] = None,
    basis: Annotated[
        str, typer.Option("--basis", help="planned (rencana), realised (realisasi) atau both.")
    ] = "both",
    fmt: Annotated[str, typer.Option("--format", help="table, json atau xlsx.")] = "table",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Berkas keluaran (.json atau .xlsx).")
    ] = None,
    measure: Annotated[str, typer.Option("--measure", help="Ukuran deprivasi.")] = "padu-7",
    concentration: Annotated[
        int, typer.Option("--concentration", help="Keluarga dengan N program atau lebih.")
    ] = 4,
    all_cells: Annotated[
        bool,
        typer.Option("--all-cells", help="Buku kerja: tampilkan juga sel di bawah 5 keluarga."),
    ] = False,
) -> None:
    """Konvergensi: tumpang tindih, kesenjangan, kesalahan sasaran dan cakupan semua program."""
    from padu.services.convergence import (
        agency_names,
        convergence_report,
        write_convergence_file,
    )

    state = state_of(ctx)
    check_format(fmt, out_file, json_file=True)
    if fmt == "xlsx":
        by = by or "desa"
    with state.stores(read_only=True) as (wh, cat):
        report = convergence_report(
            wh, cat, snapshot, year, basis=basis, by=by, measure=measure,
            concentration=concentration,
        )  # fmt: skip
        agencies = agency_names(cat)
        if out_file is not None and fmt in ("xlsx", "json"):
            write_convergence_file(
                cat, report, out_file, "xlsx" if fmt == "xlsx" else "json",
                actor=state.actor(None), suppress_below=0 if all_cells else 5,
                agencies=agencies,
            )  # fmt: skip
    result = report.model_dump(mode="json")
    if state.json or (fmt == "json" and out_file is None):
        emit(State(state.settings, True), result)
        return
    if fmt == "json":
        out.print(f"-> {out_file}")
        return
    # with a workbook, the console gets the province summary: the regions are in the file
    out.print(convergence_tables(result, regions=fmt == "table", agencies=agencies))
    if out_file is not None:
        out.print(f"-> {out_file}")


def _agency(code: str | None, agencies: dict[str, str]) -> str:
    """An agency code with its name where the workshop gave one: ``PUPR: Dinas ...``."""
    if not code:
        return "-"
    name = agencies.get(code)
    return f"{code}: {name}" if name and name != code else code


def _agency_legend(codes: list[str], agencies: dict[str, str]) -> str | None:
    """One line naming the agencies whose codes a wide table shows."""
    named = [f"{c} = {agencies[c]}" for c in dict.fromkeys(codes) if c in agencies]
    return ("Instansi: " + "; ".join(named) + ".") if named else None


def convergence_tables(
    result: dict[str, Any], *, regions: bool = True, agencies: dict[str, str] | None = None
) -> Group:
    """The summary an analyst reads: warnings, overlap, gaps, programmes, regions."""
    agencies = agencies or {}
    parts: list[Any] = []
    labels: dict[str, str] = result["dimension_labels"]
    snap = result["snapshot"]
    head = (
        f"Konvergensi tahun {result['year']}: snapshot {snap['id']} ({snap['label']}"
        f"{', acuan' if snap['reference'] else ', bukan acuan'}), dasar "
        f"{BASIS_WORDS[result['basis']]}, ukuran {result['measure']}, "
        f"{angka(result['families'])} keluarga"
    )
    parts.append(head)
    for w in result["warnings"]:
        parts.append(f"[yellow]Perhatian:[/yellow] {w}")
    ov = result["overlap"]
    t = Table("tumpang tindih", "keluarga", title="Tumpang tindih")
    _right(t, 1)
    t.add_row(
        "dua program atau lebih untuk dimensi yang sama", angka(ov["same_dimension_families"])
    )
    for d, n in ov["by_dimension"].items():
        t.add_row(f"  dimensi {labels.get(d, d)}", angka(n))
    t.add_row("program yang sama dua kali", angka(ov["same_programme_families"]))
    t.add_row("pasangan program yang saling melengkapi", angka(ov["complementary_families"]))
    conc = ov["concentration"]
    t.add_row(f"{conc['threshold']} program atau lebih", angka(conc["families"]))
    parts.append(t)
    if ov["by_agency_pair"]:
        t = Table(
            "instansi", "instansi", "keluarga bersama", title="Keluarga yang dijangkau dua instansi"
        )
        _right(t, 2)
        for p in ov["by_agency_pair"][:15]:
            t.add_row(
                _agency(p["agencies"][0], agencies),
                _agency(p["agencies"][1], agencies),
                angka(p["families"]),
            )
        parts.append(t)
    t = Table(
        "dimensi", "terdeprivasi", "terjangkau", "tidak terjangkau", "% tidak terjangkau",
        title="Kesenjangan: keluarga terdeprivasi yang tidak dijangkau program dimensinya",
    )  # fmt: skip
    _right(t, 1)
    for d, g in result["gaps"].items():
        t.add_row(
            labels.get(d, d),
            angka(g["deprived"]),
            angka(g["reached"]),
            angka(g["unreached"]),
            _pct(g["unreached"] / g["deprived"] if g["deprived"] else None),
        )
    poor = result["poor"]
    t.add_row(
        "miskin multidimensi (semua program)",
        angka(poor["poor"]),
        angka(poor["reached"]),
        angka(poor["unreached"]),
        _pct(poor["unreached"] / poor["poor"] if poor["poor"] else None),
    )
    parts.append(t)
    if result["programmes"]:
        t = Table(
            "program", "instansi", "penerima", "salah masuk", "memenuhi syarat", "cakupan",
            "salah keluar", "prioritas dilompati", "cakupan terdeprivasi", "menunggu tinjauan",
            title="Kesalahan sasaran dan cakupan per program",
        )  # fmt: skip
        for code, p in result["programmes"].items():
            t.add_row(
                code,
                p["agency"],
                angka(p["recipients"]),
                _pct(p["inclusion_error"]),
                angka(p["eligible"]),
                _pct(p["coverage"]),
                _pct(p["exclusion_error"]),
                angka(p["priority_skipped"]),
                _pct(p["deprived_coverage"]),
                angka(p["pending_review"]),
            )
        _right(t, 2)
        parts.append(t)
        legend = _agency_legend([p["agency"] for p in result["programmes"].values()], agencies)
        if legend:
            parts.append(legend)
    if result["programmes_without_list"]:
        parts.append(
            f"Program tahun {result['year']} tanpa daftar: "
            + ", ".join(result["programmes_without_list"])
        )
    if regions and result.get("regions"):
        dims = list(result["gaps"])
        t = Table(
            "wilayah", "keluarga", "dimensi sama", "program sama 2x", "miskin tak terjangkau",
            *[f"{labels.get(d, d)} tak terjangkau" for d in dims],
            title=f"Per {result['by']}",
        )  # fmt: skip
        t.columns[0].no_wrap = True  # a desa code cut short names no desa
        _right(t, 1)
        for r in result["regions"]:
            t.add_row(
                f"{r['kode']} {r['nama']}",
                angka(r["families"]),
                angka(r["overlap"]["same_dimension_families"]),
                angka(r["overlap"]["same_programme_families"]),
                angka(r["poor"]["unreached"]),
                *[angka(r["gaps"][d]["unreached"]) for d in dims],
            )
        parts.append(t)
    return Group(*parts)


@app.command("family")
def family_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KK_ATAU_NIK", help="No. KK atau NIK (16 angka).")],
    year: Annotated[int, typer.Option("--year", help="Tahun anggaran.")],
    snapshot: Annotated[
        str, typer.Option("--snapshot", help="Snapshot (bawaan: acuan tahun itu, atau latest).")
    ] = "",
    by: BY = None,
) -> None:
    """Kartu keluarga: anggota, desil, deprivasi, dan setiap program yang direncanakan atau
    diterima (data pribadi: tercatat di log audit)."""
    from padu.convergence.family import family_card
    from padu.services.convergence import agency_names

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        card = family_card(wh, cat, key, year, snapshot=snapshot or None, actor=state.actor(by))
        agencies = agency_names(cat)
    emit(state, card, family_tables(card, agencies))


def family_tables(card: dict[str, Any], agencies: dict[str, str] | None = None) -> Group:
    """The card in words: the family, its members, deprivations and programmes."""
    from padu.fmt import tanggal

    snap = card["snapshot"]
    f = {k: ("-" if v is None or v == "" else v) for k, v in card["family"].items()}
    head = (
        f"Keluarga {f['kk']} ({f['kepala']}), {f['alamat']}, {f['desa']}, {f['kecamatan']}, "
        f"{f['kabupaten']}: desil nasional {f['desil']}"
        f"{', miskin multidimensi' if card['family']['poor'] else ''}. Snapshot {snap['id']} "
        f"({snap['label']}{', acuan' if snap['reference'] else ', bukan acuan'})."
    )
    members = Table("NIK", "nama", "jenis kelamin", "tanggal lahir", "hubungan", title="Anggota")
    for m in card["members"]:
        born = tanggal(dt.date.fromisoformat(m["tanggal_lahir"])) if m["tanggal_lahir"] else "-"
        members.add_row(m["nik"] or "-", m["nama"] or "-", m["jenis_kelamin"] or "-", born,
                        m["hubungan"] or "-")  # fmt: skip
    deprived = [d["label"] for d in card["deprivations"] if d["deprived"]]
    unknown = [d["label"] for d in card["deprivations"] if d["deprived"] is None]
    lines = [f"Deprivasi ({card['measure']}): " + ("; ".join(deprived) or "tidak ada")]
    if unknown:
        lines.append("Tidak dapat dinilai (data kosong): " + "; ".join(unknown))
    progs = Table(
        "program", "instansi", "dasar", "status", "anggota", "sumber", "nama program",
        title=f"Program tahun {card['year']}",
    )  # fmt: skip
    for r in card["programmes"]:
        progs.add_row(
            r["programme"],
            r["agency"] or "-",
            BASIS_WORDS[r["basis"]],
            r["status"],
            r["member"] or ("seluruh keluarga" if r["nik"] is None else r["nik"]),
            r["source"] + (" [bukan acuan]" if r["off_reference"] else ""),
            r["name"] or "-",
        )
    tail: list[Any] = [progs] if card["programmes"] else []
    legend = _agency_legend([r["agency"] for r in card["programmes"] if r["agency"]],
                            agencies or {})  # fmt: skip
    if legend:
        tail.append(legend)
    if not card["programmes"]:
        tail.append(f"Belum ada program yang direncanakan atau diterima tahun {card['year']}.")
    if card["eligible_not_received"]:
        tail.append(
            "Memenuhi syarat tetapi belum direncanakan maupun diterima: "
            + ", ".join(card["eligible_not_received"])
        )
    if card["received_not_eligible"]:
        tail.append(
            "Menerima (realisasi) tetapi tidak memenuhi syarat aturan programnya: "
            + ", ".join(card["received_not_eligible"])
        )
    return Group(head, members, *lines, *tail)
