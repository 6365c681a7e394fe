"""Celery tasks of the messaging app. Arguments are ids only (here: none)."""

from __future__ import annotations

from paceway.task import task

from . import notifications


@task(name="messaging.notify_unread", acks_late=True, ignore_result=True)
def notify_unread() -> int:
    """Idempotent: safe to run twice at once or again after a worker died."""
    return notifications.send_unread_notifications()
