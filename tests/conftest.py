"""Shared fixtures: the five personas every route is tested against.

- ``patient`` (P1) and ``therapist`` (T1, assigned to P1)
- ``stranger`` (P2, another patient, assigned to nobody)
- ``unassigned_therapist`` (T2, verified, no patients)
- ``admin`` (A1)
Therapists and the administrator have TOTP enrolled, as the MFA rule requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.utils import timezone

from paceway.accounts.models import CareAssignment, TherapistProfile, User
from paceway.accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def make_user(email: str, role: str, *, mfa: bool = True, name: str = "") -> User:
    user = User.objects.create_user(
        email,
        PASSWORD,
        role=role,
        display_name=name or email.split("@")[0].title(),
        is_staff=role in (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER),
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa and role != Role.PATIENT:
        TOTP.activate(user, TOTP_SECRET)
    return user


def make_therapist(email: str, *, admin: User, capacity: int = 10, verified: bool = True, mfa: bool = True) -> User:
    user = make_user(email, Role.THERAPIST, mfa=mfa)
    TherapistProfile.objects.create(
        user=user,
        training_title="CBT for chronic pain",
        training_completed_on=date(2024, 1, 1),
        training_evidence="certificate",
        training_verified_by=admin if verified else None,
        training_verified_at=timezone.now() if verified else None,
        caseload_capacity=capacity,
    )
    return user


@pytest.fixture
def privacy_officer(personas: Personas) -> User:
    """A privacy officer (PO): reads the audit log and the access reports, no clinical data."""
    return make_user("privacy@example.org", Role.PRIVACY_OFFICER, name="Priya Officer")


@dataclass
class Personas:
    patient: User
    therapist: User
    stranger: User
    unassigned_therapist: User
    admin: User


@pytest.fixture
def personas(db: None) -> Personas:
    admin = make_user("admin@example.org", Role.ADMINISTRATOR)
    therapist = make_therapist("t1@example.org", admin=admin)
    unassigned = make_therapist("t2@example.org", admin=admin)
    patient = make_user("p1@example.org", Role.PATIENT, name="Pat One")
    stranger = make_user("p2@example.org", Role.PATIENT, name="Pam Two")
    CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=admin, reason="intake")
    return Personas(patient, therapist, stranger, unassigned, admin)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clients(personas: Personas) -> dict[str, Client]:
    """A logged-in test client per persona, plus 'anonymous'."""
    return {
        "anonymous": Client(),
        "patient": client_for(personas.patient),
        "therapist": client_for(personas.therapist),
        "stranger": client_for(personas.stranger),
        "unassigned_therapist": client_for(personas.unassigned_therapist),
        "admin": client_for(personas.admin),
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for attackers, not for the suite (live processes that check
    passwords create their own users)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Production uses hashed names from the manifest `collectstatic` writes; tests render pages
    without running it (tests/foundation/test_static.py checks the real storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """The embedded default cache (local memory) lives as long as the test process, and SQLite
    gives the next test's users the same ids: allauth's used TOTP codes and the send-rate counters,
    keyed by user id, would leak from one test into the next. Each test gets an empty one."""
    import uuid

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": f"test-{uuid.uuid4()}"},
        }


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Each test starts in the default language: a French request or `activate` in one test must
    not leave the next test's thread speaking French."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _private_audit_witness(settings, tmp_path):
    """The audit heads' copy outside the database: one file per test, never the developer's."""
    settings.AUDIT_WITNESS_PATH = str(tmp_path / "audit-witness.jsonl")
    # Likewise the copy of the clinic's crisis resources the 503 page reads.
    settings.CLINIC_SNAPSHOT_PATH = str(tmp_path / "clinic-resources.json")


@pytest.fixture(scope="session", autouse=True)
def _close_stray_database_sessions(django_db_setup, django_db_blocker):
    """WebSocket tests run ORM calls in worker threads and live tests start other processes; on
    PostgreSQL their sessions would block dropping the test database at the end of the run."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
