"""A burst of questionnaire submissions: N signed-in patients send the weekly check-in at once
(what a 9:00 reminder produces), 5% of them with a risk answer (PHQ-9 item 9 above 0).

Starts real Daphne processes, one per path, side by side in one run, the paths interleaved in
rounds (the order alternating) so that drift on a shared machine cannot favour one:
  paceway   the project's settings: a bounded psycopg pool on PostgreSQL, the request gate,
            503 + Retry-After when saturated (paceway.ops.saturation)
  baseline  the settings before issue 15 (bench/burst_settings.py, BENCH_BASELINE=1): a
            persistent connection per request thread (CONN_MAX_AGE=60), no pool, no gate
Each patient is a client of its own (its own session and CSRF cookies, a new TCP connection per
request, as N browsers). On 503 it does what the questionnaire page's script does: waits
Retry-After (with up to 1 s of jitter) and sends the same answers again, up to 5 times.

For each burst it prints the count of each first-attempt status (and connection errors), the
final outcome after retries, p50/p99 latency of the first attempt and of the time until the
answers were saved, the server CPU per saved submission (Daphne and PostgreSQL from /proc), the
peak of PostgreSQL connections, and whether every risk answer has its RiskAlert row (read from
the database) and the crisis panel in the response that saved it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paceway_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/burst.py --sizes 200,1000
    .venv/bin/python bench/burst.py --sizes 200          # embedded SQLite in a temp dir, no Redis

Options: --sizes 200,1000  --rounds 2  --paths paceway,baseline  --retries 5. With
BENCH_PGBOUNCER_URL (a PgBouncer in transaction mode in front of the same database) the path
"pgbouncer" is the baseline's settings through it (BENCH_PGBOUNCER_PID adds its CPU to PostgreSQL's). On PostgreSQL the
baseline can exhaust the server's connections for every client of that server for a minute:
point DATABASE_URL at a private server (the figures in the README were taken on one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RISK_SHARE = 20  # one patient in 20 (5%) reports risk
CRISIS_MARKER = 'class="crisis"'

if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="paceway-burst-"))
# The servers run with DEBUG off, as in production: static files from a collected manifest.
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="paceway-burst-static-"))
os.environ.setdefault("LOG_LEVEL", "ERROR")

from _setup import cpu_seconds, django_setup, percentile  # noqa: E402

django_setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402

from modules.outcomes.instruments import RISK_ITEM, WEEKLY_CHECK_IN, get_questionnaire  # noqa: E402
from modules.outcomes.models import QuestionnaireResponse, RiskAlert  # noqa: E402
from paceway.accounts.middleware import LOGIN_AT, SEEN_AT  # noqa: E402
from paceway.accounts.models import CareAssignment, TherapistProfile, User  # noqa: E402
from paceway.accounts.roles import Role  # noqa: E402
from tests.live_servers import daphne_command, free_port, wait_for_port  # noqa: E402

# Processes ---------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_cpu(postmaster: int | None) -> float:
    """PostgreSQL's CPU (and PgBouncer's, when BENCH_PGBOUNCER_PID names it)."""
    if postmaster is None:
        return 0.0
    total = cpu_seconds(postmaster, reaped_children=True)
    if os.environ.get("BENCH_PGBOUNCER_PID"):
        total += cpu_seconds(int(os.environ["BENCH_PGBOUNCER_PID"]), reaped_children=True)
    for child in children(postmaster):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited (and reaped: counted in the postmaster's figure)
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def find_postmaster() -> int | None:
    """The local PostgreSQL server's postmaster (readable only when it runs on this machine)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1])  # the backend's parent


class Daphne:
    def __init__(self, name: str, **env: str) -> None:
        self.name, self.port, self.extra_env = name, free_port(), env
        self.log = Path(tempfile.gettempdir()) / f"burstbench-{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Daphne:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT), str(BENCH)]),
            DJANGO_SETTINGS_MODULE="burst_settings",
            **self.extra_env,
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                daphne_command(self.port),
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

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


# Data --------------------------------------------------------------------------------------------


@dataclass
class Patient:
    pk: int
    session: str
    csrf: str
    risk: bool


def make_patients(count: int) -> list[Patient]:
    """``count`` patients with a therapist each (10 patients per therapist), signed in."""
    from allauth.mfa.totp.internal.auth import TOTP

    tag = uuid.uuid4().hex[:8]

    def users(role: str, n: int) -> list[User]:
        made = [
            User(email=f"burst-{tag}-{role}-{i}@example.org", role=role, display_name=f"{role} {i}") for i in range(n)
        ]
        for user in made:
            user.set_unusable_password()
        User.objects.bulk_create(made, batch_size=500)
        return list(User.objects.filter(email__startswith=f"burst-{tag}-{role}-").order_by("pk"))

    admin = users(Role.ADMINISTRATOR, 1)[0]
    therapists = users(Role.THERAPIST, max(1, count // 10))
    for therapist in therapists:
        TOTP.activate(therapist, "JBSWY3DPEHPK3PXPJBSWY3DP")
    TherapistProfile.objects.bulk_create(
        TherapistProfile(user=t, training_title="bench", training_verified_by=admin, caseload_capacity=20)
        for t in therapists
    )
    patients = users(Role.PATIENT, count)
    CareAssignment.objects.bulk_create(
        CareAssignment(patient=p, therapist=therapists[i % len(therapists)], assigned_by=admin)
        for i, p in enumerate(patients)
    )
    made = []
    for i, patient in enumerate(patients):
        store = SessionStore()
        store[SESSION_KEY] = str(patient.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = patient.get_session_auth_hash()
        store[LOGIN_AT] = store[SEEN_AT] = time.time()
        store.create()
        made.append(Patient(patient.pk, store.session_key or "", _get_new_csrf_string(), risk=i % RISK_SHARE == 0))
    return made


def answers(risk: bool) -> dict[str, str]:
    definition = get_questionnaire(WEEKLY_CHECK_IN)
    assert definition is not None
    values = {item.code: str(min(item.values)) for inst in definition.instruments for item in inst.items}
    values[RISK_ITEM] = "2" if risk else "0"
    return values


# One burst ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    first_status: str = ""
    first_ms: float = 0.0
    final_status: str = ""
    saved_ms: float | None = None
    attempts: int = 0
    crisis_panel: bool = False


@dataclass
class Burst:
    path: str
    size: int
    outcomes: list[Outcome]
    seconds: float
    daphne_cpu: float
    postgres_cpu: float
    peak_connections: int
    alerts_ok: int = 0
    risk_total: int = 0
    panels_ok: int = 0
    saved_rows: int = 0
    lost_risk: list[int] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return sum(o.final_status == "200" for o in self.outcomes)


async def submit(client: httpx.AsyncClient, url: str, patient: Patient, go: asyncio.Event, retries: int) -> Outcome:
    outcome = Outcome()
    data = {"csrfmiddlewaretoken": patient.csrf, **answers(patient.risk)}
    await go.wait()
    started = time.perf_counter()
    while True:
        outcome.attempts += 1
        sent = time.perf_counter()
        retry_after: float | None = None
        try:
            response = await client.post(url, data=data)
            status = str(response.status_code)
            if response.status_code == 503:
                retry_after = float(response.headers.get("Retry-After", "5"))
            elif response.status_code == 200:
                outcome.crisis_panel = CRISIS_MARKER in response.text
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        if outcome.attempts == 1:
            outcome.first_status, outcome.first_ms = status, (time.perf_counter() - sent) * 1000
        outcome.final_status = status
        if status == "200":
            outcome.saved_ms = (time.perf_counter() - started) * 1000
            return outcome
        if retry_after is None or outcome.attempts > retries:
            return outcome
        await asyncio.sleep(retry_after + random.random())


def sample_connections(dbname: str, stop: threading.Event, peak: list[int]) -> None:
    import psycopg

    params = settings.DATABASES["default"]
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
    ) as conn:
        while not stop.wait(0.05):
            count = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = %s AND pid <> pg_backend_pid()",
                [dbname, "client backend"],
            ).fetchone()
            peak[0] = max(peak[0], int(count[0]) if count else 0)


async def run_burst(server: Daphne, path: str, patients: list[Patient], retries: int, postmaster: int | None) -> Burst:
    url = f"http://127.0.0.1:{server.port}/outcomes/q/{WEEKLY_CHECK_IN}/"
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=None, max_keepalive_connections=0))
    clients = [
        httpx.AsyncClient(
            transport=transport,
            trust_env=False,
            timeout=httpx.Timeout(120.0),
            cookies={settings.SESSION_COOKIE_NAME: p.session, settings.CSRF_COOKIE_NAME: p.csrf},
        )
        for p in patients
    ]
    for _ in range(3):  # warm-up: templates compiled, the pool open
        await clients[0].get(url)
    go = asyncio.Event()
    tasks = [asyncio.ensure_future(submit(c, url, p, go, retries)) for c, p in zip(clients, patients, strict=True)]
    await asyncio.sleep(0.2)  # every task is waiting at the start line
    peak = [0]
    stop = threading.Event()
    sampler = None
    if connection.vendor == "postgresql":
        sampler = threading.Thread(target=sample_connections, args=(settings.DATABASES["default"]["NAME"], stop, peak))
        sampler.start()
    cpu_before = (cpu_seconds(server.pid, reaped_children=True), postgres_cpu(postmaster))
    started = time.perf_counter()
    go.set()
    outcomes = await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    cpu_after = (cpu_seconds(server.pid, reaped_children=True), postgres_cpu(postmaster))
    stop.set()
    if sampler is not None:
        sampler.join()
    for client in clients:
        await client.aclose()
    await transport.aclose()
    return Burst(
        path,
        len(patients),
        list(outcomes),
        seconds,
        cpu_after[0] - cpu_before[0],
        cpu_after[1] - cpu_before[1],
        peak[0],
    )


def verify(burst: Burst, patients: list[Patient], since: float) -> None:
    """Read the database: every risk answer saved has its alert; none is missing."""
    from datetime import UTC, datetime

    start = datetime.fromtimestamp(since, tz=UTC)
    pks = [p.pk for p in patients]
    responses = QuestionnaireResponse.objects.filter(patient_id__in=pks, submitted_at__gte=start)
    burst.saved_rows = responses.count()
    alerted = set(RiskAlert.objects.filter(response__in=responses).values_list("patient_id", flat=True))
    for patient, outcome in zip(patients, burst.outcomes, strict=True):
        if not patient.risk:
            continue
        burst.risk_total += 1
        burst.alerts_ok += patient.pk in alerted
        burst.panels_ok += outcome.crisis_panel
        if patient.pk not in alerted or not outcome.crisis_panel:
            burst.lost_risk.append(patient.pk)


# Report ------------------------------------------------------------------------------------------


def describe(b: Burst) -> str:
    first = Counter(o.first_status for o in b.outcomes)
    final = Counter(o.final_status for o in b.outcomes)
    first_ms = [o.first_ms for o in b.outcomes]
    saved_ms = [o.saved_ms for o in b.outcomes if o.saved_ms is not None]
    retried = sum(o.attempts > 1 for o in b.outcomes)
    cpu = (b.daphne_cpu + b.postgres_cpu) * 1000 / max(1, b.saved)
    return (
        f"  {b.path:<9} N={b.size:<5} first: {dict(sorted(first.items()))}  final: {dict(sorted(final.items()))}"
        f"  retried {retried}\n"
        f"            first attempt p50 {statistics.median(first_ms):.0f} ms p99 {percentile(first_ms, 0.99):.0f} ms;"
        f" saved p50 {percentile(saved_ms, 0.5):.0f} ms p99 {percentile(saved_ms, 0.99):.0f} ms;"
        f" {b.saved} saved ({b.saved_rows} rows) in {b.seconds:.1f} s\n"
        f"            CPU ms per saved submission: Daphne {b.daphne_cpu * 1000 / max(1, b.saved):.1f}"
        f" + PostgreSQL {b.postgres_cpu * 1000 / max(1, b.saved):.1f} = {cpu:.1f};"
        f" peak PostgreSQL connections {b.peak_connections}\n"
        f"            risk answers: {b.risk_total}, with alert row {b.alerts_ok}, with crisis panel {b.panels_ok}"
        f"{'' if not b.lost_risk else '  LOST: ' + str(len(b.lost_risk))}"
    )


def summary(results: list[Burst], paths: list[str]) -> None:
    print("\nmedians over rounds (first-attempt 500s and lost risk answers: totals)")
    print(
        f"{'path':<10}{'N':>6}{'500':>6}{'5xx':>6}{'conn err':>9}{'503':>6}{'saved':>7}{'risk lost':>10}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/op':>10}{'peak conn':>10}"
    )
    rows: dict[tuple[str, int], dict[str, float]] = {}
    for size in sorted({r.size for r in results}):
        for path in paths:
            mine = [r for r in results if r.path == path and r.size == size]
            if not mine:
                continue
            outcomes = [o for r in mine for o in r.outcomes]
            row = {
                "500": sum(o.first_status == "500" or o.final_status == "500" for o in outcomes),
                "5xx": sum(o.first_status.startswith("5") and o.first_status != "503" for o in outcomes),
                "err": sum(not o.first_status.isdigit() for o in outcomes),
                "503": sum(o.first_status == "503" for o in outcomes),
                "saved": statistics.median(r.saved for r in mine),
                "lost": sum(len(r.lost_risk) for r in mine),
                "p50": statistics.median(percentile([o.saved_ms for o in r.outcomes if o.saved_ms], 0.5) for r in mine),
                "p99": statistics.median(
                    percentile([o.saved_ms for o in r.outcomes if o.saved_ms], 0.99) for r in mine
                ),
                "cpu": statistics.median((r.daphne_cpu + r.postgres_cpu) * 1000 / max(1, r.saved) for r in mine),
                "peak": max(r.peak_connections for r in mine),
            }
            rows[(path, size)] = row
            print(
                f"{path:<10}{size:>6}{row['500']:>6}{row['5xx']:>6}{row['err']:>9}{row['503']:>6}{row['saved']:>7.0f}"
                f"{row['lost']:>10}{row['p50']:>9.0f}{row['p99']:>9.0f}{row['cpu']:>10.1f}{row['peak']:>10}"
            )
    if "paceway" in paths and "baseline" in paths:
        print("\npaceway / baseline (saved-latency p50 and p99, CPU per saved submission)")
        for size in sorted({r.size for r in results}):
            a, b = rows.get(("paceway", size)), rows.get(("baseline", size))
            if a and b:
                print(
                    f"  N={size:<5} p50 {a['p50'] / b['p50']:.2f}x  p99 {a['p99'] / b['p99']:.2f}x"
                    f"  CPU/op {a['cpu'] / b['cpu']:.2f}x"
                )
    for size in sorted({r.size for r in results}):
        if ("paceway", size) in rows:
            row = rows[("paceway", size)]
            ok = row["500"] == 0 and row["lost"] == 0
            print(
                f"goal at N={size}: 0 responses 500 and every risk answer with its alert and panel: "
                f"{'ok' if ok else 'MISSED'} (500s {row['500']:.0f}, risk answers lost {row['lost']:.0f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--paths", default="paceway,baseline")
    parser.add_argument("--retries", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    paths = [p for p in args.paths.split(",") if p]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * max(sizes) + 1024)), hard))
    database = settings.DATABASES["default"]
    print(
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}; "
        f"Redis: {os.environ.get('REDIS_URL') or 'none (embedded defaults)'}"
    )
    print(
        f"paceway: pool max {settings.DATABASE_POOL_MAX if connection.vendor == 'postgresql' else '-'}, "
        f"{settings.HTTP_CONCURRENCY} requests in Django at once, queue {settings.HTTP_QUEUE_SECONDS} s; "
        f"baseline: CONN_MAX_AGE=60 per request thread, no pool, no gate"
    )
    print(
        f"{RISK_SHARE and 100 // RISK_SHARE}% risk answers; client retries a 503 after Retry-After up to "
        f"{args.retries} times; {args.rounds} rounds, paths interleaved"
    )
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    patients = {size: make_patients(size) for size in sizes}
    postmaster = find_postmaster()
    connection.close()
    servers = {
        "paceway": lambda: Daphne("paceway"),
        "baseline": lambda: Daphne("baseline", BENCH_BASELINE="1"),
        # The settings before issue 15 behind PgBouncer (transaction pooling) instead of the pool.
        "pgbouncer": lambda: Daphne(
            "pgbouncer", BENCH_BASELINE="1", BENCH_PGBOUNCER="1", DATABASE_URL=os.environ["BENCH_PGBOUNCER_URL"]
        ),
    }
    results: list[Burst] = []
    for round_no in range(args.rounds):
        order = paths if round_no % 2 == 0 else list(reversed(paths))
        for size in sizes:
            for path in order:
                server = servers[path]().start()
                try:
                    time.sleep(1.0)
                    since = time.time() - 1
                    burst = asyncio.run(run_burst(server, path, patients[size], args.retries, postmaster))
                finally:
                    server.stop()
                verify(burst, patients[size], since)
                connection.close()
                print(describe(burst), flush=True)
                results.append(burst)
                if path == "baseline" and connection.vendor == "postgresql":
                    time.sleep(2)  # the baseline's connections close with its process
    summary(results, paths)


if __name__ == "__main__":
    main()
