"""Run inside a web container by test_stack.sh (`manage.py shell < stack_setup.py`): a patient, their
therapist (TOTP enrolled, as clinicians must be) and an administrator, with a session for each of
the first two, and one clinical note (sealed with the keyring, checked again after the restore).
Prints one line: STACK_JSON {...}."""

import json
import uuid
from importlib import import_module

from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from paceway.accounts.models import CareAssignment, TherapistProfile, User
from paceway.accounts.roles import Role
from therapist.workspace.services import add_clinical_note

tag = uuid.uuid4().hex[:8]


def make(role, name):
    user = User(email=f"stack-{tag}-{name}@example.org", role=role, display_name=f"Stack {name}")
    user.set_unusable_password()
    user.save()
    return user


def session(user):
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


admin = make(Role.ADMINISTRATOR, "admin")
patient = make(Role.PATIENT, "patient")
therapist = make(Role.THERAPIST, "therapist")
TOTP.activate(therapist, "JBSWY3DPEHPK3PXPJBSWY3DP")
TherapistProfile.objects.create(
    user=therapist, training_title="stack test", training_verified_by=admin, caseload_capacity=5
)
CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=admin)
add_clinical_note(therapist=therapist, patient=patient, text=f"stack test note {tag}")
print(
    "STACK_JSON "
    + json.dumps(
        {
            "patient_id": patient.pk,
            "therapist_email": therapist.email,
            "note_text": f"stack test note {tag}",
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "patient_session": session(patient),
            "therapist_session": session(therapist),
        }
    )
)
