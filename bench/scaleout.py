"""Messaging throughput with 1, 2 and 4 web processes behind the proxy, on PostgreSQL + Redis.

For each count, starts that many Daphne processes (paceway.asgi, bench/messaging_settings.py: the
send-rate cap lifted) and one Caddy in front of them (round robin, plain HTTP on loopback: the
proxy hop without the TLS cost), then runs bench/messaging.py's closed loop through the proxy:
CONVERSATIONS conversations, each patient sending its next message once its therapist's socket
has the previous one. Sockets land on the processes round robin, so most conversations have
their two sides on different processes (doorbell through Redis, row read back from PostgreSQL).
Prints a table with the ratio to one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/paceway_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/scaleout.py [--processes 1,2,4] [--conversations 50] [--messages 60]

Needs Caddy on PATH (Debian: apt-get install caddy). The client runs on the same machine, so on a
machine with few cores the client, Caddy, PostgreSQL and Redis take CPU from the web processes:
read the ratios with the core count in mind (printed).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    sys.exit("bench/scaleout.py measures the production shape: set DATABASE_URL (PostgreSQL) and REDIS_URL")

# bench/messaging.py (Daphne, pairs, conversations), loaded under another name: `messaging` is the app.
sys.path.append(str(Path(__file__).resolve().parent))
_spec = importlib.util.spec_from_file_location("bench_messaging", Path(__file__).resolve().parent / "messaging.py")
assert _spec is not None and _spec.loader is not None
mb = importlib.util.module_from_spec(_spec)
sys.modules["bench_messaging"] = mb
_spec.loader.exec_module(mb)

from tests.live_servers import free_port, wait_for_port  # noqa: E402


class Proxy:
    """Caddy in front of the given Daphne processes; looks like a server to bench/messaging.py."""

    def __init__(self, backends: list[mb.Daphne]) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="paceway-scaleout-caddy-"))
        upstreams = " ".join(f"127.0.0.1:{b.port}" for b in backends)
        (self.dir / "Caddyfile").write_text(
            "{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n}\n"
            f"http://127.0.0.1:{self.port} {{\n\treverse_proxy {upstreams} {{\n\t\tlb_policy round_robin\n\t}}\n}}\n"
        )
        env = dict(os.environ, XDG_DATA_HOME=str(self.dir), XDG_CONFIG_HOME=str(self.dir))
        self.process = subprocess.Popen(
            ["caddy", "run", "--config", str(self.dir / "Caddyfile"), "--adapter", "caddyfile"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.dir / "caddy.log").open("wb"),
            start_new_session=True,
        )
        wait_for_port(self.port, timeout=30, process=self.process)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


async def run_level(proxy: Proxy, backends: list[mb.Daphne], pairs: list[mb.Pair], count: int) -> mb.Result:
    tag = uuid.uuid4().hex[:6]
    convs = [mb.Conversation("full", [proxy], f"{tag}{n}", pair) for n, pair in enumerate(pairs)]  # type: ignore[list-item]
    for start in range(0, len(convs), 25):
        await asyncio.gather(*(c.open() for c in convs[start : start + 25]))
    try:
        await asyncio.gather(*(c.run(5, record=False) for c in convs))  # warm-up
        pids = [b.pid for b in backends]
        started, cpu_before = time.perf_counter(), sum(mb.cpu_seconds(p) for p in pids)
        await asyncio.gather(*(c.run(count) for c in convs))
        seconds = time.perf_counter() - started
        cpu = sum(mb.cpu_seconds(p) for p in pids) - cpu_before
    finally:
        await asyncio.gather(*(c.close() for c in convs))
    latencies = [x * 1000 for c in convs for x in c.latencies]
    return mb.Result(
        f"{len(backends)} web",
        len(convs),
        len(latencies),
        seconds,
        statistics.median(latencies),
        mb.percentile(latencies, 0.99),
        cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=60, help="per conversation")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole series; medians are reported")
    args = parser.parse_args()
    if not shutil.which("caddy"):
        sys.exit("caddy not found (apt-get install caddy)")
    levels = [int(n) for n in args.processes.split(",") if n]
    mb.raise_fd_limit(8192)
    database = mb.settings.DATABASES["default"]
    print(
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}; "
        f"channel layer: {mb.settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]} at {os.environ['REDIS_URL']}"
    )
    print(
        f"{os.cpu_count()} cores; {args.conversations} conversations x {args.messages} messages, closed loop, "
        "through Caddy (round robin)"
    )
    pairs = mb.make_pairs(args.conversations)
    results: dict[int, list[mb.Result]] = {n: [] for n in levels}
    for _round in range(args.rounds):
        for n in levels:
            backends = [mb.Daphne(f"scale{n}-{i}", "paceway.asgi:application").start() for i in range(n)]
            proxy = Proxy(backends)
            try:
                result = asyncio.run(run_level(proxy, backends, pairs, args.messages))
            finally:
                proxy.stop()
                for backend in backends:
                    backend.stop()
            results[n].append(result)
            print(
                f"  {n} web process(es): {result.rate:.0f} msg/s, p50 {result.p50_ms:.1f} ms, "
                f"p99 {result.p99_ms:.1f} ms",
                flush=True,
            )

    def med(n: int, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in results[n])

    base = med(levels[0], "rate")
    print()
    print(f"{'web processes':<15}{'msg/s':>8}{'x 1 proc':>10}{'p50 ms':>9}{'p99 ms':>9}{'web CPU ms/msg':>16}")
    for n in levels:
        print(
            f"{n:<15}{med(n, 'rate'):>8.0f}{med(n, 'rate') / base:>10.2f}{med(n, 'p50_ms'):>9.1f}"
            f"{med(n, 'p99_ms'):>9.1f}{med(n, 'cpu_ms_per_message'):>16.2f}"
        )


if __name__ == "__main__":
    main()
