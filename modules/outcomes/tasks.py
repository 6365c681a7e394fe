"""Celery tasks: ids only as arguments, idempotent (notified_at / escalated_at under a row lock;
questionnaire reminders keyed in ReminderSent before they are sent)."""

from __future__ import annotations

from paceway.task import task

from . import services


@task(acks_late=True, ignore_result=True)
def notify_risk_alert(alert_id: int) -> None:
    services.send_alert_notification(alert_id=int(alert_id))


@task(acks_late=True, ignore_result=True)
def notify_and_escalate_risk_alerts() -> None:
    services.notify_and_escalate_risk_alerts()


@task(acks_late=True, ignore_result=True)
def send_questionnaire_reminders() -> int:
    return services.send_questionnaire_reminders()
