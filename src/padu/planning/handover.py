"""The plan's files: the comparison workbook and one budget-cycle workbook per agency.

The comparison holds counts only. An agency's workbook holds its named lists (names, NIK,
KK, addresses), so every one is a personal-data export in the audit log; the files of one
hand-over are recorded together and appear whole or not at all.
"""

from __future__ import annotations

import dataclasses
from contextlib import ExitStack
from pathlib import Path

from padu.audit import record_exports
from padu.errors import UsageError
from padu.files import atomic_output, check_output_file
from padu.planning.result import PlanResult
from padu.stores import Catalog, Warehouse


def write_comparison(result: PlanResult, path: Path) -> Path:
    """The integrated-vs-siloed workbook (``padu plan --format xlsx --out F``)."""
    from padu.planning.workbook import write_plan_xlsx

    path = check_output_file(path, (".xlsx",))
    with atomic_output(path) as temp:
        write_plan_xlsx(temp, result)
    return path


def check_handover_folder(folder: Path) -> Path:
    """Refuse a ``--workbooks`` path that is a file, before any work."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--workbooks: {folder} adalah berkas, bukan folder")
    if not folder.exists() and not folder.parent.is_dir():
        raise UsageError(f"--workbooks: folder induk {folder.parent} tidak ada")
    return folder


def write_handover(
    result: PlanResult, folder: Path, wh: Warehouse, catalog: Catalog, *, actor: str
) -> list[Path]:
    """``FOLDER/KODE-INSTANSI.xlsx`` for every agency with a programme in the plan (a
    family list names each family's head with the head's NIK, as ``padu target`` does)."""
    from padu.planning.workbook import write_agency_workbook
    from padu.programmes.bnba import with_heads

    folder = check_handover_folder(folder)
    folder.mkdir(exist_ok=True)
    agencies = sorted({p.agency for p in result.programmes.values()})
    paths = [check_output_file(folder / f"{code}.xlsx", (".xlsx",)) for code in agencies]
    with wh.scratch():
        lists = {c: with_heads(wh, catalog, t) for c, t in result.lists.items()}
    result = dataclasses.replace(result, lists=lists)
    with ExitStack() as stack:
        temps = [stack.enter_context(atomic_output(p)) for p in paths]
        for code, temp in zip(agencies, temps, strict=True):
            write_agency_workbook(temp, code, result)
        details = []
        for code, path in zip(agencies, paths, strict=True):
            mine = [t for c, t in result.lists.items() if result.programmes[c].agency == code]
            details.append(
                (
                    path,
                    {
                        "scenario": result.scenario.id,
                        "snapshot": result.snapshot,
                        "agency": code,
                        "programmes": [t.programme.code for t in mine],
                        "rows": sum(t.selected for t in mine),
                        "hashes": [t.hash for t in mine],
                    },
                )
            )
        record_exports(catalog, "plan_handover", details, actor=actor)
    return paths
