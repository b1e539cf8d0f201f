"""The typed error hierarchy of Padu.

Every error a user can fix is a ``PaduError``. Each class carries the HTTP status the web
layer will use and the exit code the CLI uses, so both interfaces map errors in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what was there and why it is wrong."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    code: str = "masalah"

    def describe(self) -> str:
        """One line for a message, stderr or JSON: NIK and KK numbers masked.

        ``value`` itself keeps the cell as it was (the operator's report file needs it);
        only what is shown here is masked (docs/import-validation.md, personal data).
        """
        from padu.identifiers import mask_identifiers

        where = self.file
        if self.row is not None:
            where += f", baris {self.row}"
        if self.column:
            where += f", kolom {self.column}"
        shown = "" if self.value is None else f" (nilai: {self.shown_value!r})"
        return f"{where}: {mask_identifiers(self.reason)}{shown}"

    @property
    def shown_value(self) -> str | None:
        """The cell as it may be shown: masked whole in an identifier column, else any
        long digit run in it masked."""
        from padu.identifiers import mask_identifiers, mask_nik

        if self.value is None:
            return None
        if self.column and is_identifier_column(self.column):
            return mask_nik(self.value)
        return mask_identifiers(self.value)


_IDENTIFIER_KEYS = frozenset(
    {"kk", "nkk", "nokk", "nomorkk", "nokartukeluarga", "nomorkartukeluarga", "ktp"}
)


def is_identifier_column(column: str) -> bool:
    """Whether a column (DTSEN field or an agency's header) holds NIK or KK numbers."""
    key = "".join(ch for ch in column.lower() if ch.isalnum())
    return (
        key in _IDENTIFIER_KEYS
        or key.startswith(("nik", "noktp", "nomorktp", "nomorinduk"))
        or key.endswith(("nik", "kk"))
    )


class PaduError(Exception):
    """Base of every error Padu raises on purpose."""

    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": self.message}


class InputError(PaduError):
    """Bad input the user can fix: a file, a value, an option."""

    http_status = 400


@dataclass
class ImportRejected(InputError):
    """An import refused as a whole, with every structural problem and where they went."""

    summary: str
    problems: Sequence[Problem] = field(default_factory=list)
    report_path: Path | None = None
    rejects_paths: Sequence[Path] = field(default_factory=list)
    rejected_rows: int = 0

    def __post_init__(self) -> None:
        InputError.__init__(self, self.summary)

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "rejected_rows": self.rejected_rows,
            "problems": len(self.problems),
            "report": str(self.report_path) if self.report_path else None,
            "rejects": [str(p) for p in self.rejects_paths],
            "first_problems": [p.describe() for p in self.problems[:20]],
        }


class UsageError(PaduError):
    """A command used the wrong way (unknown option value, missing argument)."""

    http_status = 422
    exit_code = 2


class NotFound(PaduError):
    """A named thing (snapshot, region, programme) does not exist."""

    http_status = 404


class StoreBusy(PaduError):
    """The embedded warehouse file is held by another process (for example ``padu serve``)."""

    http_status = 409


class InternalError(PaduError):
    """A bug or broken invariant: not something the user can fix."""


def yaml_problem(exc: Exception, source: str) -> Problem:
    """A YAML syntax error as a Problem: the line and column where the parser stopped, in
    Indonesian, with the parser's own words kept for the technically minded."""
    mark = getattr(exc, "problem_mark", None)
    detail = (
        " ".join(
            str(part)
            for part in (getattr(exc, "context", None), getattr(exc, "problem", None))
            if part
        )
        or str(exc).splitlines()[0]
    )
    row = mark.line + 1 if mark is not None else None
    column = str(mark.column + 1) if mark is not None else None
    reason = (
        "susunan YAML rusak di sini (tanda kurung, tanda kutip, titik dua atau indentasi yang "
        f"tidak cocok); pesan pembaca YAML: {detail}"
    )
    return Problem(source, row, column, None, reason, code="yaml_tidak_valid")


def read_yaml(text: str, source: str) -> object:
    """``text`` parsed as YAML; :class:`ImportRejected` naming the line and column of a
    syntax error (every YAML the user gives Padu is read through this)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportRejected(
            summary=f"{source}: YAML tidak valid", problems=[yaml_problem(exc, source)]
        ) from None
