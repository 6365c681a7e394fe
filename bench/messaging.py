"""Messaging delivery: a bare Channels relay beside Paceway's full path, in one run, on one layer.

Starts real Daphne processes:
  relay-pubsub  bench/relay_asgi.py on the Redis pub/sub layer (the layer Paceway uses)
  relay-core    bench/relay_asgi.py on the core RedisChannelLayer (Channels tutorial setup,
                host given as a dict with socket_timeout None)
  full          paceway.asgi: session cookie + Origin check, rate limit, row lock and seq,
                AES-256-GCM, audit events, ack after commit; both sides on one process, so the
                other side gets the message from the local hand-over (audited in the same commit)
  full-2proc    (only with --paths) the same, each therapist socket on a second Daphne process:
                the doorbell goes through Redis and that socket reads the row back and decrypts
                it; server CPU is the two processes' together
For 1 and for 50 concurrent conversations, each conversation's patient sends messages one at a
time (the next once the therapist's socket has the previous one: a closed loop) and the latency
send -> receive on the other socket is recorded. Then it connects 2,000 idle authenticated
sockets to a fresh Daphne process and reports the growth of its RSS per socket.

    .venv/bin/python bench/messaging.py                  # Redis db 13, SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paceway_bench .venv/bin/python bench/messaging.py

Options: --paths full,relay-pubsub  --n1 300 --n50 100 --idle 2000 (0 skips the memory part).
BENCH_QUERY_LOG=/tmp/q.json counts the Daphne processes' SQL statements by kind into that file
(rewritten every second; run with --idle 0, or the idle process overwrites it);
statements per delivered message = total / "INSERT messaging_message". BENCH_DB_THREADS=n
overrides MESSAGING_DB_THREADS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
BODY_PAD = "x" * 150  # with the id and timestamp the body is about 200 bytes

os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="paceway-msgbench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

from _setup import django_setup  # noqa: E402

django_setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from paceway.accounts.models import CareAssignment, TherapistProfile, User  # noqa: E402
from paceway.accounts.roles import Role  # noqa: E402
from tests.live_servers import daphne_command, free_port, wait_for_port  # noqa: E402

# Environment ------------------------------------------------------------------------------------


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (steadier than wall time on a busy machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Daphne:
    """One Daphne process (its output goes to a log file in the temp dir, kept on failure)."""

    def __init__(self, name: str, app: str, **env: str) -> None:
        self.name, self.app, self.port = name, app, free_port()
        self.extra_env = env
        self.log = Path(tempfile.gettempdir()) / f"msgbench-{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Daphne:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT), str(BENCH)]),
            DJANGO_SETTINGS_MODULE="messaging_settings",
            **self.extra_env,
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                daphne_command(self.port, self.app),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout=30, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.unlink(missing_ok=True)  # kept only if the process died on its own

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"


# Data: patient/therapist pairs with sessions ----------------------------------------------------


@dataclass
class Pair:
    patient_id: int
    patient_cookie: str
    therapist_cookie: str


def session_cookie(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def make_users(tag: str, role: str, count: int) -> list[User]:
    users = [
        User(email=f"msgbench-{tag}-{role}-{n}@example.org", role=role, display_name=f"{role} {n}")
        for n in range(count)
    ]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users, batch_size=500)
    return list(User.objects.filter(email__startswith=f"msgbench-{tag}-{role}-").order_by("pk"))


def make_pairs(count: int) -> list[Pair]:
    from allauth.mfa.totp.internal.auth import TOTP

    tag = uuid.uuid4().hex[:8]
    admin = make_users(tag, Role.ADMINISTRATOR, 1)[0]
    patients = make_users(tag, Role.PATIENT, count)
    therapists = make_users(tag, Role.THERAPIST, count)
    for therapist in therapists:
        TOTP.activate(therapist, "JBSWY3DPEHPK3PXPJBSWY3DP")  # clinicians need MFA enrolled
    TherapistProfile.objects.bulk_create(
        TherapistProfile(user=t, training_title="bench", training_verified_by=admin, caseload_capacity=5)
        for t in therapists
    )
    CareAssignment.objects.bulk_create(
        CareAssignment(patient=p, therapist=t, assigned_by=admin) for p, t in zip(patients, therapists, strict=True)
    )
    return [Pair(p.pk, session_cookie(p), session_cookie(t)) for p, t in zip(patients, therapists, strict=True)]


def make_idle_patients(count: int) -> list[tuple[int, str]]:
    patients = make_users(uuid.uuid4().hex[:8], Role.PATIENT, count)
    return [(p.pk, session_cookie(p)) for p in patients]


# Clients ----------------------------------------------------------------------------------------


async def connect(server: Daphne, path: str, cookie: str | None = None) -> Any:
    from websockets.asyncio.client import connect as ws_connect
    from websockets.typing import Origin

    headers = {"Cookie": cookie} if cookie else {}
    return await ws_connect(
        server.url(path),
        origin=Origin(server.origin),
        additional_headers=headers,
        open_timeout=30,
        max_size=2**22,
        compression=None,
    )


class Conversation:
    """One patient socket and one therapist socket; the patient sends, the therapist receives."""

    def __init__(self, kind: str, servers: list[Daphne], key: str, pair: Pair | None) -> None:
        self.kind, self.key, self.pair = kind, key, pair
        self.server, self.receiver_server = servers[0], servers[-1]  # the same one but for full-2proc
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.arrived: dict[str, asyncio.Future[None]] = {}
        self.acks = 0

    async def open(self) -> None:
        if self.kind.startswith("full"):
            assert self.pair is not None
            path = f"/ws/messages/{self.pair.patient_id}/"
            self.receiver = await connect(self.receiver_server, path, self.pair.therapist_cookie)
            self.sender = await connect(self.server, path, self.pair.patient_cookie)
            for ws in (self.receiver, self.sender):
                ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert ready["type"] == "ready", ready
        else:
            self.receiver = await connect(self.server, f"/ws/relay/{self.key}/t/")
            self.sender = await connect(self.server, f"/ws/relay/{self.key}/p/")
        self.readers = [
            asyncio.ensure_future(self._read_receiver()),
            asyncio.ensure_future(self._drain_sender()),
        ]

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(self.sender.close(), self.receiver.close(), return_exceptions=True)

    async def _read_receiver(self) -> None:
        async for raw in self.receiver:
            now = time.perf_counter()
            frame = json.loads(raw)
            if self.kind.startswith("full"):
                if frame.get("type") != "messages":
                    continue
                ids = [m["client_id"] for m in frame["messages"]]
            else:
                ids = [frame["client_id"]]
            for cid in ids:
                started = self.sent_at.pop(cid, None)
                if started is not None:
                    self.latencies.append(now - started)
                    future = self.arrived.pop(cid, None)
                    if future is not None and not future.done():
                        future.set_result(None)

    async def _drain_sender(self) -> None:
        async for raw in self.sender:  # acks, and (full path) the sender's own copy of each message
            frame = json.loads(raw)
            if frame.get("type") == "ack":
                self.acks += 1
            elif frame.get("type") == "error":
                raise RuntimeError(f"error frame: {frame}")

    async def run(self, count: int, *, record: bool = True) -> None:
        loop = asyncio.get_running_loop()
        for n in range(count):
            cid = f"{self.key}-{'m' if record else 'w'}{n}"
            body = f"{cid} {time.time():.6f} {BODY_PAD}"
            frame = (
                {"action": "send", "client_id": cid, "body": body}
                if self.kind.startswith("full")
                else {"client_id": cid, "body": body}
            )
            future = self.arrived[cid] = loop.create_future()
            self.sent_at[cid] = time.perf_counter()
            await self.sender.send(json.dumps(frame))
            await asyncio.wait_for(future, 30)
        if not record:
            self.latencies.clear()


@dataclass
class Result:
    path: str
    conversations: int
    delivered: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    @property
    def cpu_ms_per_message(self) -> float:
        return 1000 * self.server_cpu_s / self.delivered


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def measure(kind: str, servers: list[Daphne], pairs: list[Pair], conversations: int, count: int) -> Result:
    tag = uuid.uuid4().hex[:6]
    convs = [
        Conversation(kind, servers, f"{tag}{n}", pairs[n] if kind.startswith("full") else None)
        for n in range(conversations)
    ]
    for start in range(0, len(convs), 25):
        await asyncio.gather(*(c.open() for c in convs[start : start + 25]))
    try:
        await asyncio.gather(*(c.run(5, record=False) for c in convs))  # warm-up
        started, cpu_before = time.perf_counter(), sum(cpu_seconds(s.pid) for s in servers)
        await asyncio.gather(*(c.run(count) for c in convs))
        seconds = time.perf_counter() - started
        cpu = sum(cpu_seconds(s.pid) for s in servers) - cpu_before
    finally:
        await asyncio.gather(*(c.close() for c in convs))
    latencies = [x * 1000 for c in convs for x in c.latencies]
    return Result(
        kind, conversations, len(latencies), seconds, statistics.median(latencies), percentile(latencies, 0.99), cpu
    )


async def idle_memory(server: Daphne, sockets: list[tuple[int, str]]) -> tuple[int, float]:
    """Open ``len(sockets)`` authenticated sockets; RSS growth per socket in KB."""
    path = "/ws/messages/{}/"
    warm = [await connect(server, path.format(pid), cookie) for pid, cookie in sockets[:20]]
    for ws in warm:
        await ws.recv()
        await ws.close()
    await asyncio.sleep(1.0)
    before = rss_kb(server.pid)
    opened: list[Any] = []
    semaphore = asyncio.Semaphore(50)

    async def one(pid: int, cookie: str) -> None:
        async with semaphore:
            ws = await connect(server, path.format(pid), cookie)
            ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert ready["type"] == "ready", ready
            opened.append(ws)

    try:
        await asyncio.gather(*(one(pid, cookie) for pid, cookie in sockets))
        await asyncio.sleep(2.0)
        after = rss_kb(server.pid)
    finally:
        await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)
    return len(opened), (after - before) / len(opened)


# Report -----------------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    by = {(r.path, r.conversations): r for r in results}
    print()
    print(f"{'path':<14}{'conv':>5}{'msgs':>7}{'p50 ms':>9}{'p99 ms':>9}{'msg/s':>9}{'server CPU ms/msg':>19}")
    for r in results:
        print(
            f"{r.path:<14}{r.conversations:>5}{r.delivered:>7}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.rate:>9.0f}"
            f"{r.cpu_ms_per_message:>19.3f}"
        )
    print()
    print(f"{'full / bare':<24}{'conv':>5}{'p50 x':>8}{'p99 x':>8}{'rate x':>8}")
    for base in ("relay-pubsub", "relay-core"):
        for conv in sorted({r.conversations for r in results}):
            full, bare = by.get(("full", conv)), by.get((base, conv))
            if full and bare:
                print(
                    f"{'full / ' + base:<24}{conv:>5}{full.p50_ms / bare.p50_ms:>8.2f}"
                    f"{full.p99_ms / bare.p99_ms:>8.2f}{full.rate / bare.rate:>8.2f}"
                )
    full, pubsub, core = by.get(("full", 50)), by.get(("relay-pubsub", 50)), by.get(("relay-core", 50))
    if full and pubsub and core:
        print()
        print("goals at 50 conversations:")
        print(
            f"  rate >= 0.6x pub/sub relay: {full.rate / pubsub.rate:.2f}x "
            f"{'ok' if full.rate >= 0.6 * pubsub.rate else 'MISSED'}"
        )
        print(
            f"  rate >= 1.0x core relay:    {full.rate / core.rate:.2f}x {'ok' if full.rate >= core.rate else 'MISSED'}"
        )
        print(
            f"  p99 <= 2x pub/sub relay:    {full.p99_ms / pubsub.p99_ms:.2f}x "
            f"{'ok' if full.p99_ms <= 2 * pubsub.p99_ms else 'MISSED'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths", default="relay-pubsub,relay-core,full")
    parser.add_argument("--conversations", default="1,50")
    parser.add_argument("--n1", type=int, default=300, help="messages per conversation at 1")
    parser.add_argument("--n50", type=int, default=100, help="messages per conversation at 50 (or more)")
    parser.add_argument("--idle", type=int, default=2000, help="idle sockets for the memory figure")
    args = parser.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    levels = [int(c) for c in args.conversations.split(",") if c]

    fd_limit = raise_fd_limit(max(8192, 2 * args.idle + 1024))
    idle = args.idle
    if idle and fd_limit < 2 * idle + 512:
        idle = max(0, min(1000, (fd_limit - 512) // 2))
        print(f"open-file limit {fd_limit}: idle sockets reduced to {idle}")
    database = settings.DATABASES["default"]
    print(f"channel layer: {settings.CHANNEL_LAYERS['default']['BACKEND']} at {os.environ['REDIS_URL']}")
    print(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    print(
        f"closed loop: each conversation sends its next message once the other side has the last;"
        f" {args.n1} messages at 1 conversation, {args.n50} per conversation above; 5 warm-up each"
    )

    pairs = make_pairs(max(levels)) if any(p.startswith("full") for p in paths) else []
    servers = {
        "relay-pubsub": lambda: [Daphne("relay-pubsub", "relay_asgi:application", BENCH_RELAY_LAYER="pubsub")],
        "relay-core": lambda: [Daphne("relay-core", "relay_asgi:application", BENCH_RELAY_LAYER="core")],
        "full": lambda: [Daphne("full", "paceway.asgi:application")],
        "full-2proc": lambda: [
            Daphne("full-a", "paceway.asgi:application"),
            Daphne("full-b", "paceway.asgi:application"),
        ],
    }
    running = {name: [daphne.start() for daphne in servers[name]()] for name in paths}
    results: list[Result] = []
    try:
        for conv in levels:
            for name in paths:
                count = args.n1 if conv == 1 else args.n50
                result = asyncio.run(measure(name, running[name], pairs, conv, count))
                print(
                    f"  {name:<13} {conv:>3} conversations: p50 {result.p50_ms:.2f} ms, "
                    f"p99 {result.p99_ms:.2f} ms, {result.rate:.0f} msg/s",
                    flush=True,
                )
                results.append(result)
    finally:
        for group in running.values():
            for server in group:
                server.stop()
    print_table(results)

    if idle:
        sockets = make_idle_patients(idle)
        server = Daphne("idle", "paceway.asgi:application").start()
        try:
            opened, per_socket = asyncio.run(idle_memory(server, sockets))
        finally:
            server.stop()
        verdict = "ok" if per_socket <= 50 else "MISSED"
        print(
            f"\nidle authenticated sockets on one Daphne process: {opened}, "
            f"RSS +{per_socket:.1f} KB each (goal <= 50 KB: {verdict})"
        )


if __name__ == "__main__":
    main()
