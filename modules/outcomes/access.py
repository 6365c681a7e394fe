"""Who may act on risk alerts. Built on paceway.accounts.access (the care-team rule)."""

from __future__ import annotations

from typing import Any

from paceway.accounts.access import is_assigned
from paceway.accounts.models import TherapistProfile
from paceway.accounts.roles import is_administrator, is_therapist


def is_clinical_lead(user: Any) -> bool:
    return is_therapist(user) and TherapistProfile.objects.filter(
        user_id=user.pk, is_clinical_lead=True, is_active_clinician=True
    ).exists()


def can_act_on_alert(user: Any, alert: Any) -> bool:
    """Acknowledge or resolve: a clinician on the care team (assigned therapist or clinical lead)."""
    if not is_therapist(user):
        return False
    return is_assigned(user, alert.patient) or is_clinical_lead(user)


def can_see_fallback_queue(user: Any) -> bool:
    return is_administrator(user) or is_clinical_lead(user)
