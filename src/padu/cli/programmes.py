"""``padu programme``, ``padu needs``, ``padu target`` and ``padu rule explain``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.table import Table

from padu.cli._common import (
    BY,
    State,
    app,
    check_format,
    command_group,
    emit,
    existing_file,
    field_words,
    right_align,
    state_of,
)
from padu.errors import UsageError
from padu.files import check_output_file
from padu.fmt import angka, persen, rupiah
from padu.services import programmes as svc
from padu.services import targeting as tsvc

rule_app = command_group("Bahasa aturan: periksa dan pratinjau jumlah.")
app.add_typer(rule_app, name="rule")
programme_app = command_group("Program instansi: daftar, impor, ekspor.")
app.add_typer(programme_app, name="programme")


@programme_app.command("list")
def programme_list(ctx: typer.Context) -> None:
    """Program yang tersimpan (versi terkini)."""
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        result = svc.list_programmes(cat)
    t = Table("kode", "nama", "instansi", "dimensi", "unit", "pelengkap", "versi")
    for p in result.programmes:
        t.add_row(
            p.code,
            p.name,
            p.agency,
            ", ".join(p.dimensions),
            p.unit,
            ", ".join(p.complements) or "-",
            str(p.version),
        )
    emit(state, result.model_dump(mode="json"), t)


@programme_app.command("show")
def programme_show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="KODE")],
    version: Annotated[int | None, typer.Option(help="Versi tertentu.")] = None,
) -> None:
    """Satu program: aturan, anggaran, cakupan."""
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        detail = svc.show_programme(cat, code, version)
    data = detail.model_dump(mode="json")
    emit(state, data, programme_table(data, f"{detail.code} versi {detail.version}"))


#: ``programme show`` rows: the definition's keys (JSON, unchanged) in the officer's words.
_PROGRAMME_LABELS = {
    "code": "kode",
    "name": "nama",
    "agency": "instansi",
    "dimensions": "dimensi",
    "unit": "unit sasaran",
    "rule": "aturan",
    "member_rule": "aturan anggota",
    "fiscal_year": "tahun anggaran",
    "funding": "sumber dana",
    "unit_cost": "biaya per unit",
    "budget": "pagu anggaran",
    "quota": "kuota",
    "regions": "wilayah",
    "data_needs": "kebutuhan data",
    "complements": "program pelengkap",
    "note": "catatan",
    "version": "versi aturan",
    "params": "parameter",
    "rule_template": "aturan (templat)",
    "member_rule_template": "aturan anggota (templat)",
    "cost_components": "komponen biaya",
    "max_components": "komponen terbanyak per unit",
    "sub_activity_code": "kode sub kegiatan",
    "sub_activity_name": "nama sub kegiatan",
    "output_indicator": "indikator keluaran",
    "output_unit": "satuan keluaran",
    "output_volume": "volume keluaran",
    "tags": "tanda",
    "long_list": "daftar panjang (verifikasi lapangan)",
    "long_list_note": "catatan daftar panjang",
}
_RUPIAH_KEYS = frozenset({"unit_cost", "budget"})


def _structured(key: str, val: Any) -> str | None:
    """Parameters and cost components in words; None for any other key."""
    if key == "params" and isinstance(val, dict):
        lines = []
        for name, spec in val.items():
            value = spec.get("value") if isinstance(spec, dict) else spec
            label = spec.get("label") if isinstance(spec, dict) else None
            lines.append(f"{name} = {value}" + (f" ({label})" if label else ""))
        return "\n".join(lines) or "-"
    if key == "cost_components" and isinstance(val, list):
        return "\n".join(
            f"{c.get('label') or c.get('code')}: {rupiah(int(c.get('amount') or 0))}"
            f" — {_rule_words(str(c.get('member_rule')), member=True)}"
            for c in val
            if isinstance(c, dict)
        )
    return None


def _rule_words(text: str, *, member: bool) -> str:
    """A stored rule as the sentence an officer reads (the rule text itself stays above)."""
    from padu.rules import compile_member_rule, compile_rule
    from padu.rules.explain import sentence

    compiled = compile_member_rule(text) if member else compile_rule(text)
    return sentence(compiled.ast, member=member)


def programme_table(data: dict[str, Any], title: str) -> Table:
    """One programme definition in words: labels, amounts in rupiah, region names."""
    from padu.regions import kaltara

    t = Table("hal", "isi", title=title)
    for key, val in data.items():
        if (words := _structured(key, val)) is not None:
            shown = words
        elif key in _RUPIAH_KEYS and isinstance(val, int):
            shown = rupiah(val)
        elif key == "regions":
            found = [(c, kaltara().find(str(c))) for c in val]
            shown = ", ".join(f"{c} {r.nama}" if r else str(c) for c, r in found)
        elif key in ("fiscal_year", "version"):
            shown = str(val)
        elif key == "data_needs":
            shown = ", ".join(field_words(str(f)) for f in val)
        elif isinstance(val, list | tuple):
            shown = ", ".join(str(v) for v in val) or "-"
        elif isinstance(val, int) and not isinstance(val, bool):
            shown = angka(val)
        elif isinstance(val, bool):
            shown = "ya" if val else "tidak"
        else:
            shown = str(val)
        t.add_row(_PROGRAMME_LABELS.get(key, key.replace("_", " ")), shown)
        if key in ("rule", "member_rule"):
            t.add_row("  dalam kata", _rule_words(str(val), member=key == "member_rule"))
    if "regions" not in data:
        t.add_row("wilayah", "seluruh provinsi")
    return t


@programme_app.command("import")
def programme_import(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="File YAML lokakarya, atau preset:kaltara-2026.")
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="KODE.NAMA=NILAI",
            help="Ubah parameter program, mis. SEMBAKO.desil_maks=4 (boleh diulang).",
        ),
    ] = None,
    by: BY = None,
) -> None:
    """Impor file lokakarya (semua masalah dilaporkan sekaligus); perubahan = versi baru."""
    from padu.programmes.model import preset_workshop, read_workshop

    overrides: dict[str, str] = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or "." not in name or not value.strip():
            raise UsageError(f"--param: tulis KODE.NAMA=NILAI, mis. SEMBAKO.desil_maks=4: {item!r}")
        overrides[name.strip()] = value.strip()
    state = state_of(ctx)
    if file.startswith("preset:"):
        workshop = preset_workshop(file.removeprefix("preset:"))
    else:
        workshop = read_workshop(existing_file(Path(file), "file lokakarya"))
    with state.stores(read_only=True) as (_, cat):
        result = svc.import_workshop(cat, workshop, params=overrides, actor=state.actor(by))
    shown = ", ".join(f"{code} (versi {v})" for code, v in result.programmes.items())
    emit(
        state,
        result.model_dump(mode="json"),
        f"{angka(result.agencies)} instansi, {angka(len(result.programmes))} program diimpor: "
        + (shown or "-"),
    )


@programme_app.command("export")
def programme_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File YAML tujuan.")],
) -> None:
    """Ekspor semua instansi dan program (versi terkini) sebagai file lokakarya."""
    check_output_file(file, (".yaml", ".yml"))
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        result = svc.export_workshop(cat, file)
    emit(state, result.model_dump(mode="json"), f"{angka(result.programmes)} program -> {file}")


@app.command("needs")
def needs(
    ctx: typer.Context,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    programme_code: Annotated[
        str | None, typer.Option("--programme", help="Satu program saja.")
    ] = None,
    by: Annotated[str, typer.Option(help="kabupaten atau kecamatan.")] = "kabupaten",
    fmt: Annotated[str, typer.Option("--format", help="table, json atau xlsx.")] = "table",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Buku kerja XLSX (satu lembar per instansi).")
    ] = None,
) -> None:
    """Kebutuhan data sasaran: kolom per program, kelengkapan, validitas, yang tak terputuskan."""
    state = state_of(ctx)
    check_format(fmt, out_file)
    with state.stores(read_only=True) as (wh, cat):
        result = svc.data_needs_report(
            wh, cat, snapshot, programme=programme_code, by=by, out=out_file
        )
    t = Table(
        "program",
        "instansi",
        "kolom",
        "kelengkapan terendah",
        "tak terputuskan",
        "kurang andal di",
        title="Kebutuhan data sasaran",
    )
    for p in result.programmes:
        lowest = min(p.fields, key=lambda f: result.fields[f].completeness)
        t.add_row(
            p.code,
            p.agency,
            str(len(p.fields)),
            f"{field_words(lowest)}: {persen(result.fields[lowest].completeness, 1)}",
            f"{angka(p.undecidable)} keluarga"
            + (f", {angka(n)} anggota" if (n := p.undecidable_members) else ""),
            ", ".join(r.nama for r in p.unreliable_regions) or "-",
        )
    data = result.model_dump(mode="json")
    emit(state if fmt != "json" else State(state.settings, True), data, t)


@app.command("target")
def target(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="KODE", help="Kode program, atau 'semua'.")],
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    region: Annotated[
        str | None, typer.Option("--region", help="Batasi ke kode wilayah ini.")
    ] = None,
    version: Annotated[int | None, typer.Option(help="Versi aturan (bawaan: terkini).")] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="BNBA: FILE.xlsx atau FILE.csv; untuk 'semua': FILE.xlsx (satu lembar per "
            "program) atau FOLDER (satu berkas per program).",
        ),
    ] = None,
    by: BY = None,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Catat daftar sebagai rencana penerima tahun anggaran program (menggantikan "
            "adopsi sebelumnya; riwayat tetap tersimpan).",
        ),
    ] = False,
) -> None:
    """Tarik daftar sasaran (BNBA) sebuah program, atau semua program, dari register bersama."""
    from padu.programmes.bnba import SUFFIXES

    state = state_of(ctx)
    if adopt and region is not None:
        raise UsageError(
            "--adopt: hanya daftar seluruh cakupan program yang dapat diadopsi; hapus --region"
        )
    region = tsvc.resolve_region(region)
    if code.lower() in ("semua", "all"):
        if version is not None:
            raise UsageError("--version: hanya untuk satu program, bukan 'semua'")
        with state.stores(read_only=not adopt) as (wh, cat):
            lists = tsvc.draw_all_targets(
                wh, cat, snapshot, actor=state.actor(by), region=region, out=out_file, adopt=adopt
            )
        t = Table(
            "program",
            "unit",
            "memenuhi syarat",
            "terpilih",
            "biaya",
            "hash",
            title="Semua daftar sasaran" + (f" -> {out_file}" if out_file else ""),
        )
        right_align(t, "memenuhi syarat", "terpilih", "biaya")
        for sm in lists.lists:
            t.add_row(
                sm.programme, sm.unit, angka(sm.eligible), angka(sm.selected), rupiah(sm.cost),
                sm.hash[:12],
            )  # fmt: skip
        adopted = [_adoption_lines(sm) for sm in lists.lists if sm.adoption is not None]
        emit(state, lists.model_dump(mode="json"), Group(t, *adopted))
        return
    if out_file is not None:
        check_output_file(out_file, SUFFIXES)
    with state.stores(read_only=not adopt) as (wh, cat):
        result = tsvc.draw_target(
            wh, cat, code, snapshot, actor=state.actor(by), version=version, region=region,
            out=out_file, adopt=adopt,
        )  # fmt: skip
    data = result.model_dump(mode="json")
    title = f"Daftar sasaran {result.programme} (versi aturan {result.rule_version})"
    shown: RenderableType = _target_table(data, title)
    if result.adoption is not None:
        shown = Group(shown, _adoption_lines(result))
    emit(state, data, shown)


def _adoption_lines(result: tsvc.TargetResult) -> str:
    """An adopted list in words: which adoption it is, whom it replaces, and its warnings."""
    row = result.adoption
    if row is None:
        return ""
    replaces = f", menggantikan #{row.replaces}" if row.replaces is not None else ""
    lines = [
        f"{result.programme}: diadopsi sebagai rencana tahun {row.year} "
        f"(adopsi #{row.id}{replaces})",
        *(f"  peringatan: {w}" for w in result.warnings or []),
    ]
    return "\n".join(lines)


_TARGET_LABELS = {
    "programme": "program",
    "rule_version": "versi aturan",
    "snapshot": "snapshot",
    "region": "wilayah",
    "unit": "unit sasaran",
    "eligible": "memenuhi syarat",
    "selected": "terpilih",
    "cost": "biaya",
    "duplicates_dropped": "orang ganda yang dihapus",
    "hash": "hash isi (SHA-256)",
    "out": "file",
}


def _target_table(data: dict[str, Any], title: str) -> Table:
    """One drawn list in words: counts with dots, the cost in rupiah, duplicates by name."""
    from padu.regions import kaltara

    t = Table("hal", "isi", title=title)
    for key, label in _TARGET_LABELS.items():
        val = data.get(key)
        if key == "region":
            region = kaltara().find(val) if val else None
            val = f"{val} {region.nama}" if region else (val or "seluruh cakupan program")
        if val is None:
            continue
        if key == "cost":
            shown = rupiah(val)
        elif isinstance(val, int) and key not in ("rule_version", "snapshot"):
            shown = angka(val)
        else:
            shown = str(val)
        t.add_row(label, shown)
    for d in data.get("duplicates") or []:
        words = {"nik": "NIK", "kk": "No. KK", "kk_dipakai": "No. KK yang dipakai"}
        t.add_row(
            "  ganda", ", ".join(f"{words.get(k, k)} {v}" for k, v in d.items() if v is not None)
        )
    return t


@rule_app.command("explain")
def rule_explain(
    ctx: typer.Context,
    rule: Annotated[
        str,
        typer.Argument(
            metavar="ATURAN", help='Aturan, misalnya "desil_nasional <= 4 dan pbi_nas".'
        ),
    ],
    snapshot: Annotated[
        str | None, typer.Option("--snapshot", help="Hitung pada snapshot ini (id, label, latest).")
    ] = None,
) -> None:
    """Bentuk terurai, kolom yang dibaca, dan jumlah keluarga per klausa dan seluruh aturan."""
    state = state_of(ctx)
    if snapshot is None:
        result = tsvc.explain_rule(rule)
    else:
        with state.stores(read_only=True) as (wh, cat):
            result = tsvc.explain_rule(rule, wh, cat, snapshot)
    t = Table("syarat", "keluarga", title=f"Aturan: {' '.join(rule.split())}")
    for c in result.clauses:
        t.add_row(
            c.get("sentence") or c["clause"], angka(c["families"]) if "families" in c else "-"
        )
    if snapshot is not None:
        t.add_row(
            "SELURUH ATURAN", f"{angka(result.families)} keluarga, {angka(result.persons)} orang"
        )
        if result.undecidable:
            t.add_row("tak terputuskan (data kosong)", f"{angka(result.undecidable)} keluarga")
        if result.families == 0:
            t.add_row("perhatian", "aturan ini tidak cocok dengan satu keluarga pun")
    t.add_row("kolom yang dibaca", ", ".join(result.fields))
    if result.sentence:
        t.caption = f"Dalam kata: {result.sentence}"
    emit(state, result.model_dump(mode="json"), t)
