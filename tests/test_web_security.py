"""Security tests of the web app (issue 14): login throttling under parallel guessing,
bounded password work, body size limits, headers on every response, session lifetime and
revocation, masked CSRF tokens, NIK-free logs, cookie flags, inert payloads, bounded
readers. The throttle, gate, codec and log filter are also tested alone (no stores)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from padu.accounts import LoginThrottle, issue_token
from padu.accounts import service as account_service
from padu.accounts.throttle import PENDING_WAIT_S, HashGate
from padu.web import create_app
from padu.web.errors import MASKING, MaskIdentifiers, log_config, mask_log_text, mask_target
from padu.web.sessions import COOKIE, Session, SessionCodec, mask_token, new_session
from padu.web.state import IDLE_READERS, AppState
from tests.web_support import PASSWORD, add_accounts, csrf_of, log_in, web_settings_for

WRONG = "bukan-sandinya-123"
NIK = "6501234567890123"
DUCKDB = pytest.mark.parametrize("stores", ["duckdb"], indirect=True)


# -- fixtures ----------------------------------------------------------------------------
def make_client(
    stores: object, tmp_path: Path, accounts: bool = True, **extra: object
) -> TestClient:
    if accounts:
        add_accounts(stores)
    app = create_app(web_settings_for(stores, tmp_path, **extra))
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


@pytest.fixture
def bare(stores: object, tmp_path: Path) -> Iterator[TestClient]:
    """The app over empty stores (no register needed), every test account, small limits."""
    with make_client(stores, tmp_path, max_upload_mb=1, max_body_kb=16) as c:
        yield c


def state_of(c: TestClient) -> AppState:
    app: FastAPI = c.app  # type: ignore[assignment]
    found: AppState = app.state.padu
    return found


def try_login(c: TestClient, user: str, password: str, token: str, **headers: str) -> Any:
    data = {"username": user, "password": password, "csrf_token": token}
    return c.post("/login", data=data, headers=headers)


class Watch:
    """Wraps argon2 verification: counts calls and the most running at once."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = self.running = self.peak = 0
        self.delay = delay
        self._lock = threading.Lock()
        self._real: Callable[[str, str], tuple[bool, str | None]] = account_service.verify

    def __call__(self, password: str, hashed: str) -> tuple[bool, str | None]:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.delay)
            return self._real(password, hashed)
        finally:
            with self._lock:
                self.running -= 1


def watch_verify(monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> Watch:
    watch = Watch(delay)
    monkeypatch.setattr(account_service, "verify", watch)
    return watch


# -- 1. parallel guessing and bounded argon2 work ----------------------------------------
@DUCKDB
def test_fifty_parallel_wrong_logins_verify_only_five(
    bare: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = watch_verify(monkeypatch, delay=0.05)
    token = csrf_of(bare.get("/login").text)
    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(lambda _: try_login(bare, "operator1", WRONG, token).status_code,
                              range(50)))  # fmt: skip
    assert Counter(codes) == {401: 5, 429: 45}
    assert watch.calls == 5  # refused attempts never reach argon2
    r = try_login(bare, "operator1", PASSWORD, token)
    assert r.status_code == 429 and "15 menit" in r.text


@DUCKDB
def test_parallel_logins_share_a_few_argon2_slots(
    bare: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_of(bare).hashing = HashGate(slots=2, waiting=100, timeout_s=30)
    watch = watch_verify(monkeypatch, delay=0.05)
    token = csrf_of(bare.get("/login").text)
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(lambda i: try_login(bare, f"tamu{i}", WRONG, token).status_code,
                              range(30)))  # fmt: skip
    assert codes == [401] * 30
    assert watch.calls == 30 and watch.peak <= 2


@DUCKDB
def test_a_full_queue_answers_busy_without_hashing(
    bare: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_of(bare).hashing = HashGate(slots=1, waiting=0, timeout_s=30)
    watch = watch_verify(monkeypatch, delay=0.3)
    token = csrf_of(bare.get("/login").text)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: try_login(bare, f"tamu{i}", WRONG, token), range(8)))
    busy = [r for r in answers if r.status_code == 503]
    assert busy and watch.calls == 8 - len(busy) and watch.peak == 1
    assert "Server sedang sibuk" in busy[0].text and busy[0].headers["retry-after"] == "5"


def test_hash_gate_counts_slots_and_queue() -> None:
    gate = HashGate(slots=1, waiting=1, timeout_s=0.05)
    with gate.slot() as first:
        assert first
        with gate.slot() as second:  # queued, times out: no slot
            assert not second
    with gate.slot() as again:
        assert again


# -- 2. throttle per (address, username), per username, per address ----------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_one_mistyping_officer_does_not_lock_the_office(clock: Clock) -> None:
    t = LoginThrottle(clock=clock)
    for _ in range(5):
        t.failure("budi", "10.0.0.1")
    assert t.retry_after("budi", "10.0.0.1") == pytest.approx(900)
    assert t.allowed("siti", "10.0.0.1")  # a colleague behind the same NAT address
    assert t.allowed("budi", "10.0.0.2")  # budi from elsewhere: the account limit is higher
    clock.now += 900
    assert t.allowed("budi", "10.0.0.1")


def test_one_account_guessed_from_many_addresses_is_locked(clock: Clock) -> None:
    t = LoginThrottle(clock=clock)
    for i in range(10):
        t.failure("budi", f"10.0.{i}.1")
    assert t.retry_after("budi", "192.0.2.1") == pytest.approx(900)
    assert t.allowed("siti", "10.0.0.1")


def test_one_address_guessing_many_accounts_hits_the_ceiling(clock: Clock) -> None:
    t = LoginThrottle(clock=clock)
    for i in range(49):
        t.failure(f"a{i}", "203.0.113.7")
    assert t.allowed("lain", "203.0.113.7")
    t.failure("a49", "203.0.113.7")
    assert not t.allowed("lain", "203.0.113.7")
    assert t.allowed("lain", "203.0.113.8")


def test_attempts_in_progress_count_until_answered(clock: Clock) -> None:
    t = LoginThrottle(clock=clock)
    pending = [t.begin("budi", "10.0.0.1") for _ in range(5)]
    assert not any(a.refused for a in pending)
    sixth = t.begin("budi", "10.0.0.1")
    assert sixth.refused and sixth.wait == PENDING_WAIT_S
    pending[0].release()  # an error while checking: given back, not counted
    with t.attempt("budi", "10.0.0.1") as a:
        assert not a.refused
        a.succeeded()  # a right password clears the pair and the account
    for a in pending[1:]:
        a.failed()
    assert t.allowed("budi", "10.0.0.1")  # 4 failures after the reset: not yet locked


def test_success_resets_the_account_not_the_address(clock: Clock) -> None:
    t = LoginThrottle(clock=clock, address_limit=6)
    for _ in range(4):
        t.failure("budi", "10.0.0.1")
    t.success("budi", "10.0.0.1")
    t.failure("budi", "10.0.0.1")
    assert t.allowed("budi", "10.0.0.1")  # the pair's count restarted
    t.failure("siti", "10.0.0.1")  # the address's sixth
    assert not t.allowed("ani", "10.0.0.1")


def test_failures_older_than_the_window_do_not_count(clock: Clock) -> None:
    t = LoginThrottle(clock=clock)
    for _ in range(4):
        t.failure("budi", "10.0.0.1")
    clock.now += 15 * 60 + 1
    for _ in range(4):
        t.failure("budi", "10.0.0.1")
    assert t.allowed("budi", "10.0.0.1")
    t.failure("budi", "10.0.0.1")
    assert not t.allowed("budi", "10.0.0.1")


def test_throttle_counts_every_failure_from_many_threads(clock: Clock) -> None:
    counted = LoginThrottle(user_limit=400, clock=clock)
    not_yet = LoginThrottle(user_limit=401, clock=clock)

    def hammer(k: int) -> None:
        for i in range(50):
            for t in (counted, not_yet):
                t.failure("budi", f"10.{k}.0.{i}")

    threads = [threading.Thread(target=hammer, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not counted.allowed("budi", "192.0.2.1")
    assert not_yet.allowed("budi", "192.0.2.1")


def test_throttle_forgets_stale_keys(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from padu.accounts import throttle

    monkeypatch.setattr(throttle, "PRUNE_ABOVE", 10)
    t = LoginThrottle(clock=clock)
    for i in range(10):
        t.failure(f"u{i}", "10.0.0.1")
    clock.now += 16 * 60
    t.failure("baru", "10.0.0.2")
    assert set(t._entries) == {
        ("pair", "10.0.0.2", "baru"), ("user", "baru"), ("addr", "10.0.0.2"),
    }  # fmt: skip


@DUCKDB
def test_lockout_message_names_the_minutes_and_spares_colleagues(bare: TestClient) -> None:
    token = csrf_of(bare.get("/login").text)
    for _ in range(5):
        assert try_login(bare, "operator1", WRONG, token).status_code == 401
    r = try_login(bare, "operator1", PASSWORD, token)
    assert r.status_code == 429 and "Coba lagi dalam 15 menit" in r.text
    assert int(r.headers["retry-after"]) > 800
    assert try_login(bare, "admin1", PASSWORD, token).status_code == 303  # same address


# -- 3. body size limits -------------------------------------------------------------------
@DUCKDB
def test_a_body_over_the_limit_is_refused_with_the_limit_named(bare: TestClient) -> None:
    token = csrf_of(bare.get("/login").text)
    big = {"username": "x" * 20_000, "password": WRONG, "csrf_token": token}
    page = bare.post("/login", data=big)
    assert page.status_code == 413
    assert "text/html" in page.headers["content-type"]
    assert "Isi permintaan terlalu besar: batasnya 16 KB" in page.text
    api = bare.post("/api/v1/ibr/enrolled", content=b"{" + b" " * 20_000 + b"}",
                    headers={"content-type": "application/json"})  # fmt: skip
    assert api.status_code == 413
    assert api.json()["error"] == "PayloadTooLarge" and "16 KB" in api.json()["message"]


@DUCKDB
def test_a_streamed_body_is_counted(bare: TestClient) -> None:
    token = csrf_of(bare.get("/login").text)

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield f"csrf_token={token}&username=a&password=".encode()
        for _ in range(40):
            yield b"x" * 1024

    r = bare.post("/login", content=chunks(),
                  headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 413 and "16 KB" in r.text
    assert r.headers["content-security-policy"]


@DUCKDB
def test_uploads_have_their_own_larger_limit(bare: TestClient) -> None:
    token = csrf_of(bare.get("/login").text)
    form = {"csrf_token": token, "username": "operator1", "password": WRONG}
    small = bare.post("/login", data=form, files={"berkas": ("a.csv", b"x" * 100_000)})
    assert small.status_code == 401  # 100 KB: over the form limit, under the upload limit
    # a register upload carries two files, each up to the limit: the body may hold two
    two = bare.post("/login", data=form, files={"berkas": ("a.csv", b"x" * (2 * 2**20 - 4096))})
    assert two.status_code == 401
    big = bare.post("/login", data=form, files={"berkas": ("a.csv", b"x" * (3 * 2**20 + 1))})
    assert big.status_code == 413
    assert "Berkas yang diunggah terlalu besar: batasnya 1 MB per berkas" in big.text


def test_the_limits_are_settings(stores: object, tmp_path: Path) -> None:
    settings = web_settings_for(stores, tmp_path)
    assert (settings.max_upload_mb, settings.max_body_kb) == (200, 256)
    assert settings.session_absolute_hours == 12


# -- 4. security headers on every response, error pages included ---------------------------
@DUCKDB
def test_every_response_carries_the_security_headers(bare: TestClient) -> None:
    app: FastAPI = bare.app  # type: ignore[assignment]

    def boom() -> None:
        raise RuntimeError(f"gagal untuk {NIK}")

    app.add_api_route("/uji-500", boom)
    answers = [
        bare.get("/uji-500"),
        bare.get("/tidak-ada"),
        bare.get("/"),  # a redirect to /login
        bare.get("/static/padu.css"),
        bare.get("/api/v1/snapshots"),  # 401 JSON
        bare.post("/login", data={"username": "a", "password": "b"}),  # 403 CSRF
    ]
    assert [r.status_code for r in answers] == [500, 404, 303, 200, 401, 403]
    for r in answers:
        assert "script-src 'self'" in r.headers["content-security-policy"], r.url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
    assert NIK not in answers[0].text and "Terjadi kesalahan di server" in answers[0].text


# -- 5. session lifetime, rotation, revocation ----------------------------------------------
def cookie_session(c: TestClient) -> Session:
    found = state_of(c).sessions.loads(c.cookies.get(COOKIE))
    assert found is not None
    return found


@DUCKDB
def test_login_rotates_the_session_and_its_token(bare: TestClient) -> None:
    bare.get("/login")
    before = cookie_session(bare)
    log_in_keeping(bare, "pembaca")
    after = cookie_session(bare)
    assert after.user == "pembaca"
    assert after.sid != before.sid and after.secret != before.secret


def log_in_keeping(c: TestClient, user: str) -> None:
    """Log in on the session the client already has (a fixation attempt would)."""
    token = csrf_of(c.get("/login").text)
    assert try_login(c, user, PASSWORD, token).status_code == 303


@DUCKDB
def test_a_session_ends_after_its_absolute_lifetime(bare: TestClient) -> None:
    log_in(bare, "pembaca")
    assert bare.get("/").status_code == 200
    codec = state_of(bare).sessions
    now = cookie_session(bare)
    old = Session(now.sid, now.secret, now.user, now.stamp, issued=time.time() - 12 * 3600 - 5)
    bare.cookies.clear()
    bare.cookies.set(COOKIE, codec.dumps(old))  # freshly signed: only its age is too great
    assert bare.get("/").status_code == 303
    assert codec.max_age(old) == 0


def test_revocations_survive_a_restart(tmp_path: Path) -> None:
    codec = SessionCodec("k" * 40, 3600, 12 * 3600, home=tmp_path)
    session = new_session("pembaca", "2026-01-01")
    cookie = codec.dumps(session)
    assert codec.loads(cookie) is not None
    codec.revoke(session)
    assert codec.loads(cookie) is None
    again = SessionCodec("k" * 40, 3600, 12 * 3600, home=tmp_path)
    assert again.loads(cookie) is None
    assert again.loads(codec.dumps(new_session("pembaca"))) is not None


@DUCKDB
def test_a_copied_cookie_is_refused_after_logout_and_a_restart(
    stores: object, tmp_path: Path
) -> None:
    with make_client(stores, tmp_path) as c:
        log_in(c, "pembaca")
        stolen = c.cookies.get(COOKIE) or ""
        token = csrf_of(c.get("/").text)
        assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    with make_client(stores, tmp_path, accounts=False) as c:  # restarted, same home
        c.cookies.set(COOKIE, stolen)
        assert c.get("/").status_code == 303


# -- 6. CSRF tokens masked per response -----------------------------------------------------
def test_masked_tokens_differ_and_unmask() -> None:
    session = new_session()
    first, second = session.csrf, session.csrf
    assert first != second and session.secret not in (first, second)
    assert session.token_matches(first) and session.token_matches(second)
    assert not session.token_matches(session.secret)  # only masked tokens are accepted
    assert not session.token_matches(mask_token(new_session().secret))
    assert not session.token_matches("bukan-token") and not session.token_matches(None)


@DUCKDB
def test_each_page_carries_a_fresh_token_and_forms_and_htmx_work(bare: TestClient) -> None:
    one, two = csrf_of(bare.get("/login").text), csrf_of(bare.get("/login").text)
    assert one != two
    assert try_login(bare, "pembaca", PASSWORD, one).status_code == 303  # an older one works
    page = bare.get("/").text
    header = re.search(r'"X-CSRF-Token": "([^"]+)"', page)
    assert header is not None and header.group(1) == csrf_of(page)  # one pad per page
    r = bare.post("/logout", headers={"X-CSRF-Token": header.group(1)})
    assert r.status_code == 303 and r.headers["location"] == "/login?keluar=1"


# -- 7. logs never carry a NIK ---------------------------------------------------------------
def _record(msg: str, args: Any, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, msg, args, info)


def test_the_log_filter_masks_identifiers() -> None:
    f = MaskIdentifiers()
    access = _record('%s - "%s %s HTTP/%s" %d',
                     ("127.0.0.1:5", "GET", f"/keluarga/{NIK}?kk={NIK}", "1.1", 200))  # fmt: skip
    assert f.filter(access)
    assert NIK not in access.getMessage() and "6501••••••••0123" in access.getMessage()
    assert isinstance(access.args, tuple) and len(access.args) == 5  # uvicorn reads them
    number = _record("nik %d", (int(NIK),))
    f.filter(number)
    assert number.getMessage() == "nik 6501••••••••0123"
    try:
        raise ValueError(f"NIK {NIK} tidak ditemukan")
    except ValueError as exc:
        failed = _record("gagal", None, exc)
    f.filter(failed)
    assert failed.exc_text and NIK not in failed.exc_text and "ValueError" in failed.exc_text
    assert NIK not in logging.Formatter().format(failed)


GROUPED = ["6501-2345-6789-0123", "6501+2345+6789+0123", "6501%202345%206789%200123",
           "6501%2D2345%2D6789%2D0123", "6501.2345.6789.0123", "6501 2345 6789 0123"]  # fmt: skip


@pytest.mark.parametrize("typed", GROUPED)
def test_the_access_log_masks_a_number_typed_in_groups(typed: str) -> None:
    from uvicorn.logging import AccessFormatter

    f = MaskIdentifiers()
    target = f"/keluarga?kk={typed.replace(' ', '+')}&halaman=2"
    access = _record('%s - "%s %s HTTP/%s" %d', ("10.1.2.3:5", "GET", target, "1.1", 200))
    assert f.filter(access)
    line = AccessFormatter("%(client_addr)s %(request_line)s %(status_code)s").format(access)
    assert line.startswith("10.1.2.3:5 GET /keluarga?kk=6501") and "halaman=2" in line
    digits = re.sub(r"\D", "", line.split("kk=")[1].split("&")[0])
    assert digits == "65010123", line  # the first and last four only
    written = typed if "%2D" not in typed else unquote(typed)  # in free text, as typed
    assert mask_log_text(f"NIK {written} ditolak") == "NIK 6501••••••••0123 ditolak"


def test_the_log_mask_leaves_dates_addresses_and_short_numbers() -> None:
    kept = ["2026-03-01 12:30:45", "192.168.100.200:8000", "kode 6501012001", "Rp 1.250.000",
            "baris 12 kolom 3"]  # fmt: skip
    for text in kept:
        assert mask_log_text(text) == text
    audit = "/audit?dari=2026-01-01&sampai=2026-01-31&halaman=2"
    assert mask_target(audit) == audit
    assert mask_target("/keluarga?desa=6501012001") == "/keluarga?desa=6501012001"


def test_serve_log_config_puts_the_filter_on_every_handler() -> None:
    config = log_config()
    assert config["filters"]["padu_mask"]["()"] == "padu.web.errors.MaskIdentifiers"
    assert all(h["filters"] == ["padu_mask"] for h in config["handlers"].values())
    assert config["root"]["handlers"] == ["default"]


@DUCKDB
def test_server_logs_are_masked(bare: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    app: FastAPI = bare.app  # type: ignore[assignment]

    def boom() -> None:
        raise RuntimeError(f"KK {NIK} rusak")

    app.add_api_route("/uji-log", boom)
    for name in ("uvicorn.access", "uvicorn.error", "padu.web"):
        assert MASKING in logging.getLogger(name).filters
    with caplog.at_level(logging.INFO):
        bare.get("/uji-log")
        logging.getLogger("uvicorn.access").info('%s - "GET %s"', "127.0.0.1", f"/k/{NIK}")
    assert "kesalahan tak terduga" in caplog.text and "RuntimeError" in caplog.text
    assert NIK not in caplog.text


# -- 8. cookie flags and inert payloads ------------------------------------------------------
@DUCKDB
def test_cookie_flags(stores: object, tmp_path: Path) -> None:
    add_accounts(stores)
    settings = web_settings_for(stores, tmp_path)
    with TestClient(create_app(settings), follow_redirects=False) as c:
        cookie = c.get("/login").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        lang = c.get("/bahasa/en").headers["set-cookie"].lower()
        assert "httponly" in lang and "samesite=lax" in lang
    https = TestClient(create_app(settings), base_url="https://padu.test", follow_redirects=False)
    with https as c:
        r = c.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()
        assert r.headers["strict-transport-security"].startswith("max-age=")
        log_in(c, "pembaca")
        cookie = c.get("/login").headers.get("set-cookie", "")
        assert cookie == "" or "secure" in cookie.lower()
    trusted = settings.model_copy(update={"trust_proxy": True})
    with TestClient(create_app(trusted), follow_redirects=False) as c:
        r = c.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in r.headers["set-cookie"].lower()
        assert "strict-transport-security" in r.headers
        plain = c.get("/login")
        assert "strict-transport-security" not in plain.headers


PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "'; DROP TABLE pengguna; --",
    "{{7*7}}${7*7}",
    "javascript:alert(1)",
]


def assert_inert(html: str, payload: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html
    if "{{" in payload:
        assert "{{7*7}}" in html or "49" not in html


@DUCKDB
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_login_fields_are_inert(bare: TestClient, payload: str) -> None:
    token = csrf_of(bare.get("/login").text)
    r = bare.post("/login", data={"username": payload, "password": payload,
                                  "csrf_token": token, "next": "/" + payload})  # fmt: skip
    assert r.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in r.text
    assert_inert(r.text, payload)
    page = bare.get("/login", params={"next": "/" + payload})
    assert page.status_code == 200
    assert_inert(page.text, payload)
    switch = bare.get("/bahasa/id", params={"next": payload})
    assert switch.status_code == 303 and "<" not in switch.headers["location"]
    missing = bare.get("/" + payload.replace("/", ""))
    assert missing.status_code in (303, 404)
    assert_inert(missing.text, payload)


@DUCKDB
def test_payloads_in_api_inputs_are_refused_cleanly(bare: TestClient) -> None:
    token = issue_token(state_of(bare).catalog, "admin1", actor="penguji")
    auth = {"Authorization": f"Bearer {token}"}
    for payload in PAYLOADS:
        r = bare.post("/api/v1/ibr/enrolled", json={"nik": [payload]}, headers=auth)
        assert r.status_code == 422 and r.json()["error"] == "UsageError"
        for params in ({"snapshot": payload}, {"by": payload}):
            m = bare.get("/api/v1/mpi", params=params, headers=auth)
            assert m.status_code in (404, 422), (params, m.text)
            # echoed only inside JSON, which a browser will not sniff into a page
            assert m.headers["content-type"] == "application/json"
            assert m.headers["x-content-type-options"] == "nosniff"
            assert set(m.json()) == {"error", "message"}


@DUCKDB
def test_payloads_in_page_queries_are_inert(bare: TestClient) -> None:
    log_in(bare, "admin1")
    for path in ("/", "/kemiskinan", "/snapshot", "/keluarga", "/pengguna", "/audit"):
        for payload in PAYLOADS[:2]:
            params = dict.fromkeys(("q", "cari", "nama", "wilayah", "pelaku", "jenis"), payload)
            r = bare.get(path, params=params)
            assert r.status_code < 500, (path, r.text[:300])
            assert_inert(r.text, payload)


# -- 9. readers are pooled, not one per thread ever seen -------------------------------------
def test_readers_of_ended_threads_are_reused(stores: object, tmp_path: Path) -> None:
    with make_client(stores, tmp_path) as c:
        state = state_of(c)
        seen: list[int] = []

        def read() -> None:
            seen.append(id(state.reader()))
            assert state.reader() is state.reader()  # one reader per live thread

        for _ in range(3):  # many short-lived threads, a few at a time
            batch = [threading.Thread(target=read) for _ in range(6)]
            for th in batch:
                th.start()
            for th in batch:
                th.join()
        assert len(seen) == 18
        assert len(set(seen)) < 18  # later threads took the earlier ones' readers
        assert state.open_readers() <= IDLE_READERS  # every thread has ended


@DUCKDB
def test_audit_download_is_named_by_the_wita_date(
    bare: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 01:30 WITA the server's clock (UTC) still says yesterday: the file is named by
    Kaltara's date."""
    import datetime as dt
    import types

    from padu.web.routes import audit as audit_routes

    moment = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:  # type: ignore[override]
            shown = moment.astimezone(tz) if tz else moment.replace(tzinfo=None)
            return cls.fromtimestamp(shown.timestamp(), shown.tzinfo)

    class Day(dt.date):
        @classmethod
        def today(cls) -> Day:
            return cls(2026, 3, 1)

    shim = types.SimpleNamespace(datetime=Clock, date=Day, timedelta=dt.timedelta)
    monkeypatch.setattr(audit_routes, "dt", shim)
    log_in(bare, "admin1")
    r = bare.get("/audit.csv")
    assert r.status_code == 200
    assert 'filename="audit-padu-2026-03-02.csv"' in r.headers["content-disposition"]
