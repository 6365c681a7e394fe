"""Demo accounts for `make run`: an administrator, a privacy officer, two verified therapists, three
patients."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from . import hooks
from .models import CareAssignment, TherapistProfile, User
from .roles import Role

DEFAULT_PASSWORD = "paceway-demo-2026"
DEFAULT_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"

ACCOUNTS = [
    ("admin", "admin@paceway.demo", "Alex Admin", Role.ADMINISTRATOR),
    ("privacy", "privacy@paceway.demo", "Priya Officer", Role.PRIVACY_OFFICER),
    ("therapist", "therapist@paceway.demo", "Dr. Tara Singh", Role.THERAPIST),
    ("therapist2", "therapist2@paceway.demo", "Dr. Luc Tremblay", Role.THERAPIST),
    ("patient", "patient@paceway.demo", "Pat Morgan", Role.PATIENT),
    ("patient2", "patient2@paceway.demo", "Sam Okafor", Role.PATIENT),
    ("patient3", "patient3@paceway.demo", "Jo Leblanc", Role.PATIENT),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def demo_totp_secret() -> str:
    return os.environ.get("DEMO_TOTP_SECRET") or DEFAULT_TOTP_SECRET


@transaction.atomic
def load_demo() -> dict[str, User]:
    """Create (or refresh) the demo accounts. Idempotent. Refused in production."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo data is refused when DEBUG=false.")
    accounts: dict[str, User] = {}
    for key, email, name, role in ACCOUNTS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.display_name = name
        user.role = role
        user.is_staff = role in (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)
        user.is_superuser = False  # nobody is (paceway.accounts.permissions)
        user.is_active = True
        user.set_password(demo_password())
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if role != Role.PATIENT:
            Authenticator.objects.filter(user=user).delete()
            TOTP.activate(user, demo_totp_secret())
            RecoveryCodes.activate(user)
        accounts[key] = user
    admin = accounts["admin"]
    for key, languages in (("therapist", "en"), ("therapist2", "en,fr")):
        TherapistProfile.objects.update_or_create(
            user=accounts[key],
            defaults={
                "training_title": "Pain psychology certificate (CBT for chronic pain), 40 hours",
                "training_completed_on": date(2024, 5, 1),
                "training_evidence": "Certificate no. DEMO-" + key.upper(),
                "training_verified_by": admin,
                "training_verified_at": timezone.now(),
                "caseload_capacity": 30,
                "languages": languages,
                "is_active_clinician": True,
                "is_clinical_lead": key == "therapist2",
            },
        )
    # Pat and Sam are in Dr. Singh's care; Jo is waiting for a therapist.
    for key in ("patient", "patient2"):
        if not CareAssignment.objects.filter(patient=accounts[key], ended_at__isnull=True).exists():
            CareAssignment.objects.create(
                patient=accounts[key], therapist=accounts["therapist"], assigned_by=admin, reason="Demo"
            )
    for loader in hooks.demo_data_loaders:
        loader(accounts)
    return accounts


def describe(accounts: dict[str, Any]) -> str:
    lines = ["", f"Demo accounts (password: {demo_password()})"]
    for _key, email, name, role in ACCOUNTS:
        lines.append(f"  {role.label:<14} {email:<28} {name}")
    lines.append(
        f"Staff (therapists, the administrator, the privacy officer) also need a TOTP code; authenticator secret: {demo_totp_secret()}"
    )

    lines.append(f"Open {settings.SITE_URL}")
    return "\n".join(lines)
