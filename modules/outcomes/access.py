"""Who may act on risk alerts. Built on paceway.accounts.access (the care-team rule and the one
definition of a clinical lead).

- The therapist on the patient's care team acknowledges, records the follow-up and resolves.
- A clinical lead who is not on the care team acts only on alerts that reached them: escalated
  to the clinical leads, or in the fallback queue (no active therapist: none assigned, or the
  assigned therapist is on leave). Otherwise the lead would take the alert out of the assigned
  therapist's queue and stop its escalation.
- Administrators see the fallback queue (to assign a therapist) but never act clinically.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paceway.accounts.access import active_therapist_of, is_active_clinician, is_assigned, is_clinical_lead
from paceway.accounts.roles import is_administrator, is_therapist

if TYPE_CHECKING:
    from paceway.accounts.models import User

    from .models import RiskAlert

__all__ = ["can_act_on_alert", "can_see_fallback_queue", "in_fallback_queue", "is_clinical_lead"]


def in_fallback_queue(alert: RiskAlert) -> bool:
    """No clinician to act for this patient now: no active therapist, or one on leave."""
    therapist = active_therapist_of(alert.patient)
    return therapist is None or not is_active_clinician(therapist)


def escalated_to_leads(alert: RiskAlert) -> bool:
    return alert.escalated_at is not None


def can_act_on_alert(user: User, alert: RiskAlert) -> bool:
    """Acknowledge, record the follow-up, resolve: the care team, or a lead the alert reached."""
    if not is_therapist(user):
        return False
    if is_assigned(user, alert.patient):
        return True
    return is_clinical_lead(user) and (escalated_to_leads(alert) or in_fallback_queue(alert))


def can_see_fallback_queue(user: User) -> bool:
    return is_administrator(user) or is_clinical_lead(user)


def alert_for(user: User, alert_id: int | str) -> RiskAlert:
    """The alert ``user`` may act on, or 404 (existence is not revealed)."""
    from django.http import Http404

    from .models import RiskAlert

    try:
        alert = RiskAlert.objects.select_related("patient", "therapist_at_creation").get(pk=alert_id)
    except (RiskAlert.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_act_on_alert(user, alert):
        raise Http404
    return alert
