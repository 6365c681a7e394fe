"""Fault runs with the real browser client: is anything typed lost, stored twice or shown out of order?

Starts a PRIVATE PostgreSQL (initdb into a temp dir, free port; the shared server is never
touched), a private redis-server, and two Daphne processes on them: the patient's page (the
sender) is served by one, the therapist's page (the receiver) by the other, so every message
crosses processes through Redis. Two headless Chromium pages run the real thread.js. The
patient types messages one after another through the form while, one after another:

  pg-restart       PostgreSQL restarted (pg_ctl restart -m fast: every connection cut)
  redis-restart    the private Redis killed and started again
  kill-sender      SIGKILL of the sender's Daphne, then started again on its port
  kill-receiver    SIGKILL of the receiver's Daphne, then started again on its port

Then it waits until the sender's outbox is empty and the receiver shows every message (with a
deadline), and prints, from the database and from both screens:

  typed / stored / lost / duplicated (stored twice), and per screen: shown, missing, shown
  twice, out of order (inserted after a later seq was already shown: what a person would see
  before a reload), and the error frames the sender got (with and without a client_id).

    .venv/bin/python bench/messaging_faults.py                 # 150 messages, all four faults
    .venv/bin/python bench/messaging_faults.py --messages 60 --faults pg-restart,kill-sender

Needs /usr/lib/postgresql/15/bin, redis-server and /usr/bin/chromium. Exit status 1 when
anything was lost, duplicated or shown out of order.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CHROMIUM = "/usr/bin/chromium"
FAULTS = ["pg-restart", "redis-restart", "kill-sender", "kill-receiver"]
SETTINGS_MODULE = "tests.messaging.live_settings"  # send rate raised: typing fast is not throttled

sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

from tests.live_servers import DaphneServer, RedisServer, free_port  # noqa: E402

# A private PostgreSQL ----------------------------------------------------------------------------


class PrivatePostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="paceway-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "postgres.log"
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=120)

    def start(self) -> PrivatePostgres:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=on"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", *extra, action)

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class LoggedDaphne(DaphneServer):
    """The live tests' Daphne, with its output in a file (for a failed run)."""

    def __init__(self, log: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.log = log

    def start(self) -> LoggedDaphne:
        from tests.live_servers import wait_for_port

        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for_port(self.port, timeout=60, process=self.process)
        return self


# Data -------------------------------------------------------------------------------------------


def prepare_database() -> tuple[int, dict[str, str]]:
    """Migrate; a patient and their therapist (TOTP enrolled); a session cookie value each."""
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from paceway.accounts.models import CareAssignment, TherapistProfile, User
    from paceway.accounts.roles import Role

    call_command("migrate", verbosity=0)
    admin = User.objects.create(email="faults-admin@example.org", role=Role.ADMINISTRATOR, display_name="Admin")
    patient = User.objects.create(email="faults-patient@example.org", role=Role.PATIENT, display_name="Pat")
    therapist = User.objects.create(email="faults-therapist@example.org", role=Role.THERAPIST, display_name="Dr T")
    TOTP.activate(therapist, "JBSWY3DPEHPK3PXPJBSWY3DP")
    TherapistProfile.objects.create(user=therapist, training_title="t", training_verified_by=admin)
    CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=admin)

    def cookie(user: Any) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return str(store.session_key)

    return patient.pk, {"patient": cookie(patient), "therapist": cookie(therapist)}


def stored_bodies(patient_id: int, tag: str) -> list[str]:
    from django.db import connections

    from messaging import selectors
    from paceway.accounts.models import User

    connections.close_all()  # the connection from before the restart is gone
    patient = User.objects.get(pk=patient_id)
    bodies: list[str] = []
    after = 0
    while True:
        page = selectors.list_messages(user=patient, patient=patient, after_seq=after, limit=500, audit_action=None)
        bodies += [m["body"] for m in page.messages if m["body"].startswith(tag)]
        if not page.limited or page.next_after_seq is None:
            return bodies
        after = page.next_after_seq


# The browser ------------------------------------------------------------------------------------

RECORD = """
window.__shown = [];
window.__received = [];
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("message-list");
  if (!list) { return; }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.dataset && node.dataset.seq && !node.classList.contains("pending")) {
          window.__shown.push(parseInt(node.dataset.seq, 10));
        }
      });
    });
  }).observe(list, {childList: true});
});
(function () {
  var Original = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    var socket = new Original(url, protocols);
    socket.addEventListener("message", function (event) {
      if (event.data.indexOf('"error"') !== -1) { window.__received.push(event.data); }
    });
    return socket;
  };
  window.WebSocket.prototype = Original.prototype;
})();
"""

SHOWN = "#message-list li.message:not(.pending) p.body"


def open_page(browser: Any, server: DaphneServer, session: str, path: str) -> Any:
    context = browser.new_context(base_url=server.origin)
    context.add_cookies([{"name": "sessionid", "value": session, "url": server.origin}])
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.add_init_script(RECORD)
    page.goto(path)
    page.wait_for_selector("#message-form")
    return page


def reopen(page: Any, path: str, timeout: float = 60) -> None:
    """Back to the thread, as a person would, once its server answers again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.goto(path, timeout=5000)
            page.wait_for_selector("#message-form", timeout=5000)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def screen(page: Any, tag: str, typed: list[str]) -> dict[str, int]:
    bodies = [b for b in page.locator(SHOWN).all_text_contents() if b.startswith(tag)]
    shown_seqs = page.evaluate("window.__shown")
    order = [typed.index(b) for b in bodies if b in typed]
    inversions_final = sum(1 for a, b in itertools.pairwise(order) if b < a)
    out_of_order, twice, top, seen = 0, 0, 0, set()
    for seq in shown_seqs:
        if seq in seen:
            twice += 1
        elif seq < top:
            out_of_order += 1
        seen.add(seq)
        top = max(top, seq)
    return {
        "shown": len(set(bodies)),
        "missing": len(set(typed) - set(bodies)),
        "shown_twice": twice + (len(bodies) - len(set(bodies))),
        "out_of_order": out_of_order + inversions_final,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=150)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between two messages typed")
    parser.add_argument("--deadline", type=float, default=180, help="seconds to wait for everything to arrive")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers are stopped
    faults = [f for f in args.faults.split(",") if f]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")

    work = Path(tempfile.mkdtemp(prefix="paceway-faults-"))
    postgres = PrivatePostgres().start()
    redis = RedisServer()
    redis.start()
    servers: list[LoggedDaphne] = []
    try:
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "paceway_faults"],
            check=True,
        )
        os.environ.update(
            DATABASE_URL=postgres.url("paceway_faults"),
            REDIS_URL=redis.url,
            DATA_DIR=str(work),
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
            LOG_LEVEL="WARNING",
        )
        patient_id, sessions = prepare_database()
        from django.db import connections

        connections.close_all()
        for name in ("sender", "receiver"):
            server = LoggedDaphne(
                work / f"daphne-{name}.log",
                database_url=postgres.url("paceway_faults"),
                redis_url=redis.url,
                settings_module=SETTINGS_MODULE,
            )
            servers.append(server.start())
        sender_server, receiver_server = servers
        tag = uuid.uuid4().hex[:6]
        typed = [f"{tag} m{i:03d}" for i in range(args.messages)]
        actions = {
            "pg-restart": postgres.restart,
            "redis-restart": redis.restart,
            "kill-sender": sender_server.restart,
            "kill-receiver": receiver_server.restart,
        }
        # Faults spread over the run, one at a time, each while typing goes on.
        at = {int(args.messages * (n + 1) / (len(faults) + 1)): fault for n, fault in enumerate(faults)}
        events: list[str] = []
        running: list[threading.Thread] = []
        t0 = time.monotonic()

        def inject(fault: str) -> None:
            started = time.monotonic()
            actions[fault]()
            events.append(f"{fault} at {started - t0:.1f} s ({time.monotonic() - started:.1f} s)")

        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            path = f"/messages/{patient_id}/"
            sender = open_page(browser, sender_server, sessions["patient"], path)
            receiver = open_page(browser, receiver_server, sessions["therapist"], path)
            box = sender.get_by_label("Your message")
            button = sender.get_by_role("button", name="Send")
            lost_on_submit = navigated_away = 0
            for i, text in enumerate(typed):
                if i in at:
                    while running and running[-1].is_alive():  # one fault at a time
                        sender.wait_for_timeout(50)
                    thread = threading.Thread(target=inject, args=(at[i],), daemon=True)
                    thread.start()
                    running.append(thread)
                try:
                    box.fill(text, timeout=5000)
                    button.click(timeout=5000)
                    if box.input_value(timeout=5000) == text:  # not taken by the script
                        lost_on_submit += 1
                except PlaywrightError:  # the form posted (an old client with its socket down)
                    navigated_away += 1
                    reopen(sender, path)
                sender.wait_for_timeout(args.interval * 1000)
            for thread in running:
                thread.join(120)
            typed_done = time.monotonic() - t0
            deadline = time.monotonic() + args.deadline
            while time.monotonic() < deadline:
                outbox = sender.evaluate(
                    "() => Object.keys(localStorage).filter(k => k.startsWith('paceway.outbox.')).length"
                )
                on_receiver = {b for b in receiver.locator(SHOWN).all_text_contents() if b.startswith(tag)}
                on_sender = {b for b in sender.locator(SHOWN).all_text_contents() if b.startswith(tag)}
                if not outbox and len(on_receiver) == len(typed) and len(on_sender) == len(typed):
                    break
                sender.wait_for_timeout(250)
            settled = time.monotonic() - t0
            sender_screen = screen(sender, tag, typed)
            receiver_screen = screen(receiver, tag, typed)
            errors = [json.loads(raw) for raw in sender.evaluate("window.__received")]
            outbox_left = sender.evaluate(
                "() => Object.keys(localStorage).filter(k => k.startsWith('paceway.outbox.'))"
                ".map(k => JSON.parse(localStorage.getItem(k)).length).reduce((a, b) => a + b, 0)"
            )
            browser.close()

        stored = stored_bodies(patient_id, tag)
        lost = len(set(typed) - set(stored))
        duplicated = len(stored) - len(set(stored))
        stored_order = [typed.index(b) for b in stored if b in typed]
        stored_out_of_order = sum(1 for a, b in itertools.pairwise(stored_order) if b < a)
        by_code: dict[str, int] = {}
        for frame in errors:
            key = f"{frame.get('code')}{'' if frame.get('client_id') else ' (no client_id)'}"
            by_code[key] = by_code.get(key, 0) + 1
        print(f"faults: {', '.join(events) or 'none'}")
        print(f"typed in {typed_done:.1f} s, settled at {settled:.1f} s")
        print(
            f"typed {len(typed)}  stored {len(set(stored))}  lost {lost}  duplicated {duplicated}  "
            f"stored out of typing order {stored_out_of_order}  left in outbox {outbox_left}  "
            f"text box kept after submit {lost_on_submit}  page left by a form post {navigated_away}"
        )
        for name, shown in (("sender", sender_screen), ("receiver", receiver_screen)):
            print(f"{name:8} screen: " + "  ".join(f"{k} {v}" for k, v in shown.items()))
        print(f"error frames on the sender: {by_code or 'none'}")
        bad = (
            lost
            or duplicated
            or stored_out_of_order
            or any(s["missing"] or s["shown_twice"] or s["out_of_order"] for s in (sender_screen, receiver_screen))
        )
        if bad:
            print(f"logs in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        return 1 if bad else 0
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    sys.exit(main())
