"""Every page a person uses, by who uses it, driven by the URL configuration.

``PAGES`` maps each route (as ``tests/foundation/test_route_inventory.py`` spells it) to the
people who open it in a browser and the address they open; ``NOT_PAGES`` lists, with the reason,
the routes nobody reads as a page (form actions, downloads, the API, health checks). A route in
neither fails ``tests/foundation/test_page_inventory.py``, so a new page cannot be left out of the
browser checks (no horizontal scroll at 360 and 1280 px, axe-core, no console error).

Addresses may hold ``{pat}`` (Pat Morgan, week 3, in Dr. Singh's care), ``{sam}`` (Sam Okafor,
week 1, open risk alert), ``{jo}`` (Jo Leblanc, waiting), ``{pat_entry}`` (one of Pat's exercise
entries), ``{sam_alert}`` (Sam's risk alert) and ``{jo_intake}`` (Jo's intake): the demo data's
ids, read from the server's database by ``demo_ids``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.browser.conftest import ADMIN, PATIENT, PATIENT2, PATIENT3, PRIVACY, THERAPIST, THERAPIST2, VISITOR

PAGES: dict[str, list[tuple[str, str]]] = {
    "": [(VISITOR, "/")],
    "accounts/login/": [(VISITOR, "/accounts/login/")],
    "accounts/signup/": [(VISITOR, "/accounts/signup/")],
    "accounts/password/reset/": [(VISITOR, "/accounts/password/reset/")],
    "accounts/password/reset/done/": [(VISITOR, "/accounts/password/reset/done/")],
    "accounts/confirm-email/": [(VISITOR, "/accounts/confirm-email/")],
    "accounts/details/": [(p, "/accounts/details/") for p in (PATIENT, PATIENT3, THERAPIST, ADMIN, PRIVACY)],
    "accounts/email/": [(PATIENT, "/accounts/email/")],
    "accounts/password/change/": [(PATIENT, "/accounts/password/change/"), (THERAPIST, "/accounts/password/change/")],
    "accounts/2fa/": [(PATIENT, "/accounts/2fa/"), (THERAPIST, "/accounts/2fa/")],
    "accounts/2fa/totp/activate/": [(PATIENT, "/accounts/2fa/totp/activate/")],
    "accounts/2fa/recovery-codes/": [(THERAPIST, "/accounts/2fa/recovery-codes/")],
    # The patient's program
    "program/": [(PATIENT, "/program/"), (PATIENT2, "/program/")],
    "program/plan/": [(PATIENT, "/program/plan/")],
    "program/settings/": [(PATIENT, "/program/settings/")],
    "program/diary/": [(PATIENT, "/program/diary/")],
    "program/exercises/<slug:kind>/": [
        (PATIENT, "/program/exercises/pacing_log/"),
        (PATIENT, "/program/exercises/smart_goal/"),
        (PATIENT, "/program/exercises/sleep_diary/"),
    ],
    "program/entries/<int:pk>/": [(PATIENT, "/program/entries/{pat_entry}/")],
    "program/modules/<slug:module>/": [(PATIENT, "/program/modules/activity-pacing/")],
    "program/modules/<slug:module>/<slug:step>/": [
        (PATIENT, "/program/modules/understanding-pain/lesson/"),  # illustrations, Listen, questions
        (PATIENT, "/program/modules/understanding-pain/reflection/"),
        (PATIENT, "/program/modules/activity-pacing/pacing-plan/"),
        (PATIENT, "/program/modules/goals-and-values/lesson/"),
    ],
    # Questionnaires, risk, the patient's own record
    "outcomes/": [(PATIENT, "/outcomes/")],
    "outcomes/q/<slug:slug>/": [
        (PATIENT, "/outcomes/q/weekly-check-in/"),
        (PATIENT, "/outcomes/q/peg/"),
        (PATIENT, "/outcomes/q/phq-9/"),
    ],
    "outcomes/contact/": [(PATIENT, "/outcomes/contact/")],
    "outcomes/safety-plan/": [(PATIENT, "/outcomes/safety-plan/")],
    "outcomes/discharge/": [(PATIENT, "/outcomes/discharge/")],
    "outcomes/risk/<int:alert_id>/": [(PATIENT2, "/outcomes/risk/{sam_alert}/")],
    "record/": [(PATIENT, "/record/")],
    "record/access/": [(PATIENT, "/record/access/")],
    "record/export/": [(PATIENT, "/record/export/")],
    "record/corrections/": [(PATIENT, "/record/corrections/")],
    "record/close/": [(PATIENT, "/record/close/")],
    "messages/": [(PATIENT, "/messages/"), (PATIENT3, "/messages/")],
    "screening/": [(PATIENT3, "/screening/")],
    "screening/status/": [(PATIENT, "/screening/status/"), (PATIENT3, "/screening/status/")],
    "screening/consent/": [(PATIENT, "/screening/consent/")],
    # The therapist's day
    "therapist/": [(THERAPIST, "/therapist/"), (THERAPIST2, "/therapist/")],
    "therapist/inbox/": [(THERAPIST, "/therapist/inbox/")],
    "therapist/patients/<int:patient_id>/": [(THERAPIST, "/therapist/patients/{pat}/")],
    "therapist/templates/": [(THERAPIST, "/therapist/templates/")],
    "messages/<int:patient_id>/": [(THERAPIST, "/messages/{pat}/")],
    "outcomes/patients/<int:patient_id>/": [(THERAPIST, "/outcomes/patients/{pat}/")],
    "outcomes/patients/<int:patient_id>/safety-plan/": [(THERAPIST, "/outcomes/patients/{sam}/safety-plan/")],
    "outcomes/patients/<int:patient_id>/discharge/": [(THERAPIST, "/outcomes/patients/{pat}/discharge/")],
    "program/patients/<int:patient_id>/": [(THERAPIST, "/program/patients/{pat}/")],
    "outcomes/alerts/": [(THERAPIST, "/outcomes/alerts/"), (ADMIN, "/outcomes/alerts/")],
    "outcomes/alerts/<int:alert_id>/": [(THERAPIST, "/outcomes/alerts/{sam_alert}/")],
    "screening/decisions/": [(THERAPIST, "/screening/decisions/"), (THERAPIST2, "/screening/decisions/")],
    "screening/intakes/<int:intake_id>/": [(THERAPIST2, "/screening/intakes/{jo_intake}/")],
    "record/corrections/to-answer/": [(THERAPIST, "/record/corrections/to-answer/")],
    "record/break-glass/": [(THERAPIST2, "/record/break-glass/")],
    # The administrator
    "therapist/console/": [(ADMIN, "/therapist/console/")],
    "therapist/console/patients/<int:patient_id>/history/": [(ADMIN, "/therapist/console/patients/{pat}/history/")],
    "outcomes/evaluation/": [(ADMIN, "/outcomes/evaluation/")],
    "record/audit-report/": [(PRIVACY, "/record/audit-report/")],
}

NOT_PAGES: dict[str, str] = {
    "healthz": "health check for the orchestrator",
    "readyz": "health check for the orchestrator",
    "metrics": "Prometheus metrics",
    "i18n/setlang/": "form action (the language switch)",
    "i18n/js/": "JavaScript catalogue for the page scripts (not a page)",
    "api/": "the JSON API",
    "accounts/logout/": "form action",
    "accounts/inactive/": "allauth's notice for a deactivated account (never linked)",
    "accounts/reauthenticate/": "allauth step reached from a form (asks the password again)",
    "accounts/password/set/": "allauth: only for accounts without a password (none here)",
    "accounts/login/code/confirm/": "allauth login by code (turned off)",
    "accounts/^confirm-email/": "a one-time link from an e-mail",
    "accounts/^password/reset/key/": "a one-time link from an e-mail",
    "accounts/password/reset/key/done/": "allauth's end of a one-time link",
    "accounts/2fa/authenticate/": "the second login step, driven by every clinician login in the tests",
    "accounts/2fa/reauthenticate/": "allauth step reached from a form",
    "accounts/2fa/totp/deactivate/": "form action (confirm page of allauth)",
    "accounts/2fa/recovery-codes/generate/": "form action",
    "accounts/2fa/recovery-codes/download/": "a text file download",
    "accounts/invitation/<str:token>/": "a one-time link from an e-mail",
    "program/modules/<slug:module>/<slug:step>/complete/": "form action",
    "program/patients/<int:patient_id>/tailor/": "form action",
    "program/patients/<int:patient_id>/enrol/": "form action",
    "program/patients/<int:patient_id>/end/": "form action",
    "outcomes/responses/<int:response_id>/amend/": "form action",
    "outcomes/export.json": "a JSON download",
    "outcomes/patients/<int:patient_id>/discharge.json": "a FHIR download",
    "outcomes/alerts/<int:alert_id>/attempts/": "form action",
    "outcomes/alerts/<int:alert_id>/follow-up/": "form action",
    "outcomes/alerts/<int:alert_id>/handover/": "form action",
    "outcomes/alerts/<int:alert_id>/acknowledge/": "form action",
    "outcomes/alerts/<int:alert_id>/resolve/": "form action",
    "outcomes/evaluation.csv": "a CSV download",
    "record/access.csv": "a CSV download",
    "record/export.json": "a JSON download",
    "record/export.pdf": "a PDF download (tests/record)",
    "record/schema.json": "a JSON schema download",
    "record/corrections/<int:request_id>/disagree/": "form action",
    "record/corrections/<int:request_id>/answer/": "form action",
    "record/break-glass/<int:access_id>/": "opened only after a recorded emergency access (tests/record)",
    "record/break-glass/<int:access_id>/close/": "form action",
    "therapist/patients/<int:patient_id>/notes/": "form action",
    "therapist/patients/<int:patient_id>/review/": "form action",
    "therapist/patients/<int:patient_id>/program-review/": "form action",
    "therapist/patients/<int:patient_id>/feedback/": "form action",
    "screening/intakes/<int:intake_id>/assign/": "form action",
    "admin/": "Django's admin (staff tooling, not a patient or therapist page)",
}


def classify(route: str) -> str | None:
    """ "page", "not a page", or None when the route is in neither list."""
    if route in PAGES:
        return "page"
    if route in NOT_PAGES or any(route.startswith(prefix) for prefix in NOT_PAGES if prefix.endswith("/")):
        return "not a page"
    return None


def pages_of(who: str, ids: dict[str, Any]) -> list[str]:
    """Every address this person opens, in the order of the table."""
    return [path.format(**ids) for entries in PAGES.values() for person, path in entries if person == who]


DEMO_IDS = f"""
import json
from modules.program.models import ExerciseEntry
from modules.outcomes.models import RiskAlert
from paceway.accounts.models import User
from therapist.screening.models import Intake
pat, sam, jo = (User.objects.get(email=e) for e in ("{PATIENT}", "{PATIENT2}", "{PATIENT3}"))
print(json.dumps({{
    "pat": pat.pk, "sam": sam.pk, "jo": jo.pk,
    "pat_entry": ExerciseEntry.objects.filter(patient=pat, parent__isnull=True).order_by("pk").first().pk,
    "sam_alert": RiskAlert.objects.filter(patient=sam).order_by("pk").first().pk,
    "jo_intake": Intake.objects.filter(patient=jo).order_by("-pk").first().pk,
}}))
"""


def demo_ids(env: dict[str, str], root: Any) -> dict[str, Any]:
    """The demo data's ids, read from the browser server's own database."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DEMO_IDS],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
