"""Periodic Celery tasks of this app, merged into CELERY_BEAT_SCHEDULE by the settings.

The risk sweep does not depend on beat alone: `manage.py outcomes_risk_sweep` runs the same
idempotent job and can be scheduled by cron or systemd as a second timer.
"""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "outcomes-risk-sweep": {
        "task": "modules.outcomes.tasks.notify_and_escalate_risk_alerts",
        "schedule": 60.0,
    },
    "outcomes-questionnaire-reminders": {
        "task": "modules.outcomes.tasks.send_questionnaire_reminders",
        "schedule": 3600.0,
    },
}
