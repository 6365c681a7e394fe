"""Close sockets within a second of logout, deactivation or a change of therapist."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from paceway import doorbell


def care_team_changed(patient_id: int) -> None:
    """accounts.hooks listener (already run on commit): sockets on this conversation re-check."""
    doorbell.recheck_conversation(patient_id)


def close_sockets_on_logout(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:
        return
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    user_id = user.pk
    transaction.on_commit(lambda: doorbell.recheck_user(user_id, ended_session_key=session_key))


def close_sockets_on_deactivation(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created or instance.is_active:
        return
    user_id, role = instance.pk, str(getattr(instance, "role", ""))

    def ring() -> None:
        doorbell.recheck_user(user_id)
        if role == "patient":
            doorbell.recheck_conversation(user_id)

    transaction.on_commit(ring)
