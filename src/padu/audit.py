"""The audit log's vocabulary: one name per event, one actor convention, absolute paths.

Every service that changes the catalog or writes personal data records its event itself
(the CLI, the web app and the API call the same services, so none can skip it). Event
names are the constants below; a file of personal data is always ``personal_data.export``
with a ``kind`` from :data:`EXPORT_KINDS` and the file's absolute path. The actor is the
user's name, resolved once by the entry point (:func:`resolve_actor`) and passed to every
service as the keyword ``actor``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from padu.stores import Catalog
    from padu.stores.catalog import AuditRow

__all__ = [
    "API_IBR",
    "EXPORT_KINDS",
    "FAMILY_CARD",
    "JOB_FINISH",
    "JOB_SUBMIT",
    "LINK_LEDGER",
    "LINK_MAPPING",
    "LINK_REVIEW",
    "MEASURE_SAVE",
    "MPI_EXPORT",
    "PERSONAL_DATA_EXPORT",
    "PROGRAMME_IMPORT",
    "REGIONS_CROSSWALK",
    "REGISTER_IMPORT",
    "REGISTER_REFERENCE",
    "REGISTER_UPLOAD",
    "SCENARIO_SAVE",
    "TARGET_ADOPT",
    "TARGET_DRAW",
    "USER_ADD",
    "USER_DISABLE",
    "USER_ENABLE",
    "USER_PASSWORD",
    "USER_TOKEN",
    "ExportKind",
    "PersonalDataExport",
    "audit_row",
    "record_export",
    "resolve_actor",
]

REGISTER_IMPORT = "register.import"
REGISTER_REFERENCE = "register.reference"
#: Files received by the web app for an import (who, names, sizes, hashes, the job's id).
REGISTER_UPLOAD = "register.upload"
TARGET_DRAW = "target.draw"
TARGET_ADOPT = "target.adopt"
PLAN_RUN = "plan.run"
JOB_SUBMIT = "job.submit"
API_IBR = "api.ibr"
JOB_FINISH = "job.finish"
FAMILY_CARD = "family.card"
LINK_LEDGER = "link.ledger"
LINK_REVIEW = "link.review"
LINK_MAPPING = "link.mapping"
PROGRAMME_IMPORT = "programme.import"
MEASURE_SAVE = "measure.save"
SCENARIO_SAVE = "scenario.save"
#: A download of poverty figures by region (aggregates, not personal data).
MPI_EXPORT = "mpi.export"
REGIONS_CROSSWALK = "regions.crosswalk"
PERSONAL_DATA_EXPORT = "personal_data.export"
#: Accounts (padu.accounts): details name the account, never a password, hash or token.
USER_ADD = "user.add"
USER_DISABLE = "user.disable"
USER_ENABLE = "user.enable"
USER_PASSWORD = "user.password"  # noqa: S105 - an event name
USER_TOKEN = "user.token"  # noqa: S105 - detail "action": issue | revoke

ExportKind = Literal[
    "bnba",
    "register_diff",
    "register_duplicates",
    "mpi_families",
    "link_report",
    "links_csv",
    "agency_list",
    "plan_handover",
]
EXPORT_KINDS: tuple[ExportKind, ...] = get_args(ExportKind)


@dataclass(frozen=True)
class PersonalDataExport:
    """A file holding names, NIKs or addresses was written: what, where, from what."""

    kind: ExportKind
    path: Path
    detail: Mapping[str, object] = field(default_factory=dict)

    def to_detail(self) -> dict[str, object]:
        """The audit row's detail: kind, absolute path, then the context given."""
        return {**self.detail, "kind": self.kind, "path": str(Path(self.path).resolve())}


def audit_row(kind: str, detail: Mapping[str, object], actor: str) -> AuditRow:
    """An audit row to add inside a catalog session, in one transaction with the change."""
    from padu.stores.catalog import AuditRow

    return AuditRow(
        waktu=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        pelaku=actor,
        jenis=kind,
        rincian=json.dumps(dict(detail), default=str, sort_keys=True),
    )


def record_export(
    catalog: Catalog, kind: ExportKind, path: Path, *, actor: str, **detail: object
) -> None:
    """Record that a personal-data file is being written to ``path`` (the name asked for).

    Call it inside :func:`padu.files.atomic_output`, before the temporary file is renamed
    onto ``path``: if the audit insert fails, no file appears.
    """
    record_exports(catalog, kind, [(path, detail)], actor=actor)


def record_exports(
    catalog: Catalog,
    kind: ExportKind,
    files: Sequence[tuple[Path, Mapping[str, object]]],
    *,
    actor: str,
) -> None:
    """Record several files written together (a folder, a workbook of several lists) in one
    transaction: either every export is in the log or none is."""
    details = [PersonalDataExport(kind, p, d).to_detail() for p, d in files]
    catalog.record_all(PERSONAL_DATA_EXPORT, details, actor)


def resolve_actor(given: str | None = None) -> str:
    """Who is acting: the name given (``--by``), else ``PADU_USER``, else the OS user."""
    name = (given or "").strip() or os.environ.get("PADU_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return f"uid-{os.getuid()}"
