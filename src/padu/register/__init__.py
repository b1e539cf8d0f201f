"""The register: reading extracts, validating them, and keeping dated snapshots."""

from padu.register.diff import diff_snapshots
from padu.register.importer import ImportResult, import_register
from padu.register.quality import quality_report
from padu.register.snapshots import ensure_reference_tables, snapshot_table

__all__ = [
    "ImportResult",
    "diff_snapshots",
    "ensure_reference_tables",
    "import_register",
    "quality_report",
    "snapshot_table",
]
