"""Idle sockets: what 2,000 open, authenticated, silent conversation sockets cost, and whether they
all come back after a crash.

Starts a private PostgreSQL (initdb in a temp dir, free port) and a private redis-server, so that
their CPU can be measured without anyone else's load, and one Daphne process (paceway.asgi with
bench/messaging_settings). Half the sockets are patients on their own conversation, half their
therapists (TOTP enrolled, assigned) on the same conversations.

  connect    all sockets opened, 50 at a time: Daphne CPU-ms per handshake, RSS growth per socket
  idle       nothing sent for --window seconds: CPU of Daphne, PostgreSQL and Redis, in cores
  storm      SIGKILL of Daphne, started again on its port; every client reconnects at once, then
             retries with backoff and jitter as thread.js does (1, 2, 4 ... s, each 0.5-1x):
             failed handshakes by kind (connection refused, HTTP status instead of 101, timed out
             after --handshake-timeout s, closed before "ready"), clients back, time, and the
             seconds from the first try to "ready" (p50, p99, max)

Daphne runs as deploy/entrypoint.sh runs it (tests.live_servers.daphne_command): a listen backlog
of 1024 and 60 s for a handshake. thread.js sets no open timeout of its own, so the client here
waits as long as the server does (--handshake-timeout 60).

    .venv/bin/python bench/messaging_idle.py                     # 2,000 sockets, 120 s window
    .venv/bin/python bench/messaging_idle.py --sockets 500 --window 60 --no-storm

Goals (issue 15): <= 50 KB and <= 0.05 core in total for 2,000 idle sockets; 0 failed handshakes
when 2,000 reconnect at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

from _setup import cpu_seconds, percentile, rss_kb  # noqa: E402
from messaging_faults import PG_BIN, PrivatePostgres  # noqa: E402

from tests.live_servers import RedisServer, daphne_command, free_port, wait_for_port  # noqa: E402


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU of a process and its children (PostgreSQL's postmaster and its backends), including
    children that have exited (cutime, cstime)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return total


def postmaster_pid(postgres: PrivatePostgres) -> int:
    return int((postgres.data / "postmaster.pid").read_text().splitlines()[0])


class Daphne:
    def __init__(self, log: Path, connect_timeout: int = 60) -> None:
        self.port = free_port()
        self.log = log
        self.connect_timeout = connect_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Daphne:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT), str(BENCH)]),
            DJANGO_SETTINGS_MODULE="messaging_settings",
        )
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                daphne_command(self.port, connect_timeout=self.connect_timeout),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout=60, process=self.process)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def make_sockets(count: int) -> list[tuple[int, str]]:
    """(patient_id, session cookie) per socket: a patient and their therapist per conversation."""
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
    tag = uuid.uuid4().hex[:6]
    pairs = count // 2

    def users(role: str, n: int) -> list[Any]:
        made = [
            User(email=f"idle-{tag}-{role}-{i}@example.org", role=role, display_name=f"{role} {i}") for i in range(n)
        ]
        for user in made:
            user.set_unusable_password()
        User.objects.bulk_create(made, batch_size=500)
        return list(User.objects.filter(email__startswith=f"idle-{tag}-{role}-").order_by("pk"))

    admin = users(Role.ADMINISTRATOR, 1)[0]
    patients, therapists = users(Role.PATIENT, pairs), users(Role.THERAPIST, pairs)
    for therapist in therapists:
        TOTP.activate(therapist, "JBSWY3DPEHPK3PXPJBSWY3DP")
    TherapistProfile.objects.bulk_create(
        TherapistProfile(user=t, training_title="bench", training_verified_by=admin, caseload_capacity=5)
        for t in therapists
    )
    CareAssignment.objects.bulk_create(
        CareAssignment(patient=p, therapist=t, assigned_by=admin) for p, t in zip(patients, therapists, strict=True)
    )

    def cookie(user: Any) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    sockets = []
    for patient, therapist in zip(patients, therapists, strict=True):
        sockets += [(patient.pk, cookie(patient)), (patient.pk, cookie(therapist))]
    from django.db import connections

    connections.close_all()
    return sockets


class Client:
    """One socket, reconnecting as thread.js does."""

    def __init__(self, daphne: Daphne, patient_id: int, cookie: str) -> None:
        self.daphne, self.path, self.cookie = daphne, f"/ws/messages/{patient_id}/", cookie
        self.ws: Any = None
        self.failures: Counter[str] = Counter()  # failed handshakes by kind
        self.attempts = 0
        self.waited: float | None = None  # seconds from the first try to "ready"

    timeout = 60.0

    def reset(self) -> None:
        self.ws, self.attempts, self.waited = None, 0, None
        self.failures.clear()

    @property
    def failed(self) -> int:
        """Handshakes refused, dropped or timed out."""
        return sum(self.failures.values())

    async def connect_once(self, timeout: float | None = None) -> bool:
        timeout = timeout or self.timeout
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.typing import Origin

        self.attempts += 1
        try:
            ws = await connect(
                f"ws://127.0.0.1:{self.daphne.port}{self.path}",
                origin=Origin(f"http://127.0.0.1:{self.daphne.port}"),
                additional_headers={"Cookie": self.cookie},
                open_timeout=timeout,
                compression=None,
                ping_interval=None,  # as a browser: it answers the server's pings, sends none
            )
            ready = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            if ready.get("type") != "ready":
                raise RuntimeError(ready)
        except Exception as exc:  # noqa: BLE001 - any failure to open counts as a failed socket
            if isinstance(exc, ConnectionRefusedError):
                self.failures["connection refused"] += 1
            elif isinstance(exc, InvalidStatus):
                self.failures[f"HTTP {exc.response.status_code}"] += 1
            elif isinstance(exc, TimeoutError):
                self.failures["timed out"] += 1
            elif isinstance(exc, ConnectionClosed):
                self.failures["closed before ready"] += 1
            else:
                self.failures[type(exc).__name__] += 1
            return False
        self.ws = ws
        return True

    async def reconnect(self, deadline: float) -> bool:
        """After the server went away: retry with backoff and jitter until ``deadline``."""
        n = 0
        while time.monotonic() < deadline:
            await asyncio.sleep(min(30.0, 2.0**n) * random.uniform(0.5, 1.0))
            if await self.connect_once():
                return True
            n += 1
        return False


async def open_all(clients: list[Client]) -> int:
    semaphore = asyncio.Semaphore(50)

    async def one(client: Client) -> bool:
        async with semaphore:
            return await client.connect_once(30)

    return sum(await asyncio.gather(*(one(c) for c in clients)))


async def close_all(clients: list[Client]) -> None:
    await asyncio.gather(*(c.ws.close() for c in clients if c.ws is not None), return_exceptions=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--window", type=float, default=120, help="seconds of idleness measured")
    parser.add_argument("--no-storm", action="store_true", help="skip the reconnect storm")
    parser.add_argument(
        "--handshake-timeout", type=float, default=60, help="seconds a client waits for a handshake and ready"
    )
    parser.add_argument(
        "--daphne-connect-timeout",
        type=int,
        default=60,
        help="Daphne's --websocket_connect_timeout (60 as deployed; 5 is Daphne's default, for the before figure)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers are stopped
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.sockets + 1024)), hard))

    work = Path(tempfile.mkdtemp(prefix="paceway-idle-"))
    postgres = PrivatePostgres().start()
    redis = RedisServer()
    redis.start()
    daphne: Daphne | None = None
    try:
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "paceway_idle"],
            check=True,
        )
        os.environ.update(
            DATABASE_URL=postgres.url("paceway_idle"),
            REDIS_URL=redis.url,
            DATA_DIR=str(work),
            DJANGO_SETTINGS_MODULE="paceway.settings",
            LOG_LEVEL="WARNING",
        )
        sockets = make_sockets(args.sockets)
        daphne = Daphne(work / "daphne.log", args.daphne_connect_timeout).start()
        assert redis.process is not None
        pg_pid, redis_pid = postmaster_pid(postgres), redis.process.pid
        clients = [Client(daphne, pid, cookie) for pid, cookie in sockets]
        Client.timeout = args.handshake_timeout

        async def scenario() -> None:
            assert daphne is not None
            warm = clients[:20]
            await open_all(warm)  # imports and caches warmed before measuring
            await close_all(warm)
            for c in warm:
                c.reset()
            await asyncio.sleep(2)
            rss0, cpu0 = rss_kb(daphne.pid), cpu_seconds(daphne.pid)
            t0 = time.monotonic()
            opened = await open_all(clients)
            took = time.monotonic() - t0
            await asyncio.sleep(3)
            rss1, cpu1 = rss_kb(daphne.pid), cpu_seconds(daphne.pid)
            print(
                f"connect: {opened}/{len(clients)} sockets in {took:.1f} s, "
                f"{(cpu1 - cpu0) * 1000 / max(1, opened):.1f} Daphne CPU-ms per handshake, "
                f"RSS +{(rss1 - rss0) / max(1, opened):.1f} KB per socket",
                flush=True,
            )
            d0, p0, r0 = cpu_seconds(daphne.pid), tree_cpu_seconds(pg_pid), cpu_seconds(redis_pid)
            w0 = time.monotonic()
            await asyncio.sleep(args.window)
            wall = time.monotonic() - w0
            d1, p1, r1 = cpu_seconds(daphne.pid), tree_cpu_seconds(pg_pid), cpu_seconds(redis_pid)
            still = sum(1 for c in clients if c.ws is not None and c.ws.state.name == "OPEN")
            total = (d1 - d0) + (p1 - p0) + (r1 - r0)
            print(
                f"idle {wall:.0f} s, {still} sockets open: Daphne {(d1 - d0) / wall:.4f} core, "
                f"PostgreSQL {(p1 - p0) / wall:.4f}, Redis {(r1 - r0) / wall:.4f}, total {total / wall:.4f} core "
                f"(goal <= 0.05: {'ok' if total / wall <= 0.05 else 'MISSED'}); "
                f"RSS now +{(rss_kb(daphne.pid) - rss0) / max(1, opened):.1f} KB per socket",
                flush=True,
            )
            if args.no_storm:
                await close_all(clients)
                return
            daphne.kill()
            await close_all(clients)
            for c in clients:
                c.reset()
            daphne.start()
            t1 = time.monotonic()
            cpu_s = cpu_seconds(daphne.pid)

            first_try = 0

            async def first(client: Client) -> bool:
                nonlocal first_try
                ok = await client.connect_once()
                first_try += ok
                ok = ok or await client.reconnect(t1 + 300)
                if ok:
                    client.waited = time.monotonic() - t1
                return ok

            back = sum(await asyncio.gather(*(first(c) for c in clients)))  # all at once
            failed = sum(c.failed for c in clients)
            kinds: Counter[str] = Counter()
            for c in clients:
                kinds.update(c.failures)
            waits = sorted(c.waited for c in clients if c.waited is not None)
            print(
                f"storm: {len(clients)} reconnecting at once after SIGKILL (Daphne waits {args.daphne_connect_timeout} s "
                f"for a handshake, clients {args.handshake_timeout:.0f} s): "
                f"{first_try} at the first try, "
                f"{back} back in {time.monotonic() - t1:.1f} s, {failed} failed handshakes "
                f"{dict(kinds) if kinds else ''} (goal 0: {'ok' if failed == 0 else 'MISSED'}), "
                f"{(cpu_seconds(daphne.pid) - cpu_s) * 1000 / max(1, back):.1f} Daphne CPU-ms per handshake; "
                f"seconds to ready p50 {percentile(waits, 0.50):.1f}, p99 {percentile(waits, 0.99):.1f}, "
                f"max {waits[-1] if waits else 0:.1f}",
                flush=True,
            )
            await close_all(clients)

        asyncio.run(scenario())
        return 0
    finally:
        if daphne is not None:
            daphne.stop()
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    sys.exit(main())
