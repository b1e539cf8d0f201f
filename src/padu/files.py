"""Output files that appear whole or not at all.

Every file Padu writes for a user (a BNBA list, a report, a rejects file, a synthetic
register) is first written under a hidden temporary name in the same folder and renamed
into place only when the writing and the audit event both succeeded. A crash, a Ctrl-C or
a failed audit insert therefore leaves no half-written file under the name the user asked
for. The same folder keeps the rename atomic (one file system).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from padu.errors import InputError

__all__ = ["atomic_folder", "atomic_output", "check_output_file", "check_output_folder"]


def check_output_file(path: Path, suffixes: Sequence[str] = ()) -> Path:
    """Refuse an output file path before any work: missing folder, wrong suffix, a folder.

    Returns the absolute path. ``suffixes`` (lower case, with the dot) lists the accepted
    endings; empty accepts any.
    """
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        wanted = " atau ".join(suffixes)
        raise InputError(f"{path}: akhiran berkas harus {wanted} (bukan {path.suffix or 'kosong'})")
    if path.is_dir():
        raise InputError(f"{path}: sudah ada sebagai folder; beri nama berkas keluaran")
    return _writable_parent(path)


def check_output_folder(path: Path) -> Path:
    """Refuse an output folder before any work: its parent must exist, it must not be a file.

    Returns the absolute path. The folder itself may exist already (its content is then
    replaced as a whole by ``atomic_folder``).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: sudah ada sebagai berkas; beri nama folder keluaran")
    return _writable_parent(path)


def _writable_parent(path: Path) -> Path:
    """``path`` made absolute, once its folder is known to exist and to be writable."""
    parent = path.resolve().parent
    if not parent.is_dir():
        raise InputError(f"{path}: folder {parent} tidak ada; buat dulu foldernya")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{path}: folder {parent} tidak dapat ditulisi")
    return path.resolve()


def _temp_name(path: Path, kind: str) -> Path:
    """A hidden sibling named after the writing process: ``.x.xlsx.tmp-<pid>-<hex>.xlsx``."""
    return path.with_name(f".{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")


def _sweep_abandoned(path: Path) -> None:
    """Remove temporary siblings of ``path`` left by a writer that was killed (kill -9).

    Such a file may hold personal data (a BNBA list written just before its audit event).
    Only files of processes that no longer exist are removed, so a concurrent writer of the
    same path keeps its own.
    """
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.tmp-(\d+)-[0-9a-f]{{8}}")
    for sibling in path.parent.glob(f".{glob.escape(path.name)}.tmp-*"):
        found = pattern.match(sibling.name)
        if found and not _alive(int(found.group(1))):
            _remove(sibling)


def _alive(pid: int) -> bool:
    from padu.stores.batches import process_alive  # one liveness probe, zombies included

    return pid == os.getpid() or process_alive(pid)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On any exception (Ctrl-C included) the temporary file is removed and ``path`` is left
    as it was. Record a file's audit event inside the ``with`` block, so that a failed
    audit insert also leaves no file. The parent folder must exist (``InputError``).
    """
    target = check_output_file(path)
    _sweep_abandoned(target)
    temp = _temp_name(target, "tmp")
    try:
        yield temp
        if not temp.exists():
            raise FileNotFoundError(f"{temp} was not written")
        os.replace(temp, target)
    except BaseException:
        _remove(temp)
        raise


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back for the few renames that put a folder's files in place."""
    main = threading.current_thread() is threading.main_thread()
    if not main or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder next to ``path``; its files move into ``path`` on success.

    A new ``path`` is the temporary folder renamed (one atomic step). An existing folder
    keeps its other files; each written file replaces its namesake by a rename, with Ctrl-C
    held back until all are in place. On any exception the temporary folder is removed and
    ``path`` is left as it was: a half-written set of files is never visible.
    """
    target = check_output_folder(path)
    _sweep_abandoned(target)
    temp = _temp_name(target, "tmp")
    temp.mkdir()
    try:
        yield temp
        with _interrupts_deferred():
            if not target.exists():
                os.replace(temp, target)
                return
            for entry in sorted(temp.iterdir()):
                dest = target / entry.name
                if dest.is_dir() and not dest.is_symlink():
                    shutil.rmtree(dest)
                os.replace(entry, dest)
            temp.rmdir()
    except BaseException:
        _remove(temp)
        raise
