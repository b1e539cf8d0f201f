"""Background jobs (padu.jobs): states, progress seen from elsewhere, failures, concurrency,
restarts and throttled progress writes, on DuckDB+SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from padu.errors import InputError, InternalError, NotFound
from padu.jobs import (
    GENERIC_ERROR,
    INTERRUPTED,
    JOB_DONE,
    JOB_FAILED,
    JOB_FINISH,
    JOB_QUEUED,
    JOB_RUNNING,
    JOB_SUBMIT,
    JobContext,
    JobRow,
    JobRunner,
    mark_interrupted,
    shared_stores,
)
from padu.jobs.restart import process_start
from padu.stores.batches import this_host
from tests.conftest import SNAPSHOT_DATE, Stores

MakeRunner = Callable[..., JobRunner]
WAIT = 10.0  # seconds a job or a test waits for the other side before giving up


@pytest.fixture
def make_runner(stores: Stores) -> Iterator[MakeRunner]:
    """Runners on the test's stores, closed (their jobs awaited) when the test ends."""
    made: list[JobRunner] = []

    def make(**options: Any) -> JobRunner:
        options.setdefault("progress_interval", 0.05)
        runner = JobRunner(stores.catalog_url, stores.warehouse_url, **options)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


def until(check: Callable[[], bool], what: str) -> None:
    """Wait (up to WAIT seconds) until ``check()`` holds."""
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def held(release: threading.Event, reached: threading.Event | None = None) -> Callable[..., object]:
    """A job that reports progress, waits for ``release``, then returns a result."""

    def work(ctx: JobContext) -> dict[str, object]:
        ctx.progress(0.4, "membaca berkas")
        if reached is not None:
            reached.set()
        release.wait(WAIT)
        ctx.progress(0.9, "menyimpan")
        return {"keluarga": 12, "berkas": ctx.params["berkas"]}

    return work


def job_row(**given: object) -> JobRow:
    values: dict[str, object] = {
        "kind": "register.import", "actor": "ani", "params": {}, "state": JOB_RUNNING,
        "progress": 0.2, "message": "membaca berkas", "result": None, "error": None,
        "created": dt.datetime.now(dt.UTC).replace(tzinfo=None), "started": None,
        "finished": None, "pid": os.getpid(), "host": this_host(),
    }  # fmt: skip
    values.update(given)
    return JobRow(**values)


def test_job_goes_from_queued_to_running_to_done(stores: Stores, make_runner: MakeRunner) -> None:
    runner = make_runner(workers=1)
    release, reached = threading.Event(), threading.Event()
    first = runner.submit("register.import", "ani", {"berkas": "a.csv"}, held(release, reached))
    second = runner.submit("register.import", "budi", {"berkas": "b.csv"}, held(release))
    assert reached.wait(WAIT)
    # another connection (the fixture's own catalog) sees both jobs as they are now
    assert stores.catalog.job(second).state == JOB_QUEUED  # one worker, busy with the first
    until(lambda: stores.catalog.job(first).message == "membaca berkas", "progress")
    running = stores.catalog.job(first)
    assert (running.state, running.progress) == (JOB_RUNNING, pytest.approx(0.4))
    assert running.started is not None and running.finished is None
    release.set()
    done = runner.wait(first, WAIT)
    assert (done.state, done.progress, done.message, done.error) == (JOB_DONE, 1.0, "selesai", None)
    assert done.result == {"keluarga": 12, "berkas": "a.csv"}
    assert done.params == {"berkas": "a.csv"} and done.actor == "ani"
    assert done.pid == os.getpid() and done.host == this_host()
    assert runner.wait(second, WAIT).result == {"keluarga": 12, "berkas": "b.csv"}
    submitted = [json.loads(e.rincian) for e in stores.catalog.events(JOB_SUBMIT)]
    finished = [(e.pelaku, json.loads(e.rincian)) for e in stores.catalog.events(JOB_FINISH)]
    assert submitted == [
        {"kind": "register.import", "id": first, "state": JOB_QUEUED},
        {"kind": "register.import", "id": second, "state": JOB_QUEUED},
    ]
    assert sorted(finished, key=lambda f: str(f[1]["id"])) == sorted(
        [
            ("ani", {"kind": "register.import", "id": first, "state": JOB_DONE}),
            ("budi", {"kind": "register.import", "id": second, "state": JOB_DONE}),
        ],
        key=lambda f: str(f[1]["id"]),
    )


@pytest.mark.parametrize("opened", ["own", "shared"])
def test_a_job_imports_a_register_through_its_own_stores(
    stores: Stores, make_runner: MakeRunner, small_files: Path, opened: str
) -> None:
    """The server case: this process already holds the warehouse (on DuckDB, the one
    writing process), and a job opens its own connections beside it, or takes a cursor of
    the server's (``shared_stores``)."""
    from padu.register import import_register

    def work(ctx: JobContext) -> dict[str, object]:
        wh, cat = ctx.stores()
        ctx.progress(0.1, "mengimpor register")
        result = import_register(
            [small_files / "keluarga.parquet", small_files / "individu.parquet"],
            wh, cat, snapshot_date=SNAPSHOT_DATE, rejects_dir=stores.home / "rejects",
            actor=ctx.actor,
        )  # fmt: skip
        return {"snapshot": result.snapshot}

    shared = shared_stores(stores.warehouse, stores.catalog) if opened == "shared" else None
    runner = make_runner(stores=shared)
    job = runner.wait(runner.submit("register.import", "ani", {}, work), 120)
    assert job.state == JOB_DONE, job.error
    snapshot = stores.catalog.snapshot("latest")
    assert job.result == {"snapshot": snapshot.id}
    counted = stores.warehouse.table("keluarga").count().to_pyarrow().as_py()
    assert counted == snapshot.keluarga > 0


def test_a_padu_error_keeps_its_indonesian_message(stores: Stores, make_runner: MakeRunner) -> None:
    def work(ctx: JobContext) -> None:
        ctx.progress(0.3, "memeriksa berkas")
        raise InputError("NIK 6501014509870003 tercatat dua kali di berkas a.csv")

    runner = make_runner()
    job = runner.wait(runner.submit("register.import", "ani", {}, work), WAIT)
    assert job.state == JOB_FAILED and job.finished is not None
    masked = "NIK 6501" + "\u2022" * 8 + "0003 tercatat dua kali di berkas a.csv"
    assert job.error == masked
    assert job.result is not None and job.result["error"] == "InputError"
    assert "6501014509870003" not in json.dumps(job.result)
    # the bar stays where the job stopped, on the step it was doing
    assert (job.message, job.progress) == ("memeriksa berkas", pytest.approx(0.3))
    [event] = stores.catalog.events(JOB_FINISH)
    assert json.loads(event.rincian)["state"] == JOB_FAILED


def test_an_unexpected_exception_shows_only_a_generic_message(
    stores: Stores, make_runner: MakeRunner, caplog: pytest.LogCaptureFixture
) -> None:
    def work(ctx: JobContext) -> None:
        raise RuntimeError("kunci internal /srv/rahasia bocor")

    runner = make_runner()
    with caplog.at_level(logging.ERROR, logger="padu.jobs"):
        job_id = runner.submit("link", "ani", {}, work)
        job = runner.wait(job_id, WAIT)
    assert job.state == JOB_FAILED
    assert job.error == GENERIC_ERROR.format(id=job_id)
    assert job.result is None and "rahasia" not in (job.message + (job.error or ""))
    assert "RuntimeError: kunci internal /srv/rahasia bocor" in caplog.text  # the traceback


def test_two_jobs_run_at_once_and_submit_never_blocks(
    stores: Stores, make_runner: MakeRunner
) -> None:
    both = threading.Barrier(2, timeout=WAIT)
    release = threading.Event()

    def work(ctx: JobContext) -> dict[str, object]:
        both.wait()  # passes only when the other job is running at the same time
        release.wait(WAIT)
        return {"ok": True}

    runner = make_runner(workers=2)
    began = time.monotonic()
    ids = [runner.submit("target.semua", "ani", {}, work, writes=False) for _ in range(2)]
    assert time.monotonic() - began < 2  # both jobs are still held, submit returned
    until(lambda: all(runner.get(i).state == JOB_RUNNING for i in ids), "both running")
    release.set()
    assert [runner.wait(i, WAIT).state for i in ids] == [JOB_DONE, JOB_DONE]


def test_writing_jobs_take_turns_on_duckdb_only(stores: Stores, make_runner: MakeRunner) -> None:
    lock = threading.Lock()
    active, most = 0, 0

    def work(ctx: JobContext) -> None:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        time.sleep(0.3)
        with lock:
            active -= 1

    runner = make_runner(workers=2)
    ids = [runner.submit("plan", "ani", {}, work) for _ in range(2)]
    assert [runner.wait(i, WAIT).state for i in ids] == [JOB_DONE, JOB_DONE]
    assert most == (1 if stores.backend == "duckdb" else 2)


def test_jobs_of_a_gone_process_are_marked_failed_at_start(stores: Stores) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cat = stores.catalog
    dead = cat.add_job(job_row(pid=gone.pid)).id
    dead_queued = cat.add_job(job_row(pid=gone.pid, state=JOB_QUEUED)).id
    live = cat.add_job(job_row()).id  # this process, which is alive and older than the job
    foreign = cat.add_job(job_row(host="server-lain", pid=gone.pid)).id
    foreign_old = cat.add_job(job_row(host="server-lain", created=now - dt.timedelta(days=3))).id
    ended_before = cat.add_job(job_row(pid=gone.pid)).id
    cat.finish_job(ended_before, JOB_DONE, message="selesai", result={"n": 1})
    expected = {dead, dead_queued, foreign_old}
    started = process_start(os.getpid())
    if started is not None:  # Linux: a pid reused by a later process (a container restart)
        earlier = dt.datetime.fromtimestamp(started - 3600, dt.UTC).replace(tzinfo=None)
        expected.add(cat.add_job(job_row(created=earlier)).id)

    assert mark_interrupted(cat) == len(expected)
    for job_id in expected:
        job = cat.job(job_id)
        assert (job.state, job.error) == (JOB_FAILED, INTERRUPTED)
    assert cat.job(live).state == cat.job(foreign).state == JOB_RUNNING
    assert cat.job(ended_before).state == JOB_DONE
    events = [json.loads(e.rincian) for e in cat.events(JOB_FINISH) if e.pelaku == "sistem"]
    assert {e["id"] for e in events} == expected
    assert mark_interrupted(cat) == 0  # nothing twice


def test_progress_writes_are_throttled(
    stores: Stores, make_runner: MakeRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = make_runner(progress_interval=0.5)
    writes: list[tuple[float, float, str]] = []
    real = runner.catalog.update_job

    def counted(job_id: int, progress: float, message: str) -> None:
        writes.append((time.monotonic(), progress, message))
        real(job_id, progress, message)

    monkeypatch.setattr(runner.catalog, "update_job", counted)
    release = threading.Event()

    def work(ctx: JobContext) -> None:
        end = time.monotonic() + 1.2
        step = 0
        while time.monotonic() < end:
            step += 1
            ctx.progress(step / 1000, f"baris {step}")
            time.sleep(0.002)
        ctx.progress(0.7, "langkah panjang")
        release.wait(WAIT)  # a long step: no more reports

    job_id = runner.submit("register.import", "ani", {}, work)
    # the value held back is written once its interval is over, without another report
    until(lambda: stores.catalog.job(job_id).message == "langkah panjang", "held-back value")
    assert stores.catalog.job(job_id).progress == pytest.approx(0.7)
    release.set()
    assert runner.wait(job_id, WAIT).state == JOB_DONE
    assert 2 <= len(writes) <= 4  # hundreds of reports, about one write per half second
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(writes)]
    assert all(gap >= 0.45 for gap in gaps), gaps


def test_closing_fails_jobs_that_never_started(stores: Stores, make_runner: MakeRunner) -> None:
    runner = make_runner(workers=1)
    release, reached = threading.Event(), threading.Event()
    running = runner.submit("plan", "ani", {"berkas": "a.csv"}, held(release, reached))
    queued = runner.submit("plan", "ani", {"berkas": "b.csv"}, held(release))
    assert reached.wait(WAIT)
    threading.Timer(0.3, release.set).start()
    runner.close()  # waits for the running job; the queued one never starts
    assert stores.catalog.job(running).state == JOB_DONE
    left = stores.catalog.job(queued)
    assert (left.state, left.error, left.started) == (JOB_FAILED, INTERRUPTED, None)
    with pytest.raises(InternalError):
        runner.submit("plan", "ani", {}, held(release))


def test_queries_newest_first_with_filters(stores: Stores, make_runner: MakeRunner) -> None:
    runner = make_runner()
    ids = [
        runner.submit(kind, actor, {}, lambda ctx: None, writes=False)
        for kind, actor in [("link", "ani"), ("plan", "budi"), ("link", "budi")]
    ]
    for job_id in ids:
        runner.wait(job_id, WAIT)
    assert [j.id for j in runner.list()] == ids[::-1]
    assert [j.id for j in runner.list(actor="budi")] == [ids[2], ids[1]]
    assert [j.id for j in runner.list(kind="link")] == [ids[2], ids[0]]
    assert [j.id for j in runner.list(limit=1)] == [ids[2]]
    assert runner.get(ids[0]).kind == "link"
    with pytest.raises(NotFound, match="pekerjaan 999 tidak ada"):
        runner.get(999)


def test_a_memory_warehouse_needs_a_store_factory(tmp_path: Path) -> None:
    with pytest.raises(InternalError, match="stores="):
        JobRunner(f"sqlite:///{tmp_path / 'c.sqlite'}", "duckdb://")


def test_parameters_are_json_and_hold_no_secret(tmp_path: Path) -> None:
    runner = JobRunner(f"sqlite:///{tmp_path / 'c.sqlite'}", f"duckdb://{tmp_path / 'w.duckdb'}")
    with runner:
        for bad in ({"kata_sandi": "x"}, {"opsi": [{"API-Token": "x"}]}, {"hari": dt.date.today()}):
            with pytest.raises(InternalError):
                runner.submit("link", "ani", bad, lambda ctx: None)
        assert runner.list() == []
        assert runner.catalog.events(JOB_SUBMIT) == []
