"""Who may read or write a conversation: the patient and their current care team."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from paceway.accounts.access import can_change_clinical, can_view_clinical

from .errors import NotAllowed


def require_participant(user: Any, patient: Any, *, write: bool = False) -> None:
    """``NotAllowed`` (a 404 to the edges) unless ``user`` may read (or ``write``) the conversation."""
    allowed = can_change_clinical(user, patient) if write else can_view_clinical(user, patient)
    if not allowed:
        raise NotAllowed(_("Not found."))
