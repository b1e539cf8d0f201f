"""Read-only copies of a DuckDB warehouse, published by the server for the CLI (issue 14).

A DuckDB file takes one writing process, and while it holds the file no other process may
open it even read-only. So ``padu serve`` (the single writer) publishes a consistent copy
after start-up and after every write job, and a read-only CLI command that finds the file
held by that server reads the copy instead (:func:`open_published`).

Beside ``warehouse.duckdb`` the folder ``baca/`` holds the copies
(``warehouse-<generation>.duckdb``) and ``warehouse.json`` naming the current one. Why the
copy is never seen half written:

* it is the warehouse file as of a ``CHECKPOINT``, copied byte for byte (a second or so
  on the full synthetic register; readers and writers of the server go on meanwhile) into
  a hidden temporary name that no reader ever opens; DuckDB does not overwrite the blocks
  of its current checkpoint until the next one has written a new file header, so a copy
  during which the header stayed the same is whole, and one during which it changed is
  thrown away and made again (:func:`_copy_checkpointed`);
* the copy is opened once to check it, synced, renamed to its final name, and only then
  does ``warehouse.json`` (itself written to a temporary name, synced and renamed) point
  at it.

The copies hold the whole register (personal data), so ``baca/`` is made private to the
server's user (0700, also when an older server left it open) and every file in it is
created 0600, whatever the umask.

The JSON also lists the batches the catalog had committed *before* the copy began (their
rows are certainly in it). A reader whose catalog shows a newer batch waits for the next
copy rather than read a snapshot whose rows are missing. Old copies are unlinked two
generations later; a reader that still has one open keeps reading it (POSIX keeps an
unlinked file until its last reader closes it), and one that lost the race reads the JSON
again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import ibis
from pydantic import BaseModel
from sqlalchemy import select

from padu.errors import StoreBusy
from padu.stores.batches import process_alive
from padu.stores.catalog import COMMITTED, BatchRow, Catalog
from padu.stores.warehouse import DUCKDB_MEMORY_LIMIT, Warehouse

#: The folder, beside the warehouse file, that holds the published copies.
FOLDER = "baca"
#: How long a reader waits for the server's first copy, or for one holding a batch the
#: catalog already shows (a publish of the full synthetic register takes a few seconds).
WAIT_SECONDS = 60.0
#: Tries (half a second apart when a write is open) at a checkpoint and a copy during which
#: no checkpoint changed the file, before giving up this time (the publisher tries again).
COPY_ATTEMPTS = 20
#: DuckDB's main header and its two alternating database headers (4 KiB each).
HEADER_BYTES = 3 * 4096
#: A table every paired warehouse has (padu.stores.identity.IDENTITY_TABLE).
IDENTITY = "identitas_store"
#: Copies kept besides the current one (for readers that read the JSON a moment ago).
KEEP = 1


class Published(BaseModel):
    """What ``baca/<stem>.json`` says: the current copy, and the server that made it."""

    pid: int
    #: 0 until the server's first copy is written (``file`` is then None)
    generation: int
    file: str | None
    published: dt.datetime | None
    #: batches committed in the catalog before the copy began: all in the copy
    batches: list[str]
    seconds: float | None = None
    #: where the web app listens, when the server said so (for messages)
    url: str | None = None


def duckdb_path(warehouse_url: str) -> Path | None:
    """The file of a ``duckdb://PATH`` warehouse URL (None for memory or PostgreSQL)."""
    if not warehouse_url.startswith("duckdb://"):
        return None
    path = warehouse_url.removeprefix("duckdb://")
    return None if path in ("", ":memory:") else Path(path)


#: Modes of the copies' folder and of every file in it (readable by the server's user only).
FOLDER_MODE, FILE_MODE = 0o700, 0o600


def folder(warehouse: Path) -> Path:
    return warehouse.parent / FOLDER


def private_folder(warehouse: Path) -> Path:
    """The copies' folder, made (or made again) private to this user."""
    target = folder(warehouse)
    target.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(target, FOLDER_MODE)
    return target


def record_path(warehouse: Path) -> Path:
    return folder(warehouse) / f"{warehouse.stem}.json"


def read_record(warehouse: Path) -> Published | None:
    """The current record (None: none, unreadable, or its server is gone)."""
    try:
        found = Published.model_validate_json(record_path(warehouse).read_bytes())
    except (OSError, ValueError):
        return None
    return found if process_alive(found.pid) else None


def _write_atomic(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path)
    _sync_dir(path.parent)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def announce(warehouse: Path, *, url: str | None = None) -> Published:
    """Say that this process (the server) holds ``warehouse`` and will publish copies.

    Written at start-up, before the first copy, so a reader waits for that copy instead of
    being refused; leftovers of a publish cut short (hidden temporary files) are removed.
    """
    target = private_folder(warehouse)
    for leftover in target.glob(".*.tmp*"):
        leftover.unlink(missing_ok=True)
    previous = _any_record(warehouse)
    record = Published(
        pid=os.getpid(), generation=previous.generation if previous else 0, file=None,
        published=None, batches=[], url=url,
    )  # fmt: skip
    _write_atomic(record_path(warehouse), record.model_dump_json().encode())
    return record


def _any_record(warehouse: Path) -> Published | None:
    try:
        return Published.model_validate_json(record_path(warehouse).read_bytes())
    except (OSError, ValueError):
        return None


def committed_batches(catalog: Catalog) -> list[str]:
    """Every batch whose rows a reader may reach (committed, or a pre-batch snapshot)."""
    with catalog.session() as s:
        done = set(s.scalars(select(BatchRow.id).where(BatchRow.state == COMMITTED)))
    return sorted(done | catalog.visible_batches())


def publish(
    wh: Warehouse, catalog: Catalog, warehouse: Path, *, url: str | None = None
) -> Published:
    """Copy the warehouse ``wh`` (this process's read-write DuckDB) to the next generation.

    Runs on a cursor of its own, so the server's readers and writers go on meanwhile. Call
    it from one thread at a time (the server's publisher does).
    """
    started = time.perf_counter()
    batches = committed_batches(catalog)  # before the copy: all of them are in it
    previous = _any_record(warehouse)
    generation = (previous.generation if previous else 0) + 1
    target = private_folder(warehouse)
    name = f"{warehouse.stem}-{generation}.duckdb"
    temp = target / f".{name}.{secrets.token_hex(6)}.tmp"
    try:
        _copy_checkpointed(wh, warehouse, temp)
        _check_copy(temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, target / name)
    _sync_dir(target)
    record = Published(
        pid=os.getpid(), generation=generation, file=name,
        published=dt.datetime.now(dt.UTC).replace(tzinfo=None), batches=batches,
        seconds=round(time.perf_counter() - started, 3), url=url,
    )  # fmt: skip
    _write_atomic(record_path(warehouse), record.model_dump_json().encode())
    _prune(warehouse, generation)
    return record


def _copy_checkpointed(wh: Warehouse, source: Path, temp: Path) -> None:
    """Copy the DuckDB file ``source`` to ``temp`` as of a checkpoint, byte for byte.

    After ``CHECKPOINT`` the file holds every committed row (the write-ahead log is folded
    in). DuckDB never overwrites the blocks the current file header refers to until a later
    checkpoint has written a new header (a crash mid-checkpoint must leave the old state
    whole), so a copy taken while the header stays the same is that checkpoint's state;
    a header that changed during the copy (a write triggered a checkpoint) means copy again.

    The bytes are read by a child process: DuckDB's lock on the file is a POSIX record lock,
    which a process loses when it closes *any* descriptor of that file, so this process
    (the server, the lock's holder) must never open the warehouse file itself.
    """
    cur = wh.con.con.cursor()
    try:
        for _ in range(COPY_ATTEMPTS):
            try:
                cur.execute("CHECKPOINT")
            except duckdb.TransactionException:  # a write transaction is open: wait for it
                time.sleep(0.5)
                continue
            copier = [sys.executable, "-I", "-c", _COPIER, str(source), str(temp)]
            done = subprocess.run(copier, capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode == 0:
                return
            if done.returncode != CHANGED:
                raise OSError(f"salinan {temp} gagal ditulis: {done.stderr.strip()[-300:]}")
            time.sleep(0.5)
    finally:
        cur.close()
    raise StoreBusy(
        f"salinan baca {source} belum dapat dibuat: warehouse sedang ditulis atau berubah "
        f"selama disalin ({COPY_ATTEMPTS} kali dicoba); dicoba lagi sebentar lagi"
    )


#: Exit status of the copier when a checkpoint changed the file while it copied.
CHANGED = 3
#: The copier (a child process, standard library only): header, copy and sync, header again.
_COPIER = f"""
import os, shutil, sys
source, temp = sys.argv[1], sys.argv[2]
def header(path):
    with open(path, "rb") as fh:
        return fh.read({HEADER_BYTES})
before = header(source)
fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, {FILE_MODE:#o})
with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
    dst.flush()
    os.fsync(dst.fileno())
sys.exit(0 if header(source) == before == header(temp) else {CHANGED})
"""


def _check_copy(path: Path) -> None:
    """Open the copy as a reader will and read its identity: a copy DuckDB cannot open
    (or whose checksums fail) is never published."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute(f"SELECT count(*) FROM {IDENTITY}").fetchall()  # noqa: S608 - a constant
    finally:
        con.close()


def _prune(warehouse: Path, current: int) -> None:
    pattern = re.compile(rf"{re.escape(warehouse.stem)}-(\d+)\.duckdb")
    for old in folder(warehouse).iterdir():
        found = pattern.fullmatch(old.name)
        if found and int(found.group(1)) < current - KEEP:
            old.unlink(missing_ok=True)


def server_holding(warehouse: Path, busy: StoreBusy) -> Published | None:
    """The live server's record when the server is what holds ``warehouse`` (the lock
    message of DuckDB names the holder's PID); None when another process holds it."""
    record = read_record(warehouse)
    if record is None:
        return None
    holder = re.search(r"\(PID (\d+)\)", str(busy.__cause__ or ""))
    if holder is not None and int(holder.group(1)) != record.pid:
        return None
    return record


def open_published(
    warehouse: Path,
    record: Published,
    fresh: Callable[[Published], bool],
    *,
    wait: float = WAIT_SECONDS,
) -> tuple[Warehouse, Published]:
    """Open the server's current copy read-only, waiting (up to ``wait`` seconds) for its
    first copy or for one that ``fresh`` accepts; StoreBusy when none comes in time."""
    deadline = time.monotonic() + wait
    while True:
        if record.file is not None:
            opened = _open_copy(folder(warehouse) / record.file, record)
            if opened is not None:
                if fresh(record):
                    return opened, record
                opened.close()
        if time.monotonic() > deadline:
            raise StoreBusy(
                f"warehouse {warehouse} dipegang server Padu (PID {record.pid}), dan salinan "
                f"bacanya belum memuat data terbaru setelah {wait:.0f} detik. Coba lagi "
                "sebentar, atau jalankan perintah lewat aplikasi web."
            )
        time.sleep(0.2)
        found = read_record(warehouse)
        if found is None:
            raise StoreBusy(
                f"warehouse {warehouse}: server Padu (PID {record.pid}) berhenti saat "
                "perintah ini menunggu salinannya; jalankan ulang perintahnya."
            )
        record = found


def _open_copy(path: Path, record: Published) -> Warehouse | None:
    """The copy at ``path`` opened read-only; None when it was pruned meanwhile."""
    if not path.exists():
        return None
    try:
        con = ibis.duckdb.connect(str(path), memory_limit=DUCKDB_MEMORY_LIMIT, read_only=True)
    except Exception as exc:  # duckdb.IOException: pruned between the check and the open
        if "does not exist" in str(exc) or not path.exists():
            return None
        raise
    con.raw_sql("SET enable_progress_bar = false")
    return Warehouse(con, f"duckdb://{path}", read_only=True)


def notice_text(record: Published) -> str:
    """The one line a CLI command prints (stderr) when it reads the server's copy."""
    from padu.fmt import waktu_wita

    moment = waktu_wita(record.published) if record.published else "-"
    return (
        f"Catatan: warehouse sedang dipegang server Padu (PID {record.pid}); perintah ini "
        f"membaca salinan server per {moment} (generasi {record.generation})."
    )


def writer_refusal(warehouse: Path, record: Published) -> StoreBusy:
    """The error for a writing command while the server holds the DuckDB warehouse."""
    where = f" ({record.url})" if record.url else ""
    return StoreBusy(
        f"warehouse {warehouse} dipegang server Padu (PID {record.pid}): dengan DuckDB server "
        "adalah satu-satunya penulis. Perintah ini mengubah data, jadi jalankan lewat "
        f"aplikasi web{where}, atau hentikan server dulu; untuk beberapa penulis sekaligus "
        "pakai PostgreSQL (PADU_WAREHOUSE_URL dan PADU_CATALOG_URL)."
    )


def remove_published(warehouse: Path) -> None:
    """Remove the record and every copy (the server calls this when it stops)."""
    with contextlib.suppress(FileNotFoundError):
        record_path(warehouse).unlink()
    pattern = re.compile(rf"\.?{re.escape(warehouse.stem)}-\d+\.duckdb.*")
    with contextlib.suppress(FileNotFoundError):
        for old in folder(warehouse).iterdir():
            if pattern.fullmatch(old.name):
                old.unlink(missing_ok=True)
