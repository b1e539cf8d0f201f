"""The register service: snapshots, their quality, what changed, and imports.

``padu register`` and the web app (the Snapshot page, the API) call these functions, so the
figures an officer sees on a page cannot drift from what the command prints. Each wraps the
core computation in :mod:`padu.register` and returns a pydantic model; a function that
changes the catalog or writes personal data takes ``actor`` and records its own event.

- :mod:`.snapshots`: the list (``padu register list``), one snapshot, the agreed reference.
- :mod:`.quality`: ``padu register quality`` and ``desil``, and the quality page by region.
- :mod:`.changes`: ``padu register diff`` and ``duplicates``, and the difference page (NIK
  and KK masked there).
- :mod:`.upload`: ``padu register import`` (:func:`import_register_files`), and an import by
  upload: :func:`save_upload` copies a received file into a private folder (counting,
  hashing, stopping at the size limit), :func:`check_uploads` refuses empty or wrong-type
  files, and :func:`submit_import` queues the import as a background job and records the
  upload (``register.upload``); the job runs the same import, whole or not at all, and
  removes the uploaded files at its end.
"""

from __future__ import annotations

from padu.audit import REGISTER_UPLOAD  # the upload's audit event, named here too
from padu.services.register.changes import (
    TOP_PAIRS,
    ChangeRow,
    DesilCount,
    DesilMove,
    DiffRow,
    DuplicatePair,
    DuplicateReport,
    RegisterDiff,
    SnapshotDiff,
    register_diff,
    register_duplicates,
    snapshot_diff,
)
from padu.services.register.quality import (
    NO_REGION,
    DesilCell,
    DesilCounts,
    FieldCompleteness,
    FieldCount,
    FileNote,
    FileNoteRow,
    QualityReport,
    QualitySummary,
    RegionQuality,
    desil_counts,
    quality_summary,
    snapshot_quality,
)
from padu.services.register.snapshots import (
    ReferenceSet,
    Seconds,
    SnapshotEntry,
    SnapshotInfo,
    SnapshotList,
    list_snapshots,
    set_reference,
    snapshot_info,
    snapshot_list,
)
from padu.services.register.upload import (
    ACCEPTED_SUFFIXES,
    CHUNK,
    IMPORT_JOB,
    SHOWN_PROBLEMS,
    STEPS,
    UPLOADS_DIR,
    ImportJob,
    ImportOutcome,
    ProblemRow,
    RegisterRejected,
    UploadedFile,
    check_uploads,
    content_hash,
    discard_folder,
    discard_upload,
    import_job,
    import_register_files,
    megabytes,
    recent_imports,
    safe_name,
    save_upload,
    submit_import,
    upload_folder,
)

__all__ = [
    "ACCEPTED_SUFFIXES",
    "CHUNK",
    "IMPORT_JOB",
    "NO_REGION",
    "REGISTER_UPLOAD",
    "SHOWN_PROBLEMS",
    "STEPS",
    "TOP_PAIRS",
    "UPLOADS_DIR",
    "ChangeRow",
    "DesilCell",
    "DesilCount",
    "DesilCounts",
    "DesilMove",
    "DiffRow",
    "DuplicatePair",
    "DuplicateReport",
    "FieldCompleteness",
    "FieldCount",
    "FileNote",
    "FileNoteRow",
    "ImportJob",
    "ImportOutcome",
    "ProblemRow",
    "QualityReport",
    "QualitySummary",
    "ReferenceSet",
    "RegionQuality",
    "RegisterDiff",
    "RegisterRejected",
    "Seconds",
    "SnapshotDiff",
    "SnapshotEntry",
    "SnapshotInfo",
    "SnapshotList",
    "UploadedFile",
    "check_uploads",
    "content_hash",
    "desil_counts",
    "discard_folder",
    "discard_upload",
    "import_job",
    "import_register_files",
    "list_snapshots",
    "megabytes",
    "quality_summary",
    "recent_imports",
    "register_diff",
    "register_duplicates",
    "safe_name",
    "save_upload",
    "set_reference",
    "snapshot_diff",
    "snapshot_info",
    "snapshot_list",
    "snapshot_quality",
    "submit_import",
    "upload_folder",
]
