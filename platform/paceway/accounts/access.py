"""Who may see or change whose data. Every view, API view, consumer and task asks here.

Deny by default: a patient sees their own record; a therapist sees only patients currently
assigned to them; an administrator manages accounts and assignments but not clinical content.
The one exception is break-glass: an administrator or clinical lead who opened a time-limited,
reasoned access (``services.open_break_glass``) may read, never change, that patient's data
until it expires or is closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import BreakGlassAccess, CareAssignment, TherapistProfile, User
from .roles import Role, is_administrator, is_patient, is_therapist, role_of

if TYPE_CHECKING:
    from paceway.typing import RequestUser


def active_therapist_of(patient: User) -> User | None:
    assignment = (
        CareAssignment.objects.filter(patient=patient, ended_at__isnull=True).select_related("therapist").first()
    )
    return assignment.therapist if assignment else None


def is_assigned(therapist: User, patient: User) -> bool:
    return CareAssignment.objects.filter(
        patient_id=patient.pk, therapist_id=therapist.pk, ended_at__isnull=True
    ).exists()


def clinical_leads() -> QuerySet[User]:
    """The clinical leads: active therapist accounts whose profile says clinical lead and who are
    not on leave. The one definition; every "clinical lead" rule in the apps is built on it."""
    return User.objects.filter(
        role=Role.THERAPIST,
        is_active=True,
        therapist_profile__is_clinical_lead=True,
        therapist_profile__is_active_clinician=True,
    ).order_by("pk")


def is_clinical_lead(user: RequestUser | None) -> TypeGuard[User]:
    return is_therapist(user) and clinical_leads().filter(pk=user.pk).exists()


def is_active_clinician(user: User | None) -> TypeGuard[User]:
    """An active therapist account that is not on leave (can receive and act on alerts)."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return TherapistProfile.objects.filter(user_id=user.pk, is_active_clinician=True).exists()


def can_view_clinical(user: RequestUser | None, patient: User | None) -> bool:
    """May ``user`` read this patient's health data (program work, scores, messages)?"""
    if role_of(user) is None or patient is None or not patient.is_active:
        return False
    if is_patient(user):
        return bool(user.pk == patient.pk)
    if is_therapist(user) and is_assigned(user, patient):
        return True
    return may_break_glass(user) and has_open_break_glass(user, patient)


def can_change_clinical(user: RequestUser | None, patient: User | None) -> bool:
    """The patient and their current therapist, nobody else (break-glass only reads)."""
    if role_of(user) is None or patient is None or not patient.is_active:
        return False
    if is_patient(user):
        return bool(user.pk == patient.pk)
    return is_therapist(user) and is_assigned(user, patient)


def may_break_glass(user: RequestUser | None) -> TypeGuard[User]:
    """Administrators and active clinical leads may open a break-glass access."""
    if is_administrator(user):
        return True
    return is_clinical_lead(user)


def has_open_break_glass(user: User, patient: User) -> bool:
    return BreakGlassAccess.objects.filter(
        actor_id=user.pk, patient_id=patient.pk, closed_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def can_tailor(user: RequestUser | None, patient: User) -> bool:
    """Only the assigned therapist tailors the program."""
    return is_therapist(user) and is_assigned(user, patient)


def can_manage_accounts(user: RequestUser | None) -> bool:
    return is_administrator(user)


def patient_for_clinical(user: RequestUser | None, patient_id: int | str | None) -> User:
    """The patient ``user`` may see clinically, or 404 (so existence is not revealed)."""
    if patient_id is None:
        raise Http404
    try:
        patient = User.objects.get(pk=patient_id, role="patient")
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_clinical(user, patient):
        raise Http404
    return patient


def caseload_patient_ids(therapist: RequestUser | None) -> list[int]:
    if not is_therapist(therapist):
        return []
    return list(
        CareAssignment.objects.filter(therapist=therapist, ended_at__isnull=True).values_list("patient_id", flat=True)
    )
