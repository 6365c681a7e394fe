"""Messaging delivery: Paceway's full path beside bare Channels relays, in one run, interleaved.

Starts real Daphne processes, two per path, as a deployment has several:
  full          paceway.asgi: session cookie + Origin check, rate limit, row lock and seq,
                AES-256-GCM, audit events, ack after commit. The headline: each patient's socket
                on one process and their therapist's on the other, so every message crosses:
                the doorbell goes through Redis, and the receiving process reads the row back
                (batched per round), decrypts it once and audits the read
  full-local    the same, both sockets of a conversation on one process (the local hand-over,
                no read-back): a second row, what 1/k of conversations get with k processes
  relay-pubsub  bench/relay_asgi.py on the Redis pub/sub layer (the layer Paceway uses), sender
                and receiver on different processes as in "full"
  relay-core    (only with --paths) bench/relay_asgi.py on the core RedisChannelLayer (Channels
                tutorial setup, host given as a dict with socket_timeout None), the same
                two-process topology; at 200 conversations it drops messages over a channel's
                capacity and its sockets fail with 1011
Each round measures every path at every level (1, 10, 50, 200 conversations by default), the
order of the paths rotated from round to round so that drift favours none; medians over rounds
are reported. Each conversation's patient sends messages one at a time (the next once the
therapist's socket has the previous one: a closed loop) and the latency send -> receive on the
other socket is recorded. CPU per delivered message is read from /proc for the path's Daphne
processes, PostgreSQL (every process named postgres) and Redis (redis-server), during the
measured part only. Then it connects --idle authenticated sockets to a fresh Daphne process and
reports the growth of its RSS per socket.

    .venv/bin/python bench/messaging.py                  # Redis db 13, SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paceway_bench .venv/bin/python bench/messaging.py

Options: --paths full,full-local,relay-pubsub[,relay-core]  --conversations 1,10,50,200  --rounds 3
--n1 300 --n50 100 (messages per conversation at 1 and above 1)  --idle 2000 (0 skips).
Goals (issue 15), at 50 conversations: full rate >= 0.6x relay-pubsub, p99 <= 2x, CPU per
message (Daphne + PostgreSQL + Redis) <= 2x.
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

from _setup import cpu_seconds, django_setup, percentile, rss_kb, service_cpu_seconds  # noqa: E402

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
        # Sender on the first process, receiver on the second; "full-local" keeps both on the first.
        self.server, self.receiver_server = servers[0], servers[0 if kind == "full-local" else -1]
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.arrived: dict[str, asyncio.Future[None]] = {}
        self.acks = 0
        self.lost = 0

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
            self.receiver = await connect(self.receiver_server, f"/ws/relay/{self.key}/t/")
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
            try:
                await asyncio.wait_for(future, 10)
            except TimeoutError:  # never arrived (the core layer drops what is over a channel's capacity)
                self.lost += 1
                self.sent_at.pop(cid, None)
                self.arrived.pop(cid, None)
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
    postgres_cpu_s: float = 0.0
    redis_cpu_s: float = 0.0
    lost: int = 0

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    @property
    def cpu_ms_per_message(self) -> float:
        """Daphne + PostgreSQL + Redis."""
        return 1000 * (self.server_cpu_s + self.postgres_cpu_s + self.redis_cpu_s) / self.delivered

    def part_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.delivered


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
        pg_before, redis_before = service_cpu_seconds("postgres"), service_cpu_seconds("redis-server")
        await asyncio.gather(*(c.run(count) for c in convs))
        seconds = time.perf_counter() - started
        cpu = sum(cpu_seconds(s.pid) for s in servers) - cpu_before
        pg_cpu = service_cpu_seconds("postgres") - pg_before
        redis_cpu = service_cpu_seconds("redis-server") - redis_before
    finally:
        await asyncio.gather(*(c.close() for c in convs))
    latencies = [x * 1000 for c in convs for x in c.latencies]
    return Result(
        kind,
        conversations,
        len(latencies),
        seconds,
        statistics.median(latencies),
        percentile(latencies, 0.99),
        cpu,
        pg_cpu,
        redis_cpu,
        sum(c.lost for c in convs),
    )


def median_result(results: list[Result]) -> Result:
    """The medians over rounds of one path at one level (each figure its own median)."""

    med = statistics.median
    first = results[0]
    delivered = round(med([r.delivered for r in results]))
    rate = med([r.rate for r in results])
    return Result(
        first.path,
        first.conversations,
        delivered,
        delivered / rate,
        med([r.p50_ms for r in results]),
        med([r.p99_ms for r in results]),
        med([r.server_cpu_s / r.delivered for r in results]) * delivered,
        med([r.postgres_cpu_s / r.delivered for r in results]) * delivered,
        med([r.redis_cpu_s / r.delivered for r in results]) * delivered,
        sum(r.lost for r in results),
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


def print_table(results: list[Result], rounds: int) -> None:
    by = {(r.path, r.conversations): r for r in results}
    print()
    print(f"medians over {rounds} round(s); CPU ms per delivered message: Daphne + PostgreSQL + Redis")
    print(
        f"{'path':<14}{'conv':>5}{'msgs':>7}{'p50 ms':>9}{'p99 ms':>9}{'msg/s':>9}"
        f"{'CPU ms/msg':>12}{'Daphne':>8}{'PG':>7}{'Redis':>7}"
    )
    for r in results:
        print(
            f"{r.path:<14}{r.conversations:>5}{r.delivered:>7}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.rate:>9.0f}"
            f"{r.cpu_ms_per_message:>12.3f}{r.part_ms(r.server_cpu_s):>8.3f}{r.part_ms(r.postgres_cpu_s):>7.3f}"
            f"{r.part_ms(r.redis_cpu_s):>7.3f}" + (f"   {r.lost} never arrived" if r.lost else "")
        )
    print()
    print(f"{'ratio':<26}{'conv':>5}{'rate x':>8}{'p50 x':>8}{'p99 x':>8}{'CPU x':>8}")
    for path in ("full", "full-local"):
        for base in ("relay-pubsub", "relay-core"):
            for conv in sorted({r.conversations for r in results}):
                full, bare = by.get((path, conv)), by.get((base, conv))
                if full and bare:
                    print(
                        f"{path + ' / ' + base:<26}{conv:>5}{full.rate / bare.rate:>8.2f}"
                        f"{full.p50_ms / bare.p50_ms:>8.2f}{full.p99_ms / bare.p99_ms:>8.2f}"
                        f"{full.cpu_ms_per_message / bare.cpu_ms_per_message:>8.2f}"
                    )
    full, pubsub = by.get(("full", 50)), by.get(("relay-pubsub", 50))
    if full and pubsub:
        rate, p99 = full.rate / pubsub.rate, full.p99_ms / pubsub.p99_ms
        cpu = full.cpu_ms_per_message / pubsub.cpu_ms_per_message
        print()
        print("goals at 50 conversations, sender and receiver on different processes (full / relay-pubsub):")
        print(f"  rate >= 0.6x:        {rate:.2f}x {'ok' if rate >= 0.6 else 'MISSED'}")
        print(f"  p99 <= 2x:           {p99:.2f}x {'ok' if p99 <= 2 else 'MISSED'}")
        print(f"  CPU per msg <= 2x:   {cpu:.2f}x {'ok' if cpu <= 2 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths", default="full,full-local,relay-pubsub")
    parser.add_argument("--conversations", default="1,10,50,200")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are reported")
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

    def two(name: str, app: str, **env: str) -> list[Daphne]:
        return [Daphne(f"{name}-a", app, **env), Daphne(f"{name}-b", app, **env)]

    servers = {
        "relay-pubsub": lambda: two("relay-pubsub", "relay_asgi:application", BENCH_RELAY_LAYER="pubsub"),
        "relay-core": lambda: two(
            "relay-core", "relay_asgi:application", BENCH_RELAY_LAYER="core", BENCH_RELAY_PREFIX=uuid.uuid4().hex[:8]
        ),
        "full": lambda: two("full", "paceway.asgi:application"),
        "full-local": lambda: [Daphne("full-local", "paceway.asgi:application")],
    }
    running = {name: [daphne.start() for daphne in servers[name]()] for name in paths}
    rounds: dict[tuple[str, int], list[Result]] = {}
    try:
        for round_no in range(args.rounds):
            order = paths[round_no % len(paths) :] + paths[: round_no % len(paths)]
            for conv in levels:
                for name in order:
                    count = args.n1 if conv == 1 else args.n50
                    result = asyncio.run(measure(name, running[name], pairs, conv, count))
                    print(
                        f"  round {round_no + 1} {name:<13} {conv:>3} conversations: p50 {result.p50_ms:.2f} ms, "
                        f"p99 {result.p99_ms:.2f} ms, {result.rate:.0f} msg/s, "
                        f"{result.cpu_ms_per_message:.2f} CPU-ms/msg"
                        + (f", {result.lost} never arrived" if result.lost else ""),
                        flush=True,
                    )
                    rounds.setdefault((name, conv), []).append(result)
    finally:
        for group in running.values():
            for server in group:
                server.stop()
    results = [median_result(rounds[(name, conv)]) for conv in levels for name in paths if (name, conv) in rounds]
    print_table(results, args.rounds)

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
