"""Benchmark: the web app under 50 concurrent simulated users (issue 14, "Load").

On each store in turn (``--store duckdb|postgres|both``):

1. the synthetic register at ``--scale`` is generated and imported into a new home (on
   PostgreSQL: a throwaway server as ``pg_ratio.py`` starts one, both stores in it), with
   the Kaltara 2026 programmes and every target list adopted, so the IBR lookup finds
   enrolments; one account per simulated user (roles viewer, opd of DINSOS and admin in
   turn: officers each have their own, and the login throttle rightly refuses one account
   logging in 17 times at once) and an API token for an opd and an admin (all untimed);
2. ``padu serve`` (one uvicorn process, as deployed) starts on 127.0.0.1 and a free port;
3. every page view is requested once in turn ("first ms": the cold cost, where a
   snapshot's figures are computed), then three times more ("alone ms": the median
   warm cost with nothing else running);
4. ``--users`` simulated officers run for ``--warmup`` + ``--seconds`` seconds. Each logs
   in (GET /login, POST /login with the form's CSRF token; the logins are spread over
   the warm-up; a 429 or 503 is waited out as its Retry-After says), then loops over the
   page views from a random starting point, waiting ``--think`` seconds on average
   between them (uniform 0.5x-1.5x: 3 s is locust's customary ``between(1, 5)``):

   - Beranda ``/`` and the Kemiskinan drill-down ``/kemiskinan``, ``/kemiskinan/KAB``,
     ``/kemiskinan/KEC``, ``/kemiskinan/DESA`` (one that answers 404 is skipped, with a
     note), each with its static files as a browser fetches them: in full the first time,
     then revalidated with ``If-None-Match`` (a 304 is a success);
   - ``GET /api/v1/snapshots``, ``GET /api/v1/mpi?by=kabupaten|kecamatan|desa`` and
     ``POST /api/v1/ibr/enrolled`` (20 NIKs of the register) with a bearer token (half of
     the users as the admin, half as the opd officer).

Warm-up is excluded by time: a request that *starts* before the end of ``--warmup``
(counted from the users' start, after the priming of step 3) is left out of the figures.
An error is any other answer than 200 (303 for a login, 304 for a revalidated file), a
transport failure or a timeout (30 s).

The table gives per endpoint and overall: requests, errors, p50, p95, p99 and max in ms,
requests per second, then "first" and "alone"; the notes give the server's CPU (cores
used, CPU ms per request) and the machine's load average. The client runs on the same
machine and takes its share of the CPU: say so when quoting.

    python benchmarks/load_web.py [--store both] [--users 50] [--seconds 60] [--scale 1]
        [--think 3] [--warmup 20] [--work DIR]

``--work DIR`` keeps the generated register, the homes and the PostgreSQL data in DIR and
reuses them on the next run (the import is the slow part); without it everything is made
in a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyarrow.parquet as pq
from _common import table
from pg_ratio import PG_BIN, _as_postgres, _free_port

DATE = "2026-01-23"
PASSWORD = "beban-" + "kata-sandi-uji-2026"
PADU = [sys.executable, "-c", "import sys; from padu.cli import main; sys.exit(main(sys.argv[1:]))"]
TARGET_P95_MS = 300.0
NIK = "nomor_induk_kependudukan"
STATIC = {
    "base": ["/static/padu.css", "/static/vendor/htmx/htmx.min.js", "/static/favicon.svg"],
    "beranda": ["/static/vendor/leaflet/leaflet.css", "/static/vendor/leaflet/leaflet.js",
                "/static/beranda.js"],
}  # fmt: skip
_SCRIPT_SRC = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"]+)"')


# --------------------------------------------------------------------------- set-up


def padu(home: Path, env: dict[str, str], *args: str) -> str:
    """Run ``padu --home HOME ARGS`` and return its standard output (exit on failure)."""
    proc = subprocess.run(
        [*PADU, "--home", str(home), *args], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).splitlines()[-8:])
        raise SystemExit(f"padu {' '.join(args)}: exit {proc.returncode}\n{tail}")
    return proc.stdout


def synth(work: Path, scale: float, env: dict[str, str]) -> Path:
    out = work / "synth"
    if not (out / "individu.parquet").exists():
        log(f"generating the synthetic register (scale {scale:g})")
        subprocess.run(
            [*PADU, "synth", "--scale", str(scale), "--out", str(out), "--no-xlsx"],
            check=True, stdout=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    return out


#: adds the benchmark's accounts (one per simulated user, as officers each have their own)
#: and two API tokens, in one child process with the environment naming the stores
_ACCOUNTS = """
import json, sys
from padu.accounts import add_user, find_user, issue_token
from padu.settings import Settings
from padu.stores import open_stores
home, password, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
settings = Settings(home=home)
wh, cat = open_stores(settings.resolved_warehouse_url(), settings.resolved_catalog_url())
for name, role, agency in names:
    if find_user(cat, name) is None:
        add_user(cat, name, password, role, agency, actor="uji-beban")
tokens = {n: issue_token(cat, n, "uji-beban", label="uji beban") for n in sys.argv[4:]}
print(json.dumps(tokens))
"""


def account(n: int) -> tuple[str, str, str | None]:
    """Simulated user ``n``'s account: (name, role, agency), the roles taken in turn."""
    role = ("viewer", "opd", "admin")[n % 3]
    return f"beban_{role}_{n:03d}", role, "DINSOS" if role == "opd" else None


def prepare_home(home: Path, data: Path, env: dict[str, str], users: int) -> dict[str, str]:
    """Import the register, programmes and adopted lists (once per home), add the accounts
    of ``users`` simulated users; return the API tokens by account (kept in the home)."""
    home.mkdir(parents=True, exist_ok=True)  # on PostgreSQL only small files are kept here
    state_file = home / "beban.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    if not (home / "beban-imported").exists():
        log(f"importing into {home}")
        padu(home, env, "register", "import", str(data / "keluarga.parquet"),
             str(data / "individu.parquet"), "--snapshot-date", DATE)  # fmt: skip
        padu(home, env, "programme", "import", "preset:kaltara-2026")
        padu(home, env, "target", "semua", "--snapshot", "latest", "--adopt")
        (home / "beban-imported").touch()
    if state.get("users", 0) < users:
        log(f"adding {users} accounts")
        names = json.dumps([account(n) for n in range(users)])
        wanted = [] if state else [account(1)[0], account(2)[0]]  # an opd and an admin
        proc = subprocess.run(
            [sys.executable, "-c", _ACCOUNTS, str(home), PASSWORD, names, *wanted],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(f"adding accounts: {proc.stderr[-2000:]}")
        state = {"users": users, "tokens": state.get("tokens") or json.loads(proc.stdout)}
        state_file.write_text(json.dumps(state))
    tokens: dict[str, str] = state["tokens"]
    return tokens


@contextmanager
def postgres(root: Path) -> Iterator[str]:
    """A PostgreSQL server on ``root/data`` (made on first use, kept with ``--work``)."""
    data, sock = root / "data", root / "sock"
    sock.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        import pwd

        pw = pwd.getpwnam("postgres")
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    fresh = not data.exists()
    if fresh:
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8"]  # fmt: skip
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
    opts = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=200 "
        "-c shared_buffers=512MB -c work_mem=64MB -c maintenance_work_mem=256MB"
    )
    ctl = str(PG_BIN / "pg_ctl")
    start = [ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]
    subprocess.run(_as_postgres(start), check=True, capture_output=True)
    try:
        if fresh:
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


@contextmanager
def server(home: Path, env: dict[str, str], log_file: Path) -> Iterator[tuple[str, int]]:
    """``padu serve`` on 127.0.0.1 and a free port; yields (base URL, its process id)."""
    port = _free_port()
    with log_file.open("w") as fh:
        proc = subprocess.Popen(
            [*PADU, "--home", str(home), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**env, "PADU_SECRET_KEY": secrets.token_urlsafe(48)},
            stdout=fh, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"padu serve stopped (exit {proc.returncode}); see {log_file}")
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"padu serve did not answer in 120 s; see {log_file}")
            time.sleep(0.25)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class View:
    """One page view: the endpoint's label, method, path, and its static files."""

    label: str
    method: str
    path: str
    api: bool = False
    statics: tuple[str, ...] = ()


@dataclass
class Record:
    started: float
    ms: float
    ok: bool
    status: int | str


@dataclass
class Results:
    by_label: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, label: str, rec: Record) -> None:
        self.by_label[label].append(rec)


async def timed(
    client: httpx.AsyncClient, results: Results, label: str, method: str, path: str,
    ok: tuple[int, ...] = (200,), **kwargs: object,
) -> httpx.Response | None:  # fmt: skip
    start = time.monotonic()
    try:
        response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        status: int | str = response.status_code
    except httpx.HTTPError as exc:
        response, status = None, type(exc).__name__
    ms = (time.monotonic() - start) * 1000
    good = status in ok
    results.add(label, Record(start, ms, good, status))
    if not good:
        results.errors[f"{label} -> {status}"] += 1
    return response


async def user_loop(
    n: int, base: str, views: list[View], tokens: dict[str, str], niks: list[str],
    results: Results, stop_at: float, think: float, login_spread: float,
) -> None:  # fmt: skip
    name = account(n)[0]
    token = list(tokens.values())[n % len(tokens)]  # half call the API as admin, half as opd
    rng = random.Random(n)  # noqa: S311 - think times and picks, not secrets
    etags: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30.0, follow_redirects=False) as client:
        await asyncio.sleep(rng.uniform(0, login_spread))  # officers do not all log in at once
        for _ in range(5):  # an officer told "wait" (429, 503) waits and tries again
            page = await timed(client, results, "GET /login", "GET", "/login")
            match = re.search(r'name="csrf_token" value="([^"]+)"', page.text if page else "")
            form = {"username": name, "password": PASSWORD, "next": "/",
                    "csrf_token": match.group(1) if match else ""}  # fmt: skip
            done = await timed(client, results, "POST /login", "POST", "/login", ok=(303,),
                               data=form)  # fmt: skip
            if done is None or done.status_code not in (429, 503):
                break
            await asyncio.sleep(float(done.headers.get("retry-after", "2")))
        api_headers = {"Authorization": f"Bearer {token}"}
        i = rng.randrange(len(views))
        while time.monotonic() < stop_at:
            view = views[i % len(views)]
            i += 1
            if view.label.startswith("POST /api/v1/ibr"):
                body = {"nik": rng.sample(niks, 20)}
                await timed(client, results, view.label, "POST", view.path, json=body,
                            headers=api_headers)  # fmt: skip
            else:
                await timed(client, results, view.label, "GET", view.path,
                            headers=api_headers if view.api else None)  # fmt: skip
            for path in view.statics:  # as a browser: in full once, then revalidated
                headers = {"If-None-Match": etags[path]} if path in etags else {}
                got = await timed(client, results, "GET /static/*", "GET", path,
                                  ok=(200, 304), headers=headers)  # fmt: skip
                if got is not None and "etag" in got.headers:
                    etags[path] = got.headers["etag"]
            if think > 0:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


def _log_in(client: httpx.Client, account: str) -> None:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    form = {"username": account, "password": PASSWORD, "next": "/",
            "csrf_token": match.group(1) if match else ""}  # fmt: skip
    answer = client.post("/login", data=form)
    if answer.status_code != 303:
        raise SystemExit(f"log-in as {account}: {answer.status_code}")


def prime(
    base: str, token: str, niks: list[str]
) -> tuple[list[View], dict[str, float], dict[str, float], list[str]]:
    """One request per page view, in turn, before the users start: the views to run (the
    drill-down pages that answer 200), each one's cold time in ms, and notes on skipped ones.

    This is where a snapshot's figures are computed (once per server process); the times
    are reported as "first ms"."""
    headers = {"Authorization": f"Bearer {token}"}
    first: dict[str, float] = {}
    alone: dict[str, float] = {}
    notes: list[str] = []
    with httpx.Client(base_url=base, timeout=600) as client:
        _log_in(client, account(0)[0])
        t0 = time.monotonic()
        desa = client.get("/api/v1/mpi", params={"by": "desa"}, headers=headers)
        first["GET /api/v1/mpi?by=desa"] = (time.monotonic() - t0) * 1000
        desa.raise_for_status()
        codes = sorted(g["kode"] for g in desa.json()["groups"] if g["kode"].count(".") == 3)
        d = codes[len(codes) // 2]
        kab, kec = ".".join(d.split(".")[:2]), ".".join(d.split(".")[:3])
        views = [View("GET /", "GET", "/", statics=(*STATIC["base"], *STATIC["beranda"]))]
        views += [View(f"GET {label}", "GET", path) for label, path in (
            ("/kemiskinan", "/kemiskinan"), ("/kemiskinan/{kabupaten}", f"/kemiskinan/{kab}"),
            ("/kemiskinan/{kecamatan}", f"/kemiskinan/{kec}"),
            ("/kemiskinan/{desa}", f"/kemiskinan/{d}"))]  # fmt: skip
        views += [View(f"GET {path}", "GET", path, api=True) for path in (
            "/api/v1/snapshots", "/api/v1/mpi?by=kabupaten", "/api/v1/mpi?by=kecamatan",
            "/api/v1/mpi?by=desa")]  # fmt: skip
        views.append(View("POST /api/v1/ibr/enrolled", "POST", "/api/v1/ibr/enrolled", api=True))
        kept = []

        def once(view: View) -> tuple[httpx.Response, float]:
            t0 = time.monotonic()
            if view.method == "POST":
                answer = client.post(view.path, json={"nik": niks[:20]}, headers=headers)
            else:
                answer = client.get(view.path, headers=headers if view.api else None)
            return answer, (time.monotonic() - t0) * 1000

        for view in views:
            answer, ms = once(view)
            first.setdefault(view.label, ms)
            if answer.status_code == 404 and view.label.startswith("GET /kemiskinan"):
                notes.append(f"skipped GET {view.path}: it answered 404 (page not built yet)")
                continue
            if answer.status_code != 200:
                raise SystemExit(f"{view.label}: {answer.status_code} {answer.text[:300]}")
            if view.path.startswith("/kemiskinan"):  # its own scripts and styles
                own = tuple(dict.fromkeys(_SCRIPT_SRC.findall(answer.text)))
                view = View(view.label, view.method, view.path, statics=own)
            kept.append(view)
        for view in kept:  # warm, one at a time: the cost of the request itself
            alone[view.label] = sorted(once(view)[1] for _ in range(3))[1]
    return kept, first, alone, notes


def percentile(sorted_ms: list[float], p: float) -> float:
    """The nearest-rank percentile ``p`` (0-100) of sorted values."""
    k = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[k]


@dataclass
class Summary:
    store: str
    rows: list[list[str]]
    overall_p95: float
    errors: int
    notes: list[str]


def run_load(
    store: str, base: str, pid: int, tokens: dict[str, str], niks: list[str],
    args: argparse.Namespace,
) -> Summary:  # fmt: skip
    log(f"{store}: priming every page once")
    views, first, alone, notes = prime(base, next(iter(tokens.values())), niks)
    for note in notes:
        log(f"  {note}")
    results = Results()
    start = time.monotonic()
    measure_from = start + args.warmup
    stop_at = measure_from + args.seconds
    cpu0: list[float] = []

    async def main() -> None:
        async def mark() -> None:
            await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
            cpu0.append(cpu_seconds(pid))

        users = [user_loop(n, base, views, tokens, niks, results, stop_at, args.think,
                           args.warmup * 0.8) for n in range(args.users)]  # fmt: skip
        await asyncio.gather(mark(), *users)

    log(f"{store}: {args.users} users, {args.warmup:g} s warm-up + {args.seconds:g} s measured")
    load0 = os.getloadavg()[0]
    asyncio.run(main())
    elapsed = time.monotonic() - measure_from
    server_cpu = cpu_seconds(pid) - cpu0[0]
    rows: list[list[str]] = []
    every: list[Record] = []
    for label in [*(v.label for v in views), "GET /static/*", "GET /login", "POST /login"]:
        recs = [r for r in results.by_label.get(label, []) if r.started >= measure_from]
        every += recs
        if recs:
            rows.append(_row(label, recs, elapsed, first.get(label), alone.get(label)))
    rows.append(_row("all", every, elapsed, None, None))
    notes.append(
        f"server CPU {server_cpu / elapsed:.2f} cores over the measured {elapsed:.0f} s, "
        f"{1000 * server_cpu / max(1, len(every)):.1f} ms per request; "
        f"load average {load0:.2f} before, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} CPUs"
    )
    for what, n in sorted(results.errors.items()):
        notes.append(f"error (all phases): {what} x{n}")
    overall = sorted(r.ms for r in every)
    errors = sum(not r.ok for r in every)
    return Summary(store, rows, percentile(overall, 95) if overall else 0.0, errors, notes)


def _row(
    label: str, recs: list[Record], seconds: float, first: float | None, alone: float | None
) -> list[str]:
    ms = sorted(r.ms for r in recs)
    return [label, str(len(ms)), str(sum(not r.ok for r in recs)),
            f"{percentile(ms, 50):.0f}", f"{percentile(ms, 95):.0f}", f"{percentile(ms, 99):.0f}",
            f"{ms[-1]:.0f}", f"{len(ms) / seconds:.1f}",
            "" if first is None else f"{first:.0f}",
            "" if alone is None else f"{alone:.0f}"]  # fmt: skip


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=["duckdb", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=3.0,
                        help="mean seconds between a user's page views (0: none)")  # fmt: skip
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, help="keep and reuse homes and data here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="padu-bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PADU_WAREHOUSE_URL", "PADU_CATALOG_URL")}  # fmt: skip
    summaries: list[Summary] = []
    try:
        data = synth(work, args.scale, env)
        column = pq.read_table(data / "individu.parquet", columns=[NIK]).column(NIK)
        niks = [str(x) for x in column.to_pylist()[::97] if x and re.fullmatch(r"\d{16}", str(x))]
        stores = ["duckdb", "postgres"] if args.store == "both" else [args.store]
        for store in stores:
            home = work / f"home-{store}"
            if store == "duckdb":
                tokens = prepare_home(home, data, env, args.users)
                with server(home, env, work / "serve-duckdb.log") as (base, pid):
                    summaries.append(run_load("DuckDB + SQLite", base, pid, tokens, niks, args))
            else:
                with postgres(work / "pg") as url:
                    pg_env = {**env, "PADU_WAREHOUSE_URL": url, "PADU_CATALOG_URL": url}
                    tokens = prepare_home(home, data, pg_env, args.users)
                    with server(home, pg_env, work / "serve-postgres.log") as (base, pid):
                        summaries.append(run_load("PostgreSQL", base, pid, tokens, niks, args))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    header = ["endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms",
              "req/s", "first ms", "alone ms"]  # fmt: skip
    for s in summaries:
        verdict = "met" if s.errors == 0 and s.overall_p95 < TARGET_P95_MS else "missed"
        table(
            f"{s.store}: {args.users} users, {args.seconds:g} s measured after {args.warmup:g} s "
            f"warm-up, think {args.think:g} s, scale {args.scale:g} -> zero errors and p95 < "
            f"{TARGET_P95_MS:g} ms {verdict}",
            header,
            s.rows,
        )
        for note in s.notes:
            print(f"  - {note}")


if __name__ == "__main__":
    main()
