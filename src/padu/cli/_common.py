"""What every ``padu`` command shares: the app, its state, output, and error handling.

Global options come before the command (``padu [--home DIR] [--json] [--by NAME] COMMAND``);
``--json`` is also accepted after it. Exit codes: 0 success, 1 bad input (with the report),
2 usage (a wrong option, a missing argument, an unknown command, an input file that does
not exist), 130 interrupted (Ctrl-C). Every failure prints one line ``galat: ...`` on
stderr, or with ``--json`` exactly one object ``{"error": KIND, "message": ...}`` on stdout.
Each command checks its arguments and output paths before it opens the stores.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from padu.audit import resolve_actor
from padu.errors import ImportRejected, InternalError, PaduError, UsageError
from padu.files import check_output_file
from padu.fmt import angka
from padu.settings import Settings
from padu.stores import Catalog, Warehouse, open_stores


def command_group(help: str, *, invoke_without_command: bool = False) -> typer.Typer:
    """A command group whose usage line reads in Indonesian (``[OPSI] PERINTAH``)."""
    return typer.Typer(
        help=help,
        add_completion=False,
        invoke_without_command=invoke_without_command,
        options_metavar="[OPSI]",
        subcommand_metavar="PERINTAH [ARGUMEN]...",
    )


app = command_group("Padu: satu data, semua program pengentasan kemiskinan.")


def _indonesian_help() -> None:
    """Typer's help screens in Bahasa Indonesia.

    Typer reads its panel titles and markers from ``typer.rich_utils`` constants when it
    draws a help screen, takes the usage prefix from the context's help formatter, and
    gives ``--help`` an English help text; these are the hooks it offers. A test asserts
    the result (``padu --help`` shows "Opsi"), so an upgrade that moves a hook fails there.
    """
    from typer import _click, rich_utils

    rich_utils.OPTIONS_PANEL_TITLE = "Opsi"
    rich_utils.ARGUMENTS_PANEL_TITLE = "Argumen"
    rich_utils.COMMANDS_PANEL_TITLE = "Perintah"
    rich_utils.ERRORS_PANEL_TITLE = "Galat"
    rich_utils.REQUIRED_LONG_STRING = "[wajib]"
    rich_utils.DEFAULT_STRING = "[bawaan: {}]"
    rich_utils.ENVVAR_STRING = "[variabel lingkungan: {}]"
    rich_utils.DEPRECATED_STRING = "(usang) "
    rich_utils.ABORTED_TEXT = "Dibatalkan."
    rich_utils.RICH_HELP = "Lihat [blue]'{command_path} {help_option}'[/] untuk bantuan."

    class Formatter(_click.formatting.HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, "Penggunaan: " if prefix is None else prefix)

    _click.core.Context.formatter_class = Formatter
    plain_help_option = _click.core.Command.get_help_option

    def help_option(self: Any, ctx: Any) -> Any:
        option = plain_help_option(self, ctx)
        if option is not None:
            option.help = "Tampilkan bantuan ini lalu keluar."
        return option

    _click.core.Command.get_help_option = help_option  # type: ignore[method-assign]


_indonesian_help()
out = Console(width=None if sys.stdout.isatty() else 160)  # no truncated tables in logs
err = Console(stderr=True)


@dataclass
class State:
    """The global options of one ``padu`` run: settings (``--home``), ``--json``, ``--by``."""

    settings: Settings
    json: bool
    by: str | None = None

    def actor(self, by: str | None = None) -> str:
        """Who acts: the command's ``--by``, the global ``--by``, PADU_USER, the OS user."""
        return resolve_actor(by or self.by)

    @contextmanager
    def stores(self, *, read_only: bool = False) -> Iterator[tuple[Warehouse, Catalog]]:
        """Both stores, checked to belong together; a DuckDB warehouse read-only if asked."""
        warehouse, catalog = open_stores(
            self.settings.resolved_warehouse_url(),
            self.settings.resolved_catalog_url(),
            read_only=read_only,
        )
        try:
            yield warehouse, catalog
        finally:
            warehouse.close()
            catalog.close()


def state_of(ctx: typer.Context) -> State:
    """The run's :class:`State`, set by the root callback from the global options."""
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - the root callback always sets it
        raise TypeError("padu CLI state missing")
    return obj


def emit(state: State, data: dict[str, Any], table: RenderableType | None = None) -> None:
    """A command's result: one JSON object with ``--json``, else the table (or line) for people."""
    if state.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    elif table is not None:
        out.print(table)


def existing_file(path: Path, what: str = "berkas") -> Path:
    """An input file that must exist: a usage error (exit 2) before any work, like click's."""
    if not path.exists():
        raise UsageError(f"{what} tidak ada: {path}")
    if path.is_dir():
        raise UsageError(f"{what} {path} adalah folder, bukan berkas")
    return path


def right_align(table: Table, *headers: str) -> None:
    """Right-align the named columns (counts and amounts line up on their last digit)."""
    for column in table.columns:
        if column.header in headers:
            column.justify = "right"


def field_words(name: str) -> str:
    """A register field as an officer reads it: ``individu.partisipasi_sekolah`` ->
    ``Partisipasi sekolah (individu)``; a name the schema does not know, spaced out."""
    from padu.schema import register_schema

    level, _, field = name.rpartition(".")
    schema = register_schema()
    for lv in (level,) if level in ("keluarga", "individu") else ("keluarga", "individu"):
        try:
            label = schema.field(lv, field).label_id  # type: ignore[arg-type]
        except KeyError:
            continue
        return f"{label} ({lv})" if level else label
    return name.replace("_", " ")


#: The linkage comparison names, as the agreeing fields of a pair are listed.
_AGREE_WORDS = {
    "nik": "NIK",
    "nama": "nama",
    "tanggal_lahir": "tanggal lahir",
    "jenis_kelamin": "jenis kelamin",
    "wilayah": "wilayah",
    "desa": "desa",
    "kk": "No. KK",
    "rt": "RT",
    "alamat": "alamat",
}


def agree_words(agree: str | None) -> str:
    """The fields a pair agrees on, in words: ``nama,tanggal_lahir`` -> ``nama, tanggal lahir``."""
    if not agree:
        return "-"
    parts = [p.strip() for p in agree.split(",") if p.strip()]
    return ", ".join(_AGREE_WORDS.get(p, p.replace("_", " ")) for p in parts)


def check_format(fmt: str, out_file: Path | None, *, json_file: bool = False) -> None:
    """``--format table|json|xlsx`` with its ``--out``: xlsx needs a file, a table has none,
    and JSON goes to a file only where the command writes one (``json_file``)."""
    if fmt not in ("table", "json", "xlsx"):
        raise UsageError("--format: harus table, json atau xlsx")
    if fmt == "xlsx" and out_file is None:
        raise UsageError("--out: format xlsx membutuhkan --out FILE.xlsx")
    if out_file is None:
        return
    if fmt == "table" or (fmt == "json" and not json_file):
        raise UsageError(
            "--out: hanya untuk --format json atau xlsx" if json_file
            else "--out: hanya untuk --format xlsx"
        )  # fmt: skip
    check_output_file(out_file, (".xlsx",) if fmt == "xlsx" else (".json",))


#: The ``--by`` option of a command that records who acted (audit log).
BY = Annotated[
    str | None, typer.Option("--by", help="Nama petugas (bawaan: PADU_USER atau pengguna OS).")
]


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", help="Folder data Padu (PADU_HOME).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Keluaran satu objek JSON di stdout.")
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Nama petugas untuk log audit (bawaan: PADU_USER, pengguna OS)."),
    ] = None,
) -> None:
    settings = Settings() if home is None else Settings(home=home)
    ctx.obj = State(settings=settings, json=as_json, by=by)


@contextmanager
def progress(state: State, total: int = 2) -> Iterator[Any]:
    """A ``step(label)`` callback drawing a transient progress bar on a terminal's stderr."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as prog:
        task = prog.add_task("mulai", total=total)
        first = True

        def step(label: str) -> None:
            nonlocal first
            if not first:
                prog.advance(task)
            first = False
            prog.update(task, description=label)

        yield step
        prog.update(task, completed=total)


# -- errors ---------------------------------------------------------------------------------

INTERRUPTED = 130


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _usage_message(exc: Exception) -> str:
    """A click/typer usage error as one Indonesian line naming the option and the help."""
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        try:
            hint = param.get_error_hint()
        except Exception:  # another click version: the parameter's name will do
            hint = getattr(param, "name", None)
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(str(h) for h in hint)
    raw = str(getattr(exc, "message", "") or exc)
    if kind == "MissingParameter":
        text = f"{hint or 'argumen'} wajib diisi"
    elif kind == "NoSuchOption":
        text = f"opsi tidak dikenal: {getattr(exc, 'option_name', raw)}"
        maybe = getattr(exc, "possibilities", None)
        if maybe:
            text += f" (maksud Anda: {', '.join(sorted(maybe))}?)"
    elif kind == "BadOptionUsage" and "requires an argument" in raw:
        text = f"opsi {getattr(exc, 'option_name', '')} membutuhkan nilai"
    elif kind == "NoArgsIsHelpError" or raw.startswith("Missing command"):
        text = "perintah belum lengkap"
    elif raw.startswith("No such command"):
        text = "perintah tidak dikenal: " + raw.removeprefix("No such command").strip(" .")
    elif hint:
        text = f"nilai {hint} tidak valid: {_translated(raw)}"
    else:
        text = raw
    if ctx is not None:
        text += f" (lihat: {ctx.command_path} --help)"
    return _one_line(text)


_TYPE_WORDS = (
    ("valid integer", "harus bilangan bulat"),
    ("valid number", "harus angka"),
    ("valid boolean", "harus true atau false"),
    ("valid date", "harus tanggal YYYY-MM-DD"),
)


def _translated(raw: str) -> str:
    """Typer's type messages (English, from pydantic) in the officer's words."""
    return next((word for key, word in _TYPE_WORDS if key in raw), raw)


def _fail(error: PaduError, as_json: bool) -> int:
    """Print one error (one JSON object on stdout, or ``galat:`` lines on stderr); its code."""
    if as_json:
        sys.stdout.write(json.dumps(error.to_dict(), ensure_ascii=False, default=str) + "\n")
        return error.exit_code
    sys.stderr.write(f"galat: {_one_line(error.message)}\n")
    if isinstance(error, ImportRejected):
        for p in error.problems[:20]:
            sys.stderr.write(f"  - {_one_line(p.describe())}\n")
        if len(error.problems) > 20:
            more = f"  ... dan {angka(len(error.problems) - 20)} masalah lain"
            sys.stderr.write(more + (" (lihat file di bawah)\n" if error.rejects_paths else "\n"))
        for path in error.rejects_paths:
            sys.stderr.write(f"  file: {path}\n")
    return error.exit_code


class Interrupted(PaduError):
    """The user pressed Ctrl-C: nothing half-done is visible, and the exit code is 130."""

    exit_code = INTERRUPTED


def _internal(exc: BaseException) -> InternalError:
    from padu.identifiers import mask_identifiers

    first = _one_line(str(exc))[:300]
    return InternalError(
        f"kesalahan internal ({type(exc).__name__}: {mask_identifiers(first)}); "
        "laporkan ke pengelola Padu, jalankan lagi dengan PADU_DEBUG=1 untuk jejak lengkap"
    )


def _interrupted(exc: BaseException) -> bool:
    """Whether Ctrl-C caused ``exc``: DuckDB, for one, turns it into "Query interrupted"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _json_requested(args: list[str]) -> bool:
    """Whether ``--json`` was given anywhere; it is moved before the command."""
    if "--json" not in args:
        return False
    args.remove("--json")
    args.insert(0, "--json")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: runs a command and maps every failure to one message and an exit code.

    0 success, 1 bad input, 2 usage, 130 interrupted. No failure prints a traceback
    (unless ``PADU_DEBUG=1``); with ``--json`` every failure is one JSON object on stdout.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = _json_requested(args)
    if not args:  # plain `padu`: the list of commands
        args = ["--help"]
    try:
        code = app(args=args, prog_name="padu", standalone_mode=False)
    except KeyboardInterrupt:
        code = INTERRUPTED
    except PaduError as exc:
        if _interrupted(exc):
            return _fail(Interrupted("dibatalkan"), as_json)
        return _fail(exc, as_json)
    except typer.TyperException as exc:  # click's usage errors (missing option, bad value)
        usage = int(getattr(exc, "exit_code", 2)) == 2
        return _fail((UsageError if usage else InternalError)(_usage_message(exc)), as_json)
    except (typer.Abort, EOFError):
        code = INTERRUPTED
    except Exception as exc:
        if _interrupted(exc):
            return _fail(Interrupted("dibatalkan"), as_json)
        if os.environ.get("PADU_DEBUG"):
            import traceback

            traceback.print_exc()
        return _fail(_internal(exc), as_json)
    if code == INTERRUPTED:
        return _fail(Interrupted("dibatalkan"), as_json)
    return int(code or 0)
