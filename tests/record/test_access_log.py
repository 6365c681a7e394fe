"""'Who has seen my record': exactly the audit events about the patient, named, filterable and
downloadable."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import time_machine

from paceway.audit.models import AuditEvent
from paceway.audit.services import audit
from tests.conftest import client_for


def _csv(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/record/access.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _activity(clients, personas) -> None:
    """Reads and writes by the patient, their therapist and the system, and a stranger's own."""
    p, t = personas.patient, personas.therapist
    with time_machine.travel(datetime(2026, 3, 2, 15, tzinfo=UTC), tick=False):
        audit(actor=t, action="outcomes.scores.read", patient=p)
        audit(actor=p, action="program.home.read", patient=p)
    with time_machine.travel(datetime(2026, 3, 10, 15, tzinfo=UTC), tick=False):
        audit(actor=t, action="diary.read", patient=p)
        audit(actor=None, action="outcomes.risk_alert.notified", patient=p)
        audit(actor=personas.admin, action="assignment.create", patient=p)
    audit(actor=personas.stranger, action="program.home.read", patient=personas.stranger)
    audit(actor=t, action="caseload.read")  # about no one patient


def test_it_lists_exactly_the_audited_accesses(clients, personas):
    _activity(clients, personas)
    rows = _csv(clients["patient"])
    expected = AuditEvent.objects.filter(patient_id=personas.patient.pk)
    assert sorted(int(r["Audit event"]) for r in rows) == sorted(expected.values_list("id", flat=True))
    assert len(rows) == 5


def test_it_names_who_in_what_role_did_what(clients, personas):
    _activity(clients, personas)
    page = clients["patient"].get("/record/access/").content.decode()
    assert "T1" in page and "Therapist" in page and "Read your diary" in page
    assert "Administrator" in page and "Assigned a therapist to you" in page
    assert "Paceway (automatic)" in page and "You" in page
    assert personas.stranger.display_name not in page
    rows = _csv(clients["patient"])
    assert {(r["Who"], r["Role"], r["Action code"]) for r in rows} >= {
        ("T1", "Therapist", "diary.read"),
        ("You", "Patient", "program.home.read"),
    }


def test_it_filters_by_date_range_and_person(clients, personas):
    _activity(clients, personas)
    client = clients["patient"]
    march_2 = _csv(client, "?since=2026-03-01&until=2026-03-05")
    assert sorted(r["Action code"] for r in march_2) == ["outcomes.scores.read", "program.home.read"]
    therapist_only = _csv(client, f"?person={personas.therapist.pk}")
    assert sorted(r["Action code"] for r in therapist_only) == ["diary.read", "outcomes.scores.read"]
    page = client.get(f"/record/access/?since=2026-03-06&person={personas.therapist.pk}").content.decode()
    assert "Read your diary" in page and "Read your scores" not in page


def test_bad_filters_are_a_clear_400(clients, personas):
    client = clients["patient"]
    response = client.get("/record/access/?since=2026-03-10&until=2026-03-01")
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert client.get("/record/access/?since=yesterday").status_code == 400
    assert client.get(f"/record/access.csv?person={personas.stranger.pk}").status_code == 400  # not a choice


def test_a_spreadsheet_formula_in_a_name_is_not_run(clients, personas):
    t = personas.therapist
    t.display_name = '=HYPERLINK("http://evil")'
    t.save()
    audit(actor=t, action="diary.read", patient=personas.patient)
    [row] = _csv(clients["patient"])
    assert row["Who"].startswith("'=")


def test_viewing_the_log_adds_nothing_to_it(clients, personas):
    _activity(clients, personas)
    before = AuditEvent.objects.count()
    clients["patient"].get("/record/access/")
    clients["patient"].get("/record/access.csv")
    assert AuditEvent.objects.count() == before


def test_the_log_pages_through_many_events(clients, personas):
    for _ in range(130):
        audit(actor=personas.therapist, action="message.deliver", patient=personas.patient)
    client = clients["patient"]
    first = client.get("/record/access/").content.decode()
    assert "Page 1 of 2" in first
    assert len(_csv(client)) == 130


def test_a_privacy_report_of_one_patient_and_of_one_person(clients, personas, privacy_officer):
    _activity(clients, personas)
    admin = client_for(privacy_officer)
    response = admin.get(
        f"/record/audit-report/?subject=patient&person_id={personas.patient.pk}&since=2026-03-01&until=2026-03-31"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = AuditEvent.objects.filter(
        patient_id=personas.patient.pk, created_at__year=2026, created_at__month=3
    ).exclude(action="audit.report.patient")
    assert sorted(int(r["event_id"]) for r in rows) == sorted(expected.values_list("id", flat=True))
    by_therapist = admin.get(
        f"/record/audit-report/?subject=user&person_id={personas.therapist.pk}&since=2026-03-01&until=2026-03-31"
    )
    actions = [r["action"] for r in csv.DictReader(io.StringIO(by_therapist.content.decode()))]
    assert actions == ["outcomes.scores.read", "diary.read"]
    assert AuditEvent.objects.filter(actor_id=privacy_officer.pk, action__startswith="audit.report.").count() == 2


def test_privacy_reports_are_for_privacy_officers_only_and_check_their_input(clients, personas, privacy_officer):
    query = f"?subject=patient&person_id={personas.patient.pk}&since=2026-03-01&until=2026-03-31"
    for who in ("patient", "therapist", "unassigned_therapist", "admin"):
        assert clients[who].get(f"/record/audit-report/{query}").status_code == 404
    admin = client_for(privacy_officer)
    assert admin.get("/record/audit-report/").status_code == 200
    assert (
        admin.get("/record/audit-report/?subject=patient&person_id=x&since=2026-03-01&until=2026-03-31").status_code
        == 400
    )
    assert (
        admin.get("/record/audit-report/?subject=user&person_id=1&since=2026-03-31&until=2026-03-01").status_code == 400
    )


def test_every_audited_action_about_a_patient_has_a_plain_name():
    """A new audit action that a patient can see on their access page gets a plain-language
    name; actions never about a patient are listed here on purpose."""
    import re
    from pathlib import Path

    from modules.record import actions

    not_about_a_patient = {
        "account.details.update",
        "administrator.created_from_command",
        "audit.report.user",
        "auth.login",
        "invitation.accept",
        "invitation.create",
        "messages.inbox.read",
        "outcomes.clinic_profile.save",
        "outcomes.evaluation.export",
        "outcomes.evaluation.read",
        "screening.consent_text.publish",
        "therapist.deactivated",
        "therapist.profile.update",
        "therapist.public_profile.update",
        "therapist.training_verified",
    }
    root = Path(__file__).parents[2]
    found = set()
    for folder in ("platform", "modules", "therapist", "messaging"):
        for path in (root / folder).rglob("*.py"):
            found |= set(re.findall(r'action="([a-z_]+\.[a-z_.]*[a-z_])"', path.read_text()))
    unnamed = {a for a in found - not_about_a_patient if actions.label(a) == a}
    assert not unnamed
