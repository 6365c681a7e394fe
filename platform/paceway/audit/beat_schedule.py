"""Periodic Celery tasks of this app, merged into CELERY_BEAT_SCHEDULE by the settings."""

import os

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "audit-export-heads": {
        "task": "audit.export_heads",
        "schedule": float(os.environ.get("AUDIT_WITNESS_SECONDS") or 300),
    },
}
