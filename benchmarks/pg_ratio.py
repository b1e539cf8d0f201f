"""Benchmark: the same CLI commands on DuckDB+SQLite and on PostgreSQL, and their ratio.

Issue 14 item 7: a multi-user deployment puts both stores on PostgreSQL, and every command
should run within 3x of the embedded DuckDB home on the same data. The script generates
the synthetic register at ``--scale`` (untimed), starts a throwaway PostgreSQL 15 server
(initdb as the ``postgres`` user, 127.0.0.1, a free port, stopped at the end), and runs in
child processes, on each backend in turn:

    padu register import keluarga.parquet individu.parquet --snapshot-date 2026-01-23
    padu register quality latest
    padu register desil latest
    padu programme import preset:kaltara-2026                    (untimed set-up)
    padu mpi --snapshot latest --by kabupaten
    padu mpi sensitivity --snapshot latest
    padu needs --snapshot latest
    padu register reference latest --year 2026 --why ...         (untimed set-up)
    padu target semua --snapshot acuan:2026 --adopt              (what plan and convergence read)
    padu plan kaltara-2026 --snapshot acuan:2026
    padu synth list --from acuan:2026 --programme PKH --size 5000 --seed 1
                                                                 (untimed; made once, on DuckDB)
    padu link daftar-pkh.xlsx --programme PKH --year 2026 --snapshot acuan:2026
    padu convergence --snapshot acuan:2026 --year 2026 --by kabupaten

These are every CLI command that reads the warehouse's register (``mpi --by kecamatan``
and ``target KODE`` are the same queries as their neighbours here). Both backends are
measured in one run, one after the other, so a busy machine slows both alike: read the
ratio, not the seconds.

The CLI is pointed at PostgreSQL as a server deployment would be: ``PADU_WAREHOUSE_URL`` and
``PADU_CATALOG_URL`` (padu.settings) name one database for both stores.

    python benchmarks/pg_ratio.py [--scale 1] [--only "target semua --adopt"] ...
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import table

PG_BIN = Path(os.environ.get("PADU_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATE = "2026-01-23"
#: (label, arguments after ``--home HOME``, timed); ``{synth}`` and ``{work}`` are folders
STEPS: list[tuple[str, list[str], bool]] = [
    ("register import", ["register", "import", "{synth}/keluarga.parquet",
                         "{synth}/individu.parquet", "--snapshot-date", DATE], True),
    ("register quality", ["register", "quality", "latest"], True),
    ("register desil", ["register", "desil", "latest"], True),
    ("programme import", ["programme", "import", "preset:kaltara-2026"], False),
    ("mpi --by kabupaten", ["mpi", "--snapshot", "latest", "--by", "kabupaten"], True),
    ("mpi sensitivity", ["mpi", "sensitivity", "--snapshot", "latest"], True),
    ("needs", ["needs", "--snapshot", "latest"], True),
    ("register reference", ["register", "reference", "latest", "--year", "2026",
                            "--why", "Benchmark: acuan 2026"], False),
    ("target semua --adopt", ["target", "semua", "--snapshot", "acuan:2026", "--adopt"], True),
    ("plan", ["plan", "kaltara-2026", "--snapshot", "acuan:2026"], True),
    ("synth list", ["synth", "list", "--from", "acuan:2026", "--programme", "PKH", "--size",
                    "5000", "--seed", "1", "--out", "{work}/daftar-pkh.xlsx"], False),
    ("link", ["link", "{work}/daftar-pkh.xlsx", "--programme", "PKH", "--year", "2026",
              "--snapshot", "acuan:2026"], True),
    ("convergence --by kabupaten", ["convergence", "--snapshot", "acuan:2026", "--year", "2026",
                                    "--by", "kabupaten"], True),
]  # fmt: skip
#: Set-up steps whose output file is shared: made on the first backend, reused on the next
#: (so both link the very same list).
ONCE = {"synth list": "{work}/daftar-pkh.xlsx"}
TARGET_RATIO = 3.0
#: ``padu`` as the installed script runs it (``python -m padu.cli`` would miss the commands
#: that other modules register on the app, such as ``convergence``)
PADU = [sys.executable, "-c", "import sys; from padu.cli import main; sys.exit(main(sys.argv[1:]))"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server in a temporary folder; yields the URL of a fresh database."""
    root = Path(tempfile.mkdtemp(prefix="padu-bench-pgdata-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C.UTF-8"]  # fmt: skip
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
    # the settings a small server would be given (the defaults' 4 MB work_mem and 128 MB
    # shared_buffers are for a machine shared with other services); fsync stays on
    opts = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 "
        "-c shared_buffers=512MB -c work_mem=64MB -c maintenance_work_mem=256MB"
    )
    ctl = str(PG_BIN / "pg_ctl")
    start = [ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]
    subprocess.run(_as_postgres(start), check=True, capture_output=True)
    try:
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        subprocess.run(
            [sys.executable, "-c", "import psycopg, sys; c = psycopg.connect(sys.argv[1], "
             "autocommit=True); c.execute('CREATE DATABASE padu')", admin],
            check=True,
        )  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/padu"
    finally:
        stop = [ctl, "-D", str(data), "-m", "fast", "stop"]
        subprocess.run(_as_postgres(stop), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def run_steps(
    home: Path, work: Path, synth: Path, env: dict[str, str], only: set[str] | None = None
) -> dict[str, float]:
    """Run every step on one backend (with ``only``: the set-up and the import, then only
    those timed commands); the seconds of the timed ones."""
    seconds: dict[str, float] = {}
    for label, args, timed in STEPS:
        if label in ONCE and Path(ONCE[label].format(work=work)).exists():
            continue
        if only is not None and timed and label not in only and label != "register import":
            continue
        if only is not None and label in ONCE and "link" not in only:
            continue  # the list made for `link` alone
        argv = [*PADU, "--home", str(home), *(a.format(synth=synth, work=work) for a in args)]
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, check=False)  # fmt: skip
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.splitlines()[-8:])
            raise SystemExit(f"{label}: exit {proc.returncode}\n{tail}")
        print(f"  {label}: {elapsed:.2f} s", file=sys.stderr, flush=True)
        if timed:
            seconds[label] = elapsed
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--synth", type=Path, help="a generated register folder to reuse")
    parser.add_argument(
        "--only",
        action="append",
        metavar="COMMAND",
        help="time only this command (repeatable, e.g. 'target semua --adopt'); the set-up "
        "and the import still run",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="padu-bench-pg-"))
    base_env = {
        k: v for k, v in os.environ.items() if k not in ("PADU_WAREHOUSE_URL", "PADU_CATALOG_URL")
    }
    try:
        synth = args.synth or work / "synth"
        if args.synth is None:
            subprocess.run(
                [*PADU, "synth", "--scale", str(args.scale), "--out", str(synth), "--no-xlsx"],
                check=True, stdout=subprocess.DEVNULL, env=base_env,
            )  # fmt: skip
        print("DuckDB + SQLite", file=sys.stderr)
        only = set(args.only) if args.only else None
        duck = run_steps(work / "home-duckdb", work, synth, base_env, only)
        with postgres_server() as url:
            print("PostgreSQL", file=sys.stderr)
            env = {**base_env, "PADU_WAREHOUSE_URL": url, "PADU_CATALOG_URL": url}
            pg = run_steps(work / "home-pg", work, synth, env, only)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows = []
    for label in duck:
        ratio = pg[label] / duck[label]
        verdict = "met" if ratio <= TARGET_RATIO else "missed"
        rows.append([f"padu {label}", f"{duck[label]:.2f}", f"{pg[label]:.2f}",
                     f"{ratio:.2f}", verdict])  # fmt: skip
    table(
        f"PostgreSQL against DuckDB, scale {args.scale:g} (seconds per command, end to end)",
        ["command", "DuckDB s", "PostgreSQL s", "ratio", f"<= {TARGET_RATIO:g}x"],
        rows,
    )


if __name__ == "__main__":
    main()
