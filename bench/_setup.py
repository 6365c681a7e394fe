"""Shared set-up for benchmarks: a throw-away database, timing, and CPU and memory read from /proc."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu_of(stat_text: str, *, reaped_children: bool) -> float:
    fields = stat_text.rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11 : 15 if reaped_children else 13]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """User + system CPU of a process so far (steadier than wall time on a busy machine); with
    ``reaped_children``, plus that of the children it has reaped (PostgreSQL's postmaster reaps
    every backend that exits)."""
    return _cpu_of(Path(f"/proc/{pid}/stat").read_text(), reaped_children=reaped_children)


def service_cpu_seconds(name: str) -> float:
    """CPU of every process whose name is ``name`` (postgres, redis-server), with what their
    exited children used (PostgreSQL's backends come and go)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 : text.rindex(")")] == name:
            total += _cpu_of(text, reaped_children=True)
    return total


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, ``q`` in 0..1 (nan when there are no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def django_setup() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="paceway-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paceway.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_ms(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


class QueryCounter:
    """Counts SQL statements. (CaptureQueriesContext sees none across a test-client request,
    because request_started resets the query log.)"""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCounter:
        from django.db import connection

        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)

    def __len__(self) -> int:
        return self.count
