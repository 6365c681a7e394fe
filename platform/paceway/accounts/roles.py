"""The three roles, decided in one place."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    THERAPIST = "therapist", _("Therapist")
    ADMINISTRATOR = "administrator", _("Administrator")


CLINICIAN_ROLES = frozenset({Role.THERAPIST, Role.ADMINISTRATOR})


def role_of(user: Any) -> str | None:
    """The role of a user, or None for anonymous or inactive users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return str(user.role)


def is_patient(user: Any) -> bool:
    return role_of(user) == Role.PATIENT


def is_therapist(user: Any) -> bool:
    return role_of(user) == Role.THERAPIST


def is_administrator(user: Any) -> bool:
    return role_of(user) == Role.ADMINISTRATOR


def needs_mfa(user: Any) -> bool:
    """Therapists and administrators must use a second factor (ASVS level 3 for staff)."""
    return role_of(user) in CLINICIAN_ROLES
