"""Browser tests: one real Daphne process serving a freshly migrated database with the demo data,
driven by headless Chromium through Python Playwright.

- ``paceway_server`` (session): migrate, load_content, load_demo, then Daphne on a free port, in a
  private DATA_DIR. SQLite by default; with a PostgreSQL ``DATABASE_URL`` a separate database
  ``paceway_browser_<pid>`` is created and dropped afterwards. ``REDIS_URL`` is passed through.
- ``browser`` (module): headless Chromium. Module-scoped on purpose: Playwright's sync API leaves an
  event loop marked as running in the main thread, which makes Django's ORM refuse to work in
  later (non-browser) tests of the same run, so the browser is closed after each module.
- ``login``: logs a demo account in through the real forms at ``/`` (password, then TOTP for
  clinicians), waiting for the next TOTP period when the same account already used this one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.live_servers import DAPHNE, ROOT, free_port, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp/paceway-shots")

DEMO_PASSWORD = "browser-demo-password-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
TOTP_PERIOD = 30

PATIENT = "patient@paceway.demo"  # Pat Morgan: week 3, in Dr. Singh's care
PATIENT2 = "patient2@paceway.demo"  # Sam Okafor: week 1, open risk alert, unread message
PATIENT3 = "patient3@paceway.demo"  # Jo Leblanc: waiting for a therapist
THERAPIST = "therapist@paceway.demo"  # Dr. Tara Singh
THERAPIST2 = "therapist2@paceway.demo"  # Dr. Luc Tremblay (clinical lead, empty caseload)
ADMIN = "admin@paceway.demo"
PRIVACY = "privacy@paceway.demo"  # Priya Officer: the audit log and access reports only
VISITOR = "visitor"  # nobody logged in
CLINICIANS = {THERAPIST, THERAPIST2, ADMIN, PRIVACY}  # staff: a second factor


def chromium_missing() -> bool:
    return not CHROMIUM.exists()


# TOTP (RFC 6238, as allauth: SHA-1, 6 digits, 30 s, no tolerance) --------------------------------


def totp_code(secret: str, counter: int) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


_last_counter: dict[str, int] = {}


def fresh_totp(email: str) -> str:
    """A code this account has not used yet (allauth refuses a replayed code for its period), with
    at least 3 s left in its period so it does not expire between typing and submitting."""
    while True:
        now = time.time()
        counter = int(now // TOTP_PERIOD)
        left = TOTP_PERIOD - now % TOTP_PERIOD
        if counter > _last_counter.get(email, -1) and left > 3:
            _last_counter[email] = counter
            return totp_code(DEMO_TOTP_SECRET, counter)
        time.sleep(left + 0.2)


# The server ----------------------------------------------------------------------------------------


@dataclass
class PacewayServer:
    url: str
    data_dir: Path
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    storage: dict[str, Any] = field(default_factory=dict)  # email -> Playwright storage state

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin_sql(url: str, sql: str) -> None:
    import psycopg

    dsn = _with_database(url, "postgres").replace("postgis://", "postgres://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("daphne did not answer /healthz")


@pytest.fixture(scope="session")
def paceway_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PacewayServer]:
    if chromium_missing():
        pytest.skip(f"{CHROMIUM} is not installed (make browsers)")
    data_dir = tmp_path_factory.mktemp("paceway-browser-data")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    for name in ("DATABASE_URL", "DATABASE_URL_FILE", "EMAIL_URL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="paceway.settings",
        DEBUG="true",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=origin,
        CSRF_TRUSTED_ORIGINS=origin,
        DATA_DIR=str(data_dir),
        DEMO_PASSWORD=DEMO_PASSWORD,
        DEMO_TOTP_SECRET=DEMO_TOTP_SECRET,
        EMAIL_URL="console://",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    outer_db = os.environ.get("DATABASE_URL", "")
    pg_name = ""
    if outer_db and _postgres(outer_db):
        pg_name = f"paceway_browser_{os.getpid()}"
        _admin_sql(outer_db, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        _admin_sql(outer_db, f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = _with_database(outer_db, pg_name)
    process: subprocess.Popen[bytes] | None = None
    log = data_dir / "daphne.log"
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_content")
        _manage(env, "load_demo")
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "paceway.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(port, timeout=30, process=process)
        _wait_healthy(origin, process)
        yield PacewayServer(url=origin, data_dir=data_dir, log=log, env=env, process=process)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if pg_name:
            _admin_sql(outer_db, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


# The browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(paceway_server: PacewayServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, paceway_server: PacewayServer) -> Iterator[Callable[..., Any]]:
    """Pages in fresh browser contexts (one person each), all closed after the test. JavaScript
    dialogs are recorded on ``page.dialogs`` and dismissed, and console errors on ``page.errors``."""
    contexts: list[Any] = []

    def make(storage_state: Any = None, **options: Any) -> Any:
        options.setdefault("viewport", {"width": 1200, "height": 900})
        context = browser.new_context(base_url=paceway_server.url, storage_state=storage_state, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.errors = []

        def on_dialog(dialog: Any) -> None:
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


START_PAGES = {
    PATIENT: "/program/",
    PATIENT2: "/program/",
    PATIENT3: "/screening/status/",  # not enrolled yet: their steps to week 1
    THERAPIST: "/therapist/",
    THERAPIST2: "/therapist/",
    ADMIN: "/therapist/console/",
    PRIVACY: "/record/audit-report/",
}


def login_through_forms(page: Any, email: str) -> None:
    """From the welcome page at /, through the login form and (for clinicians) the TOTP step."""
    page.goto("/")
    page.get_by_role("link", name="I already have an account").click()
    page.wait_for_url("**/accounts/login/**")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if email in CLINICIANS:
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        page.locator("input[name=code]").fill(fresh_totp(email))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**" + START_PAGES[email])


@pytest.fixture
def login(new_page: Callable[..., Any], paceway_server: PacewayServer) -> Callable[..., Any]:
    """``login(email, fresh=False)``: a page logged in as this demo account, on its start page.
    With ``fresh=False`` the session of an earlier login of the same account is reused (saves a
    TOTP period for clinicians); ``fresh=True`` always goes through the forms."""

    def do(email: str, *, fresh: bool = False) -> Any:
        state = None if fresh else paceway_server.storage.get(email)
        page = new_page(state)
        if state is not None:
            page.goto("/")
            if urlsplit(page.url).path == START_PAGES[email]:
                return page
        login_through_forms(page, email)
        paceway_server.storage[email] = page.context.storage_state()
        return page

    return do


@pytest.fixture(scope="session")
def demo_ids(paceway_server: PacewayServer) -> dict[str, Any]:
    """The demo data's ids (patients, an entry, an alert, an intake) for the page table."""
    from tests.browser.pages import demo_ids as read_ids

    return read_ids(paceway_server.env, ROOT)


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


# Risk alerts ---------------------------------------------------------------------------------------


def follow_up_and_resolve(page: Any, note: str, *, handover: str = "", attempts: int = 1) -> None:
    """On an alert's follow-up page: record ``attempts`` contact attempts (the last one reached
    the patient), the assessment and actions (a hand-over to ``handover`` when given), resolve."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from playwright.sync_api import expect

    now = datetime.now(ZoneInfo("America/Toronto"))  # the server's TIME_ZONE
    for index in range(attempts):
        form = page.locator("#attempt-form")
        form.locator("input[name=attempted_at]").fill(now.strftime("%Y-%m-%dT%H:%M"))
        form.locator("select[name=method]").select_option("phone")
        form.locator(f"input[name=reached][value={'yes' if index == attempts - 1 else 'no'}]").check()
        form.get_by_role("button", name="Record this attempt").click()
        expect(page.locator(".flash")).to_contain_text("Contact attempt recorded.")
        expect(page.locator("#attempts tr.attempt")).to_have_count(index + 1)
    form = page.locator("#follow-up-form")
    form.locator("select[name=risk_level]").select_option("high" if handover else "low")
    form.locator("textarea[name=protective_factors]").fill("Close to family; engaged in care")
    form.locator("textarea[name=plan]").fill("Weekly calls; safety plan reviewed")
    form.locator("input[name=actions][value=safety_plan]").check()
    if handover:
        form.locator("input[name=actions][value=crisis_referral]").check()
        form.locator("input[name=handover_service]").fill(handover)
        form.locator("textarea[name=handover_summary]").fill(f"Referred to {handover}; seen the same day.")
    form.locator("input[name=follow_up_on]").fill(now.strftime("%Y-%m-%d"))
    form.get_by_role("button", name="Save the follow-up record").click()
    expect(page.locator(".flash")).to_contain_text("Follow-up record saved.")
    expect(page.locator("#record-complete")).to_be_visible()
    page.locator("#resolve textarea[name=note]").fill(note)
    page.locator("#resolve").get_by_role("button", name="Resolve").click()
    expect(page.locator(".flash")).to_contain_text("The alert is resolved and your note is saved.")
