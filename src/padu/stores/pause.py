"""A test hook that stops a process at a named stage, so a test can kill it there.

``PADU_TEST_PAUSE_AT=<stage>`` makes the process write ``PADU_PAUSED <stage>`` to stderr
and sleep when it reaches :func:`pause_point` with that stage; tests/test_crash.py then
kills it with SIGKILL at exactly that moment. With ``PADU_TEST_RELEASE=<path>`` the process
goes on once that file exists, so tests/test_concurrency.py can run a second writer to the
end while the first one waits with its batch pending. Unset (always, outside tests) it does
nothing.

Stages: ``stores.open`` (both stores connected, nothing read yet), ``import.write``,
``adopt.write`` and ``link.write`` (pending batch recorded, no warehouse row written yet),
``warehouse.append`` (a writer has appended a chunk of its batch rows, more may follow),
``catalog.audit`` (a catalog transaction that carries an audit event is about to commit) and
``catalog.audit:<event>`` (the same, for one event name, e.g.
``catalog.audit:personal_data.export``: the export file is written, not yet renamed) and
``synth.write`` (a synthetic register's files are written in their temporary folder).
"""

from __future__ import annotations

import os
import sys
import time

ENV = "PADU_TEST_PAUSE_AT"


def pause_point(stage: str) -> None:
    """Sleep here (until killed) if the test hook names ``stage``."""
    if os.environ.get(ENV) != stage:
        return
    sys.stderr.write(f"PADU_PAUSED {stage}\n")
    sys.stderr.flush()
    release = os.environ.get("PADU_TEST_RELEASE")
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline and not (release and os.path.exists(release)):
        time.sleep(0.05)
