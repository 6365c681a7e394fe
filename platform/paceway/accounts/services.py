"""Writes about accounts and care assignments. Keyword-only, atomic, audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway.audit.services import audit

from . import emails, hooks
from .access import can_manage_accounts
from .models import CareAssignment, Invitation, TherapistProfile, User
from .roles import Role

INVITATION_LIFETIME = timedelta(days=3)


def _require_admin(actor: User) -> None:
    if not can_manage_accounts(actor):
        raise PermissionError("Only administrators manage accounts and assignments")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_caseload_size(therapist: User) -> int:
    return CareAssignment.objects.filter(therapist=therapist, ended_at__isnull=True).count()


def assignment_refusal(therapist: User) -> str | None:
    """Why this therapist cannot take a patient now, or None if they can."""
    if therapist.role != Role.THERAPIST or not therapist.is_active:
        return _("This account is not an active therapist.")
    profile = TherapistProfile.objects.filter(user=therapist).first()
    if profile is None or not profile.training_verified:
        return _("This therapist's chronic-pain training has not been verified.")
    if not profile.is_active_clinician:
        return _("This therapist is on leave.")
    if active_caseload_size(therapist) >= profile.caseload_capacity:
        return _("This therapist's caseload is full.")
    return None


@transaction.atomic
def assign_patient(*, actor: User, patient: User, therapist: User, reason: str = "") -> CareAssignment:
    """Put a patient in a therapist's care, ending any current assignment (history kept)."""
    _require_admin(actor)
    return _assign(actor=actor, patient=patient, therapist=therapist, reason=reason)


@transaction.atomic
def assign_as_clinical_lead(*, actor: User, patient: User, therapist: User) -> CareAssignment:
    """A clinical lead who has just accepted a patient with no therapist assigns one (possibly
    themselves). Only a first assignment: reassignments stay with administrators. The caller
    checks the acceptance (the screening app's rule)."""
    profile = TherapistProfile.objects.filter(user_id=actor.pk).first()
    if actor.role != Role.THERAPIST or profile is None or not profile.is_clinical_lead or not profile.training_verified:
        raise PermissionError("Only clinical leads assign after accepting")
    if CareAssignment.objects.filter(patient=patient, ended_at__isnull=True).exists():
        raise ValidationError(_("This patient already has a therapist."))
    return _assign(actor=actor, patient=patient, therapist=therapist, reason="Assigned by the clinical lead after acceptance")


def _assign(*, actor: User, patient: User, therapist: User, reason: str) -> CareAssignment:
    if patient.role != Role.PATIENT or not patient.is_active:
        raise ValidationError(_("Only an active patient can be assigned."))
    # Lock the therapist row so two concurrent assignments cannot both take the last place.
    User.objects.select_for_update().filter(pk=therapist.pk).first()
    refusal = assignment_refusal(therapist)
    if refusal:
        raise ValidationError(refusal)
    current = CareAssignment.objects.select_for_update().filter(patient=patient, ended_at__isnull=True).first()
    if current is not None:
        if current.therapist_id == therapist.pk:
            raise ValidationError(_("This patient is already assigned to this therapist."))
        if not reason.strip():
            raise ValidationError(_("Give a reason for the reassignment."))
        current.ended_at = timezone.now()
        current.ended_by = actor
        current.end_reason = reason
        current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    assignment = CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=actor, reason=reason)
    audit(actor=actor, action="assignment.create", patient=patient, obj=assignment)
    _notify_care_team_changed(patient.pk)
    # E-mails after commit, one per person and assignment (no health data, see emails.py).
    previous = current.therapist if current is not None else None
    emails.send_on_commit(
        user=patient,
        template="therapist_changed" if previous is not None else "therapist_assigned",
        context={"therapist_name": therapist.name},
    )
    emails.send_on_commit(user=therapist, template="patient_assigned")
    if previous is not None:
        emails.send_on_commit(user=previous, template="patient_moved")
    return assignment


@transaction.atomic
def end_assignment(*, actor: User, patient: User, reason: str) -> None:
    _require_admin(actor)
    if not reason.strip():
        raise ValidationError(_("Give a reason for ending the assignment."))
    current = CareAssignment.objects.select_for_update().filter(patient=patient, ended_at__isnull=True).first()
    if current is None:
        raise ValidationError(_("This patient has no current therapist."))
    current.ended_at = timezone.now()
    current.ended_by = actor
    current.end_reason = reason
    current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit(actor=actor, action="assignment.end", patient=patient, obj=current)
    _notify_care_team_changed(patient.pk)


def _notify_care_team_changed(patient_id: int) -> None:
    for listener in hooks.care_team_changed_listeners:
        transaction.on_commit(partial(listener, patient_id))


@transaction.atomic
def verify_training(*, actor: User, therapist: User, evidence: str = "") -> TherapistProfile:
    _require_admin(actor)
    profile = TherapistProfile.objects.select_for_update().get(user=therapist)
    if not (profile.training_title and (evidence or profile.training_evidence)):
        raise ValidationError(_("Record the training and its evidence before verifying it."))
    if evidence:
        profile.training_evidence = evidence
    profile.training_verified_by = actor
    profile.training_verified_at = timezone.now()
    profile.save()
    audit(actor=actor, action="therapist.training_verified", obj=profile)
    return profile


def deactivation_refusal(therapist: User) -> str | None:
    if active_caseload_size(therapist):
        return _("Reassign this therapist's patients first.")
    if hooks.open_risk_items(therapist):
        return _("This therapist still has open risk alerts. Reassign or resolve them first.")
    return None


@transaction.atomic
def deactivate_therapist(*, actor: User, therapist: User, on_leave_only: bool = False) -> None:
    """Put a therapist on leave or deactivate them; refused while they still have patients."""
    _require_admin(actor)
    refusal = deactivation_refusal(therapist)
    if refusal:
        raise ValidationError(refusal)
    profile = TherapistProfile.objects.get(user=therapist)
    profile.is_active_clinician = False
    profile.save(update_fields=["is_active_clinician"])
    if not on_leave_only:
        therapist.is_active = False
        therapist.save(update_fields=["is_active"])
    audit(actor=actor, action="therapist.deactivated" if not on_leave_only else "therapist.on_leave", obj=profile)


@transaction.atomic
def invite(*, actor: User, email: str, role: str) -> tuple[Invitation, str]:
    """Create a one-time invitation and return it with the raw token (shown or e-mailed once)."""
    _require_admin(actor)
    if role not in (Role.THERAPIST, Role.ADMINISTRATOR):
        raise ValidationError(_("Only therapists and administrators are invited."))
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this e-mail address already exists."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    audit(actor=actor, action="invitation.create", obj=invitation)
    return invitation, token


def usable_invitation(token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=hash_token(token)).first()
    return invitation if invitation and invitation.is_usable else None


@transaction.atomic
def accept_invitation(*, token: str, password: str, display_name: str = "") -> User:
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_usable:
        raise ValidationError(_("This invitation link is not valid or has expired."))
    from django.contrib.auth.password_validation import validate_password

    validate_password(password)
    user = User.objects.create_user(
        invitation.email,
        password,
        role=invitation.role,
        display_name=display_name,
        is_staff=invitation.role == Role.ADMINISTRATOR,
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if invitation.role == Role.THERAPIST:
        TherapistProfile.objects.create(user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit(actor=user, action="invitation.accept", obj=invitation)
    return user


def therapists_with_load() -> list[TherapistProfile]:
    """Therapist profiles annotated with their active caseload (one query)."""
    return list(
        TherapistProfile.objects.select_related("user")
        .annotate(
            active_load=Count(
                "user__caseload_assignments", filter=Q(user__caseload_assignments__ended_at__isnull=True)
            )
        )
        .order_by("user__display_name")
    )


@transaction.atomic
def update_details(*, actor: User, values: dict[str, str]) -> User:
    """A person changes their own name, pronouns and time zone (values already validated)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    user.display_name = values["display_name"].strip()
    user.pronouns = values.get("pronouns", "").strip()
    user.time_zone = values.get("time_zone", "")
    user.save(update_fields=["display_name", "pronouns", "time_zone"])
    audit(actor=actor, action="account.details.update", obj=user)
    return user


@transaction.atomic
def update_public_profile(*, actor: User, public_profile: str, welcome_message: str) -> TherapistProfile:
    """A therapist writes what their patients read about them, and the welcome they see."""
    if actor.role != Role.THERAPIST:
        raise PermissionError("Only therapists have a profile for patients")
    profile, _created = TherapistProfile.objects.select_for_update().get_or_create(user=actor)
    profile.public_profile = public_profile.strip()
    profile.welcome_message = welcome_message.strip()
    profile.save(update_fields=["public_profile", "welcome_message"])
    audit(actor=actor, action="therapist.public_profile.update", obj=profile)
    return profile
