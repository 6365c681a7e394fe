"""Periodic Celery tasks of this app, merged into CELERY_BEAT_SCHEDULE by the settings."""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "messaging-notify-unread": {"task": "messaging.notify_unread", "schedule": 60.0},
}
