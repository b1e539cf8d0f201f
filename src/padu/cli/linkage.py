"""``padu link`` and ``padu review``: agency lists linked to the register, and their review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from padu.cli._common import (
    BY,
    agree_words,
    app,
    command_group,
    emit,
    existing_file,
    out,
    progress,
    right_align,
    state_of,
)
from padu.errors import ImportRejected, Problem, UsageError
from padu.files import check_output_file
from padu.fmt import angka, desimal, tanggal_teks, waktu_wita


def _read_mapping(path: Path) -> dict[str, str]:
    """A ``--mapping`` file (``kolom_padu: Judul Kolom`` per line), rejected whole if malformed."""
    import yaml

    from padu.sheets import read_text

    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportRejected(
            "file pemetaan tidak dapat dibaca",
            [Problem(path.name, None, None, None, str(exc), "file_tidak_terbaca")],
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ImportRejected(
            "file pemetaan tidak valid",
            [
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    "isi harus 'kolom_padu: Judul Kolom' per baris",
                    "format_salah",
                )
            ],
        )
    return dict(data)


@app.command("link")
def link_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Daftar penerima instansi (.xlsx atau .csv).")
    ],
    programme: Annotated[str, typer.Option("--programme", help="Kode program.")],
    year: Annotated[int, typer.Option("--year", help="Tahun anggaran daftar ini.")],
    snapshot: Annotated[
        str, typer.Option("--snapshot", help="Snapshot register (id/label/latest).")
    ] = "latest",
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="File YAML pemetaan: kolom_padu: Judul Kolom.")
    ] = None,
    save_mapping: Annotated[
        bool, typer.Option("--save-mapping", help="Simpan pemetaan ini untuk instansi program.")
    ] = False,
    show_mapping: Annotated[
        bool, typer.Option("--show-mapping", help="Hanya tampilkan usulan pemetaan kolom.")
    ] = False,
    report: Annotated[Path | None, typer.Option("--out", help="Laporan Excel (.xlsx).")] = None,
    export_links: Annotated[
        Path | None,
        typer.Option(
            "--export-links",
            help="CSV: satu baris per baris daftar; satu per calon bila perlu ditinjau.",
        ),
    ] = None,
    auto: Annotated[float, typer.Option("--auto", help="Ambang terima otomatis (peluang).")] = 0.99,
    review: Annotated[
        float, typer.Option("--review", help="Ambang antrian tinjauan (peluang).")
    ] = 0.30,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="individu atau keluarga (bawaan: dari kolomnya; tanpa NIK dan tanggal lahir "
            "tetapi dengan No. KK atau nama kepala keluarga = keluarga).",
        ),
    ] = None,
    by: BY = None,
) -> None:
    """Tautkan daftar penerima instansi ke register: NIK, NIK diperbaiki, lalu probabilistik.

    Daftar per keluarga (No. KK, nama kepala keluarga, desa) ditautkan ke keluarga register.
    Baris jumlah, judul berulang, nomor kolom, baris kosong dan catatan di bawah tabel
    dilaporkan dan tidak ditautkan.
    """
    from padu.linkage.ledger import link_list, resolve_mapping
    from padu.linkage.matcher import Bands
    from padu.linkage.reader import read_headers, suggest_mapping
    from padu.linkage.report import METHOD_LABEL, write_links_csv, write_report
    from padu.programmes.store import programme as get_programme

    state = state_of(ctx)
    existing_file(file, "daftar penerima")
    if mapping is not None:
        existing_file(mapping, "file pemetaan")
    try:
        bands = Bands(auto=auto, review=review)
    except ValueError as exc:
        raise UsageError(f"--auto/--review: {exc}") from None
    if unit is not None and unit not in ("individu", "keluarga"):
        raise UsageError(f"--unit: pilih 'individu' atau 'keluarga', bukan {unit!r}")
    if report is not None:
        check_output_file(report, (".xlsx",))
    if export_links is not None:
        check_output_file(export_links, (".csv",))
    given = _read_mapping(mapping) if mapping else None
    actor = state.actor(by)
    with state.stores(read_only=show_mapping) as (wh, cat):
        prog, _ = get_programme(cat, programme)
        if show_mapping:
            headers, _ = read_headers(file)
            use, source = resolve_mapping(cat, prog.agency, file, given)
            sug = suggest_mapping(headers)
            data = {**sug.to_dict(), "source": source, "mapping": use or sug.mapping}
            t = Table(
                "kolom Padu", "judul kolom di file", "keyakinan", title=f"pemetaan ({source})"
            )
            for f, h in data["mapping"].items():
                t.add_row(f, h, desimal(sug.confidence.get(f, 1.0)))
            emit(state, data, t)
            return
        with progress(state, 1) as step:
            step("menautkan daftar ke register")
            run = link_list(
                wh, cat, file, programme=prog.code, agency=prog.agency, year=year,
                snapshot=snapshot, mapping=given, bands=bands, actor=actor,
                cache=state.settings.home / "cache", unit=unit,
            )  # fmt: skip
        if save_mapping:
            cat.save_mapping(prog.agency, run.mapping, actor)
        if report:
            write_report(run, report, cat, actor=actor)
        if export_links:
            write_links_csv(run, export_links, cat, actor=actor)
    c = run.counts
    data = {
        **c,
        "notes": run.notes,
        "ledger": run.ledger.id,
        "snapshot": run.ledger.snapshot_id,
        "mapping": run.mapping,
        "report": str(report) if report else None,
        "links": str(export_links) if export_links else None,
    }
    unit_label = "daftar keluarga" if c.get("unit") == "keluarga" else "daftar orang"
    t = Table(
        "hasil",
        "baris",
        title=f"{file.name} ({unit_label}): {prog.code} {year} (ledger {run.ledger.id})",
    )
    right_align(t, "baris")
    shown = [(label, c["matched"].get(m, 0)) for m, label in METHOD_LABEL.items()]
    always = ("No. KK sama" if c.get("unit") == "keluarga" else "NIK sama", "keputusan peninjau")
    for label, n in (
        *((label, n) for label, n in shown if n or label in always),
        ("perlu ditinjau", c["matched"]["review"]),
        ("tidak cocok", c["unmatched"]),
        ("JUMLAH", c["rows"]),
    ):
        t.add_row(label, angka(n))
    emit(state, data, t)
    if not state.json:
        for note in run.notes:  # the mapping used, and the rows set aside, in sentences
            out.print(note)
        if c.get("same_file_ledgers"):
            earlier = ", ".join(str(i) for i in c["same_file_ledgers"])
            out.print(
                f"file yang sama sudah pernah ditautkan untuk {prog.code} {year} "
                f"(ledger {earlier}); hasil ini disimpan sebagai ledger baru {run.ledger.id}"
            )


review_app = command_group("Antrian tinjauan hasil penautan.")
app.add_typer(review_app, name="review")
_PROG = Annotated[
    str | None, typer.Option("--programme", help="Kode program (dengan --year: ledger terbaru).")
]
_YEAR = Annotated[int | None, typer.Option("--year", help="Tahun anggaran.")]
_LEDGER = Annotated[
    int | None,
    typer.Option("--ledger", help="Id ledger (bawaan: ledger terbaru program dan tahun itu)."),
]


def _ledger_title(ledger: Any) -> str:
    return (
        f"ledger {ledger.id}: {ledger.programme} {ledger.year}, {ledger.source_file} "
        f"({waktu_wita(ledger.dibuat)})"
    )


def _ledger_data(ledger: Any) -> dict[str, Any]:
    return {
        "ledger": ledger.id,
        "programme": ledger.programme,
        "year": ledger.year,
        "source_file": ledger.source_file,
        "snapshot": ledger.snapshot_id,
    }


@review_app.command("list")
def review_list(
    ctx: typer.Context, programme: _PROG = None, year: _YEAR = None, ledger_id: _LEDGER = None
) -> None:
    """Pasangan yang perlu ditinjau: baris daftar dan calon dari register berdampingan."""
    from padu.linkage.review import review_pairs, select_ledger

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        ledger = select_ledger(cat, programme=programme, year=year, ledger_id=ledger_id)
        pairs = review_pairs(wh, ledger)
    t = Table(
        "baris",
        "calon",
        "nama (daftar)",
        "tgl lahir (daftar)",
        "NIK (register)",
        "nama (register)",
        "tgl lahir (register)",
        "skor",
        "yang sama",
        title=f"Antrian tinjauan {_ledger_title(ledger)}",
    )
    for r in pairs.head(200).iter_rows(named=True):
        t.add_row(
            str(r["row"]),
            str(r["rank"]),
            r["nama_daftar"] or "",
            r["tanggal_lahir_daftar"] or "",
            r["nik"] or "",
            r["nama"] or "",
            tanggal_teks(r["tanggal_lahir"]),
            desimal(r["score"], 3),
            agree_words(r["agree"]),
        )
    emit(state, {**_ledger_data(ledger), "pairs": pairs.to_dicts()}, t)


#: The words a reviewer may type, as the report's Keputusan column (SAMA/BEDA) and in full.
_DECISION_WORDS = {
    "sama": "same",
    "orang yang sama": "same",
    "beda": "different",
    "berbeda": "different",
    "orang yang berbeda": "different",
}


@review_app.command("decide")
def review_decide(
    ctx: typer.Context,
    row: Annotated[int, typer.Option("--row", help="Baris data daftar.")],
    decision: Annotated[
        str,
        typer.Argument(
            metavar="KEPUTUSAN",
            help="SAMA (orang yang sama) atau BEDA, seperti kolom Keputusan laporan; "
            "juga same atau different.",
        ),
    ],
    programme: _PROG = None,
    year: _YEAR = None,
    ledger_id: _LEDGER = None,
    candidate: Annotated[
        int | None,
        typer.Option(
            "--candidate",
            help="Calon ke- (wajib untuk 'sama' bila calon lebih dari satu; "
            "'beda' tanpa ini menolak semua calon baris itu).",
        ),
    ] = None,
    by: BY = None,
) -> None:
    """Catat keputusan tinjauan; dipakai lagi saat daftar yang sama ditautkan ulang."""
    from padu.linkage.review import DECISIONS, decide, select_ledger

    given = decision
    decision = _DECISION_WORDS.get(decision.strip().lower(), decision.strip().lower())
    if decision not in DECISIONS:
        raise UsageError(f"keputusan harus 'sama' atau 'beda', bukan {given!r}")
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        ledger = select_ledger(cat, programme=programme, year=year, ledger_id=ledger_id)
        n = decide(wh, cat, ledger, [(row, candidate, decision)], actor=state.actor(by))
    emit(
        state,
        {**_ledger_data(ledger), "decisions": n},
        f"{angka(n)} keputusan {'SAMA' if decision == 'same' else 'BEDA'} untuk baris {row}"
        f"{f', calon {candidate}' if candidate is not None else ''} dicatat pada "
        f"{_ledger_title(ledger)}",
    )


@review_app.command("load")
def review_load(
    ctx: typer.Context,
    report: Annotated[
        Path, typer.Argument(metavar="LAPORAN", help="Laporan Excel yang kolom keputusannya diisi.")
    ],
    programme: _PROG = None,
    year: _YEAR = None,
    ledger_id: _LEDGER = None,
    by: BY = None,
) -> None:
    """Muat keputusan (SAMA/BEDA) dari lembar Antrian Tinjauan ke ledger yang disebut laporan."""
    from padu.linkage.review import load_review

    existing_file(report, "laporan")
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        ledger, n = load_review(
            wh, cat, report, actor=state.actor(by), programme=programme, year=year,
            ledger_id=ledger_id,
        )  # fmt: skip
    emit(
        state,
        {**_ledger_data(ledger), "decisions": n},
        f"{angka(n)} keputusan dari {report.name} dicatat pada {_ledger_title(ledger)}",
    )
