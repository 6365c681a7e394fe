from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="record.destroy_due", acks_late=True, ignore_result=True)
def destroy_due() -> int:
    """Destroy the records whose retention has passed (each once: see ``destroy_record``)."""
    return len(services.destroy_due())
