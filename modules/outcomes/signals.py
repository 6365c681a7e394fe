"""Close the alerts sockets within a second of logout or deactivation (as the conversation
socket does): a re-check event, after commit, to the therapist's own group. And, after a clinic
profile is saved, the copy of its crisis resources for the 503 page."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from paceway import doorbell
from paceway.accounts.roles import Role, is_therapist


def close_alert_sockets_on_logout(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or not is_therapist(user):
        return
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    user_id = user.pk
    transaction.on_commit(lambda: doorbell.recheck_therapist(user_id, ended_session_key=session_key))


def close_alert_sockets_on_deactivation(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created or instance.is_active or str(getattr(instance, "role", "")) != Role.THERAPIST:
        return
    user_id = instance.pk
    transaction.on_commit(lambda: doorbell.recheck_therapist(user_id))


def snapshot_clinic_profile(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A new clinic profile version: after commit, the copy of its crisis resources the 503 page
    reads without a database (``paceway.clinic``)."""
    from .clinic import write_snapshot

    if not kwargs.get("raw"):
        transaction.on_commit(lambda: write_snapshot(instance), robust=True)
