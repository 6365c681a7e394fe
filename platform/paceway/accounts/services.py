"""Writes about accounts and care assignments. Keyword-only, atomic, audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway.audit.services import audit

from . import hooks
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


@dataclass(frozen=True)
class FirstAdministrator:
    """What the operator is shown once: the authenticator URI, recovery codes and a link to
    choose a password. None of it is stored in plaintext."""

    user: User
    otpauth_uri: str
    recovery_codes: list[str]
    set_password_path: str


@transaction.atomic
def create_first_administrator(*, email: str, display_name: str = "", another: bool = False) -> FirstAdministrator:
    """An administrator for a fresh install, before e-mail works: address marked verified, TOTP
    enrolled, no usable password until the one-time link is followed. Refused while an active
    administrator exists, unless ``another`` (a deliberate second one)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.adapter import get_adapter as get_mfa_adapter
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.validators import validate_email
    from django.urls import reverse

    email = email.strip().lower()
    validate_email(email)
    if not another and User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exists():
        raise ValidationError(_("An administrator already exists. Use --force-another to add one deliberately."))
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this e-mail address already exists."))
    user = User.objects.create_user(
        email, None, role=Role.ADMINISTRATOR, display_name=display_name, is_staff=True, is_superuser=True
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    uid, token = user_pk_to_url_str(user), default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": token})
    audit(actor=None, action="administrator.created_from_command", object_type="User", object_id=user.pk)
    return FirstAdministrator(user, get_mfa_adapter().build_totp_url(user, secret), codes, path)
