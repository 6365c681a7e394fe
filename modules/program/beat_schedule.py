"""Periodic Celery tasks of this app, merged into CELERY_BEAT_SCHEDULE by the settings."""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "modules-module-opened": {"task": "modules.program.tasks.send_module_opened_reminders", "schedule": 3600.0},
    "modules-homework": {"task": "modules.program.tasks.send_homework_reminders", "schedule": 3600.0 * 3},
    "modules-inactivity": {"task": "modules.program.tasks.send_inactivity_nudges", "schedule": 3600.0 * 6},
}
