from __future__ import annotations

from paceway.task import task

from . import services


@task(name="record.destroy_due", acks_late=True, ignore_result=True)
def destroy_due() -> int:
    """Destroy the records whose retention has passed (each once: see ``destroy_record``)."""
    return len(services.destroy_due())
