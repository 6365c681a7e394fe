"""The roles, decided in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from paceway.typing import RequestUser

    from .models import User


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    THERAPIST = "therapist", _("Therapist")
    ADMINISTRATOR = "administrator", _("Administrator")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")


CLINICIAN_ROLES = frozenset({Role.THERAPIST, Role.ADMINISTRATOR})
# Staff: everyone who is not a patient. They sign in with a second factor and use the Django
# admin only as far as ``paceway.accounts.permissions`` lets their role.
STAFF_ROLES = frozenset({Role.THERAPIST, Role.ADMINISTRATOR, Role.PRIVACY_OFFICER})


def role_of(user: RequestUser | None) -> str | None:
    """The role of a user, or None for anonymous or inactive users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return str(user.role)


def is_patient(user: RequestUser | None) -> TypeGuard[User]:
    return role_of(user) == Role.PATIENT


def is_therapist(user: RequestUser | None) -> TypeGuard[User]:
    return role_of(user) == Role.THERAPIST


def is_administrator(user: RequestUser | None) -> TypeGuard[User]:
    return role_of(user) == Role.ADMINISTRATOR


def is_privacy_officer(user: RequestUser | None) -> TypeGuard[User]:
    """Reads the audit log and the access reports; never clinical data."""
    return role_of(user) == Role.PRIVACY_OFFICER


def needs_mfa(user: RequestUser | None) -> bool:
    """Staff (therapists, administrators, privacy officers) must use a second factor (ASVS
    level 3 for staff)."""
    return role_of(user) in STAFF_ROLES
