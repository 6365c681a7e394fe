"""Settings for the Daphne processes of bench/messaging.py: Paceway's settings (so the same
channel layer, database and cache as configured by REDIS_URL / DATABASE_URL), with the per-user
send rate and connection cap raised so the benchmark measures delivery, not throttling, and
without DEBUG's per-query logging (as in production)."""

import os

from paceway.settings import *  # noqa: F403

DEBUG = False
MESSAGING_SEND_RATE = (1_000_000_000, 10)
MESSAGING_MAX_CONNECTIONS = 100_000

if os.environ.get("BENCH_DB_THREADS"):  # to compare thread counts: BENCH_DB_THREADS=1 ...
    MESSAGING_DB_THREADS = int(os.environ["BENCH_DB_THREADS"])
