"""Periodic Celery tasks of this app, merged into CELERY_BEAT_SCHEDULE by the settings."""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "record-destroy-due": {"task": "record.destroy_due", "schedule": 6 * 3600.0},
}
