"""Who may see and decide screening intakes. Built on paceway.accounts.access.

- The patient sees their own intake, status and consent, and nobody else's.
- A patient with a therapist: only that therapist reads the intake and decides.
- A patient without a therapist: active clinical leads with verified training read and decide.
- Administrators never see intake answers (they manage accounts, not clinical content).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from paceway.accounts.access import active_therapist_of, clinical_leads, is_assigned
from paceway.accounts.roles import is_patient, is_therapist

from .models import Intake

if TYPE_CHECKING:
    from paceway.accounts.models import User
    from paceway.typing import RequestUser


def is_screening_lead(user: RequestUser | None) -> bool:
    """An active, verified clinical lead: decides for patients who have no therapist yet."""
    return is_therapist(user) and (
        clinical_leads().filter(pk=user.pk, therapist_profile__training_verified_at__isnull=False).exists()
    )


def can_decide(user: RequestUser | None, patient: User | None) -> bool:
    if not is_therapist(user) or patient is None or not patient.is_active:
        return False
    if active_therapist_of(patient) is not None:
        return is_assigned(user, patient)
    return is_screening_lead(user)


def can_view_intake(user: RequestUser | None, intake: Intake) -> bool:
    patient = intake.patient
    if is_patient(user):
        return bool(user.pk == patient.pk and patient.is_active)
    return can_decide(user, patient)


def intake_for(user: RequestUser | None, intake_id: int | str) -> Intake:
    """The intake ``user`` may see, or 404 (existence is not revealed)."""
    try:
        intake = Intake.objects.select_related("patient").get(pk=intake_id)
    except (Intake.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_intake(user, intake):
        raise Http404
    return intake
