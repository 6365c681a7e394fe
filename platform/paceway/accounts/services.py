"""Writes about accounts and care assignments. Keyword-only, atomic, audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway.audit.services import audit

from . import emails, hooks
from .access import can_manage_accounts
from .models import BreakGlassAccess, CareAssignment, Invitation, MfaReset, TherapistProfile, User
from .roles import Role

INVITATION_LIFETIME = timedelta(days=3)


def _require_admin(actor: User) -> None:
    if not can_manage_accounts(actor):
        raise PermissionDenied("Only administrators manage accounts and assignments")


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
        raise PermissionDenied("Only clinical leads assign after accepting")
    if CareAssignment.objects.filter(patient=patient, ended_at__isnull=True).exists():
        raise ValidationError(_("This patient already has a therapist."))
    return _assign(
        actor=actor, patient=patient, therapist=therapist, reason="Assigned by the clinical lead after acceptance"
    )


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


PROFILE_FIELDS_FOR_ADMINISTRATORS = (
    "training_title",
    "training_completed_on",
    "training_evidence",
    "caseload_capacity",
    "languages",
    "is_active_clinician",
    "is_clinical_lead",
)


@transaction.atomic
def update_therapist_profile(*, actor: User, therapist: User, values: dict[str, Any]) -> TherapistProfile:
    """An administrator's change to a therapist's profile (training, capacity, languages, leave,
    clinical lead). Putting a therapist on leave follows the deactivation rule; a changed training
    record needs verifying again. The therapist's own texts for patients are theirs to write."""
    _require_admin(actor)
    profile = TherapistProfile.objects.select_for_update().get(user=therapist)
    changed = [f for f in PROFILE_FIELDS_FOR_ADMINISTRATORS if f in values and getattr(profile, f) != values[f]]
    if "is_active_clinician" in changed and not values["is_active_clinician"]:
        refusal = deactivation_refusal(therapist)
        if refusal:
            raise ValidationError(refusal)
    if "caseload_capacity" in changed and values["caseload_capacity"] < active_caseload_size(therapist):
        raise ValidationError(_("The capacity cannot be below the therapist's current caseload."))
    for field in changed:
        setattr(profile, field, values[field])
    if {"training_title", "training_completed_on", "training_evidence"} & set(changed):
        profile.training_verified_by, profile.training_verified_at = None, None
        changed += ["training_verified_by", "training_verified_at"]
    if changed:
        profile.save(update_fields=changed)
        audit(actor=actor, action="therapist.profile.update", obj=profile)
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
    if role not in (Role.THERAPIST, Role.ADMINISTRATOR, Role.PRIVACY_OFFICER):
        raise ValidationError(_("Only therapists, administrators and privacy officers are invited."))
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
        is_staff=invitation.role in (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER),
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
            active_load=Count("user__caseload_assignments", filter=Q(user__caseload_assignments__ended_at__isnull=True))
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
        raise PermissionDenied("Only therapists have a profile for patients")
    profile, _created = TherapistProfile.objects.select_for_update().get_or_create(user=actor)
    profile.public_profile = public_profile.strip()
    profile.welcome_message = welcome_message.strip()
    profile.save(update_fields=["public_profile", "welcome_message"])
    audit(actor=actor, action="therapist.public_profile.update", obj=profile)
    return profile


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
        email, None, role=Role.ADMINISTRATOR, display_name=display_name, is_staff=True, is_superuser=False
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    uid, token = user_pk_to_url_str(user), default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": token})
    audit(actor=None, action="administrator.created_from_command", object_type="User", object_id=user.pk)
    return FirstAdministrator(user, get_mfa_adapter().build_totp_url(user, secret), codes, path)


MFA_RESET_REASON_MIN = 10


@transaction.atomic
def reset_mfa(*, actor: User, user: User, reason: str) -> MfaReset:
    """Remove a person's authenticators (TOTP, recovery codes, keys) so they enrol again at their
    next sign-in. An administrator, not for themselves, with a reason; the person is told."""
    from allauth.mfa.models import Authenticator

    _require_admin(actor)
    if actor.pk == user.pk:
        raise ValidationError(_("Another administrator must reset your own two-step verification."))
    reason = (reason or "").strip()
    if len(reason) < MFA_RESET_REASON_MIN:
        raise ValidationError(_("Give the reason (at least %(n)d characters).") % {"n": MFA_RESET_REASON_MIN})
    removed, _by_type = Authenticator.objects.filter(user=user).delete()
    record = MfaReset.objects.create(user=user, actor=actor, reason=reason, authenticators_removed=removed)
    audit(actor=actor, action="account.mfa_reset", patient=user if user.role == Role.PATIENT else None, obj=record)
    transaction.on_commit(partial(_tell_of_mfa_reset, record.pk))
    return record


def _tell_of_mfa_reset(reset_id: int) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    from .language import in_language_of

    record = MfaReset.objects.select_related("user", "actor").get(pk=reset_id)
    with in_language_of(record.user):
        _send_mfa_reset_notice(record, settings.CLINIC_CONTACT, send_mail)


def _send_mfa_reset_notice(record: MfaReset, contact: str, send_mail: Any) -> None:
    body = _(
        "An administrator (%(admin)s) reset the two-step verification of your Paceway account on %(when)s.\n\n"
        "At your next sign-in you will be asked to set up an authenticator app again.\n\n"
        "If you did not ask for this, contact %(contact)s at once."
    ) % {
        "admin": record.actor.name,
        "when": timezone.localtime(record.created_at).strftime("%Y-%m-%d %H:%M"),
        "contact": contact,
    }
    send_mail(str(_("Your two-step verification was reset")), body, None, [record.user.email])


@transaction.atomic
def update_account(*, actor: User, user: User, display_name: str, preferred_language: str, is_active: bool) -> User:
    """An administrator's change to an account (name, language, active). Deactivating a
    therapist follows the therapist rule (no patients, no open risk alerts)."""
    _require_admin(actor)
    if not is_active and user.is_active and actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not is_active and user.is_active and user.role == Role.THERAPIST:
        refusal = deactivation_refusal(user)
        if refusal:
            raise ValidationError(refusal)
    changed = []
    for field, value in (
        ("display_name", display_name),
        ("preferred_language", preferred_language),
        ("is_active", is_active),
    ):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
        audit(
            actor=actor,
            action="account.update",
            patient=user if user.role == Role.PATIENT else None,
            obj=user,
        )
    return user


BREAK_GLASS_REASON_MIN = 15


def break_glass_max_minutes() -> int:
    from django.conf import settings

    return int(getattr(settings, "BREAK_GLASS_MAX_MINUTES", 240))


@transaction.atomic
def open_break_glass(*, actor: User, patient_id: Any, reason: str, minutes: int = 60) -> BreakGlassAccess:
    """Open time-limited read access to a patient outside the care team. Administrators and
    clinical leads only, with a reason; the patient's therapist, the privacy contact and the
    privacy officers are e-mailed (no health data, not even the reason); the patient sees it on
    their access page."""
    from .access import is_assigned, may_break_glass

    if not may_break_glass(actor):
        raise PermissionDenied("Only administrators and clinical leads open break-glass access")
    patient = (
        User.objects.filter(pk=patient_id, role=Role.PATIENT, is_active=True).first()
        if str(patient_id).isdigit()
        else None
    )
    if patient is None:
        raise ValidationError(_("No active patient has this number."))
    if is_assigned(actor, patient):
        raise ValidationError(_("You are on this patient's care team: no break-glass access is needed."))
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise ValidationError(_("Give the reason (at least %(n)d characters).") % {"n": BREAK_GLASS_REASON_MIN})
    if not 1 <= int(minutes) <= break_glass_max_minutes():
        raise ValidationError(_("Choose from 1 to %(max)d minutes.") % {"max": break_glass_max_minutes()})
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        actor=actor, patient=patient, reason=reason, opened_at=now, expires_at=now + timedelta(minutes=int(minutes))
    )
    audit(actor=actor, action="breakglass.open", patient=patient, obj=access)
    transaction.on_commit(partial(_tell_of_break_glass, access.pk))
    return access


@transaction.atomic
def close_break_glass(*, actor: User, access_id: Any) -> BreakGlassAccess | None:
    access = BreakGlassAccess.objects.select_for_update().filter(pk=access_id, actor_id=actor.pk).first()
    if access is None or not access.is_open():
        return None
    access.closed_at = timezone.now()
    access.save(update_fields=["closed_at"])
    audit(actor=actor, action="breakglass.close", patient=access.patient_id, obj=access)
    return access


def _tell_of_break_glass(access_id: int) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    from .access import active_therapist_of

    access = BreakGlassAccess.objects.select_related("actor", "patient").get(pk=access_id)
    therapist = active_therapist_of(access.patient)
    from .language import in_language_of

    # Each recipient once, in their own language: the therapist's and the privacy officers' accounts',
    # the privacy contact the clinic's.
    officers = list(User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True))
    people = [p for p in (therapist, *officers) if p is not None and p.email]
    recipients: list[tuple[User | None, str]] = [(p, p.email) for p in people]
    if settings.PRIVACY_CONTACT_EMAIL:
        recipients.append((None, settings.PRIVACY_CONTACT_EMAIL))
    seen: set[str] = set()
    for person, address in recipients:
        if address in seen:
            continue
        seen.add(address)
        with in_language_of(person):
            _send_break_glass_notice(access, address, send_mail)


def _send_break_glass_notice(access: BreakGlassAccess, address: str, send_mail: Any) -> None:
    body = _(
        "%(actor)s (%(role)s) opened break-glass access to the record of patient number %(patient)d "
        "on %(when)s, until %(until)s. The reason and every access are in Paceway's audit log."
    ) % {
        "actor": access.actor.name,
        "role": access.actor.get_role_display(),
        "patient": access.patient_id,
        "when": timezone.localtime(access.opened_at).strftime("%Y-%m-%d %H:%M"),
        "until": timezone.localtime(access.expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    send_mail(str(_("Break-glass access opened")), body, None, [address])


@transaction.atomic
def set_preferred_language(*, actor: User, language: str) -> User:
    """A signed-in person switches language: remembered on their account, so every page, e-mail,
    reminder and text message reaches them in it. An unsupported code changes nothing."""
    from .language import supported_language

    chosen = supported_language(language)
    if chosen is None or actor.preferred_language == chosen:
        return actor
    User.objects.filter(pk=actor.pk).update(preferred_language=chosen)
    actor.preferred_language = chosen
    audit(actor=actor, action="account.language.update", obj=actor)
    return actor
