"""Settings for the Daphne processes of bench/burst.py: Paceway's settings (database, cache and
channel layer from DATABASE_URL / REDIS_URL), without DEBUG's per-query logging, as in production.

BENCH_BASELINE=1 is the configuration before issue 15, for the side-by-side figures: a persistent
connection per request thread (CONN_MAX_AGE=60, no pool), no request gate, no saturation
middleware, and Django's own 500 handler.
"""

import os

from paceway.settings import *  # noqa: F403

DEBUG = False
ACCOUNT_RATE_LIMITS = False  # patients are signed in already; nothing here logs in

if os.environ.get("BENCH_BASELINE") == "1":
    DATABASES["default"]["OPTIONS"].pop("pool", None)  # noqa: F405
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
        DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
    MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("paceway.ops.saturation.")]  # noqa: F405
    HTTP_CONCURRENCY = 0
    ROOT_URLCONF = "burst_baseline_urls"

if os.environ.get("BENCH_PGBOUNCER") == "1":  # transaction pooling: no server-side cursors
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True  # noqa: F405
