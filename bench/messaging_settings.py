"""Settings for the Daphne processes of bench/messaging.py: Paceway's settings (so the same
channel layer, database and cache as configured by REDIS_URL / DATABASE_URL), with the per-user
send rate and connection cap raised so the benchmark measures delivery, not throttling, and
without DEBUG's per-query logging (as in production)."""

from paceway.settings import *  # noqa: F403

DEBUG = False
MESSAGING_SEND_RATE = (1_000_000_000, 10)
MESSAGING_MAX_CONNECTIONS = 100_000
