"""``padu link`` and ``padu review``: agency lists linked to the register, and their review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from padu.services import linkage as svc


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
    from padu.linkage.matcher import Bands
    from padu.linkage.report import METHOD_LABEL
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
        if show_mapping:
            agency = get_programme(cat, programme)[0].agency
            proposal = svc.propose_mapping(cat, agency, file, given)
            t = Table(
                "kolom Padu", "judul kolom di file", "keyakinan",
                title=f"pemetaan ({proposal.source})",
            )  # fmt: skip
            for f, h in proposal.mapping.items():
                t.add_row(f, h, desimal(proposal.confidence.get(f, 1.0)))
            emit(state, proposal.model_dump(mode="json"), t)
            return
        with progress(state, 1) as step:
            step("menautkan daftar ke register")
            run = svc.link_agency_list(
                wh, cat, file, programme=programme, year=year, actor=actor, snapshot=snapshot,
                mapping=given, bands=bands, unit=unit, save_mapping=save_mapping,
                report=report, links=export_links, cache=state.settings.home / "cache",
            )  # fmt: skip
    family = run.unit == "keluarga"
    t = Table(
        "hasil",
        "baris",
        title=f"{file.name} ({'daftar keluarga' if family else 'daftar orang'}): "
        f"{run.programme} {year} (ledger {run.ledger})",
    )
    right_align(t, "baris")
    shown = [(label, run.matched.get(m, 0)) for m, label in METHOD_LABEL.items()]
    always = ("No. KK sama" if family else "NIK sama", "keputusan peninjau")
    for label, n in (
        *((label, n) for label, n in shown if n or label in always),
        ("perlu ditinjau", run.matched["review"]),
        ("tidak cocok", run.unmatched),
        ("JUMLAH", run.rows),
    ):
        t.add_row(label, angka(n))
    emit(state, run.model_dump(mode="json"), t)
    if not state.json:
        for note in run.notes:  # the mapping used, and the rows set aside, in sentences
            out.print(note)
        if run.same_file_ledgers:
            earlier = ", ".join(str(i) for i in run.same_file_ledgers)
            out.print(
                f"file yang sama sudah pernah ditautkan untuk {run.programme} {year} "
                f"(ledger {earlier}); hasil ini disimpan sebagai ledger baru {run.ledger}"
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


def _ledger_title(ledger: svc.LedgerInfo) -> str:
    return (
        f"ledger {ledger.ledger}: {ledger.programme} {ledger.year}, {ledger.source_file} "
        f"({waktu_wita(ledger.created)})"
    )


@review_app.command("list")
def review_list(
    ctx: typer.Context, programme: _PROG = None, year: _YEAR = None, ledger_id: _LEDGER = None
) -> None:
    """Pasangan yang perlu ditinjau: baris daftar dan calon dari register berdampingan."""
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        queue = svc.review_queue(wh, cat, programme=programme, year=year, ledger_id=ledger_id)
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
        title=f"Antrian tinjauan {_ledger_title(queue)}",
    )
    for r in queue.pairs[:200]:
        t.add_row(
            str(r.row),
            str(r.rank),
            r.nama_daftar or "",
            r.tanggal_lahir_daftar or "",
            r.nik or "",
            r.nama or "",
            tanggal_teks(r.tanggal_lahir),
            desimal(r.score, 3),
            agree_words(r.agree),
        )
    emit(state, queue.model_dump(mode="json"), t)


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
    chosen = svc.decision_of(decision)
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        result = svc.decide_review(
            wh, cat, row, chosen, actor=state.actor(by), candidate=candidate,
            programme=programme, year=year, ledger_id=ledger_id,
        )  # fmt: skip
    emit(
        state,
        result.model_dump(mode="json"),
        f"{angka(result.decisions)} keputusan {'SAMA' if chosen == 'same' else 'BEDA'} untuk "
        f"baris {row}{f', calon {candidate}' if candidate is not None else ''} dicatat pada "
        f"{_ledger_title(result)}",
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
    existing_file(report, "laporan")
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        result = svc.load_review_report(
            wh, cat, report, actor=state.actor(by), programme=programme, year=year,
            ledger_id=ledger_id,
        )  # fmt: skip
    emit(
        state,
        result.model_dump(mode="json"),
        f"{angka(result.decisions)} keputusan dari {report.name} dicatat pada "
        f"{_ledger_title(result)}",
    )
