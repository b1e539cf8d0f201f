"""What every table reader shares: the sheet it returns, header finding, cell text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

from padu.errors import Problem

ROW = "_baris"
#: How many rows at the top of a file may hold titles above the header.
HEAD_ROWS = 15
UNREADABLE = "file_tidak_terbaca"
NO_ROWS = "tanpa_baris_data"
DUPLICATE = "kolom_ganda"

#: How well a row of cells looks like a header (0 = not at all); used to skip title rows.
HeaderScore = Callable[[Sequence[str]], int]
#: How one spreadsheet cell becomes text.
CellText = Callable[[object], "str | None"]


@dataclass
class Sheet:
    """A table file as text columns under its own headers, with where each row came from."""

    path: Path
    frame: pl.DataFrame | None
    headers: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1  # the row (1-based, as a person counts) that holds the header

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a person sees (whole numbers without ``.0``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "2"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def to_polars(table: pa.Table) -> pl.DataFrame:
    """An Arrow table as a Polars frame, keeping the Arrow chunks (no extra copy)."""
    frame = pl.from_arrow(table, rechunk=False)  # a rechunk would copy every column once more
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a Table always gives a frame
        raise TypeError("expected a table")
    return frame


def failed(path: Path, reason: str, code: str = UNREADABLE) -> Sheet:
    """A sheet that could not be read, with the one problem that says why."""
    return Sheet(path, None, [], [Problem(path.name or str(path), None, None, None, reason, code)])


def header_index(rows: Sequence[Sequence[str]], score: HeaderScore | None) -> int:
    """Which of the first rows is the header (the rows above it are titles or blank).

    The best-scoring row wins (the first of equals); when no row scores, the first row with
    at least two filled cells: a title is one cell, however many empty cells follow it.
    """
    top = list(rows[:HEAD_ROWS])
    if score is not None:
        scores = [score(r) for r in top]
        if scores and max(scores) > 0:
            return max(range(len(scores)), key=lambda i: (scores[i], -i))
    for i, r in enumerate(top):
        if sum(1 for c in r if c) >= 2:
            return i
    return next((i for i, r in enumerate(top) if any(r)), 0)


def named_headers(cells: Sequence[object]) -> list[str]:
    """Header texts; a blank header cell is named ``kolom_N`` (N its 1-based position)."""
    out = []
    for i, c in enumerate(cells):
        text = "" if c is None else str(c).strip().strip('"').strip()
        out.append(text or f"kolom_{i + 1}")
    return out


def duplicated(path: Path, headers: Sequence[str], row: int) -> Problem | None:
    """The problem of a header that names a column twice, naming those columns."""
    counts: dict[str, int] = {}
    for h in headers:
        counts[h] = counts.get(h, 0) + 1
    dups = sorted(h for h, n in counts.items() if n > 1)
    if not dups:
        return None
    return Problem(
        path.name,
        row,
        ", ".join(dups),
        None,
        f"nama kolom ganda di header: {', '.join(dups)}; beri setiap kolom nama sendiri",
        DUPLICATE,
    )


def short(exc: BaseException) -> str:
    """The first line of an exception message, cut to a readable length, identifiers masked."""
    from padu.identifiers import mask_identifiers

    text = str(exc).strip()
    return mask_identifiers((text.splitlines()[0] if text else type(exc).__name__)[:200])


def read_text(path: Path) -> str:
    """A small UTF-8 text file (YAML, a mapping): :class:`ImportRejected` naming the file
    when it is missing, a folder, unreadable or not UTF-8 text."""
    from padu.errors import ImportRejected

    name = path.name or str(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        reason = "file tidak ditemukan"
    except IsADirectoryError:
        reason = "ini sebuah folder, bukan file"
    except UnicodeDecodeError:
        reason = "bukan teks UTF-8 (file biner atau encoding lain); simpan ulang sebagai UTF-8"
    except OSError as exc:
        reason = f"file tidak dapat dibuka ({exc.strerror or type(exc).__name__})"
    raise ImportRejected(
        summary=f"{name}: {reason}", problems=[Problem(name, None, None, None, reason, UNREADABLE)]
    )
