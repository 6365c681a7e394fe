"""The patient's whole record: a round trip of everything they entered, readable messages, a
documented JSON schema, and one audit event per export."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from modules.outcomes.models import QuestionnaireResponse, RiskAlert
from modules.program.models import ExerciseEntry
from paceway.audit.models import AuditEvent
from tests.record.conftest import DIARY
from therapist.screening.models import Intake

SCHEMA = json.loads((Path(__file__).parents[2] / "modules" / "record" / "record.schema.json").read_text())


def test_it_round_trips_everything_the_patient_entered(clients, full_record):
    p = full_record
    response = clients["patient"].get("/record/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    record = json.loads(response.content)
    jsonschema.validate(record, SCHEMA)

    intake = Intake.objects.get(patient=p)
    [exported_intake] = record["intakes"]
    answers = {a["field"]: a["value"] for a in exported_intake["answers"]}
    for field in intake._meta.concrete_fields:
        if not field.is_relation and field.name not in {"id", "submitted_at"}:
            assert answers[field.name] == getattr(intake, field.attname), field.name
    assert exported_intake["decision"]["goals_and_preferences"].startswith("Wants to walk")
    assert [c["version"] for c in record["consents"]] == [1]

    [enrolment] = record["enrolments"]
    assert [c["reason"] for c in enrolment["plan_changes"]] == ["You said you are ready for pacing"]
    stored = {e.pk: e.data for e in ExerciseEntry.objects.filter(patient=p)}
    assert {e["id"]: e["data"] for e in record["exercises"]} == stored
    [diary] = [e for e in record["exercises"] if e["kind"] == "pain_diary"]
    assert diary["data"]["notes"] == DIARY["notes"] and diary["data"]["activity"] == DIARY["activity"]

    responses = {r.pk: r.answers for r in QuestionnaireResponse.objects.filter(patient=p)}
    assert {q["id"]: q["answers"] for q in record["questionnaires"]} == responses
    assert all(q["scores"] for q in record["questionnaires"])
    assert any(q["amendment_reason"] == "I misread question 9" for q in record["questionnaires"])
    assert record["score_changes"]

    assert [m["body"] for m in record["messages"]["items"]] == [
        "Is pacing the same as resting? ✓ <b>no html</b>",
        "Good question — not quite. Week 2 explains.",
    ]
    alerts = {a.pk: (a.status, a.resolution_note) for a in RiskAlert.objects.filter(patient=p)}
    assert alerts and {a["id"]: (a["status"], a["resolution_note"]) for a in record["alerts"]} == alerts
    assert {a["status"] for a in record["alerts"]} == {"resolved"}
    assert [w["minutes"] for w in record["weekly_reviews"]] == [12]
    assert record["profile"]["email"] == p.email
    assert record["fhir"]["resourceType"] == "Bundle"


def test_the_printable_record_is_readable_and_escapes_what_was_typed(clients, full_record):
    response = clients["patient"].get("/record/export/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Low back pain since a fall",
        "Walked to the park — slowly",
        "You said you are ready for pacing",
        "I misread question 9",
        "Called; safe, plan reviewed together.",
        "Good question — not quite.",
    ):
        assert text in page, text
    assert "&lt;b&gt;no html&lt;/b&gt;" in page and "<b>no html</b>" not in page


def test_each_export_is_audited_once(clients, full_record):
    p = full_record
    before = AuditEvent.objects.count()
    clients["patient"].get("/record/export.json")
    clients["patient"].get("/record/export/")
    events = list(AuditEvent.objects.filter(pk__gt=0).order_by("-id")[: AuditEvent.objects.count() - before])
    assert sorted((e.action, e.object_id, e.patient_id, e.actor_id) for e in events) == [
        ("record.export", "html", p.pk, p.pk),
        ("record.export", "json", p.pk, p.pk),
    ]


def test_an_export_with_a_failed_audit_is_not_served(clients, personas, monkeypatch):
    from modules.record import selectors

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(selectors, "audit", broken)
    client = clients["patient"]
    client.raise_request_exception = False
    assert client.get("/record/export.json").status_code == 500


@pytest.mark.parametrize(
    "path",
    [
        "/record/",
        "/record/export/",
        "/record/export.json",
        "/record/export.pdf",
        "/record/access/",
        "/record/access.csv",
    ],
)
@pytest.mark.parametrize("who", ["therapist", "unassigned_therapist", "admin"])
def test_staff_get_404_there_is_no_other_patients_record_to_name(clients, path, who):
    assert clients[who].get(path).status_code == 404


def test_a_patient_gets_only_their_own_record(clients, full_record, personas):
    record = json.loads(clients["stranger"].get("/record/export.json").content)
    assert record["profile"]["id"] == personas.stranger.pk
    assert record["messages"]["items"] == [] and record["exercises"] == [] and record["intakes"] == []


def test_the_schema_is_served_to_signed_in_people(clients):
    assert clients["anonymous"].get("/record/schema.json").status_code == 302
    assert clients["patient"].get("/record/schema.json").json()["title"].startswith("A patient's whole")


def test_a_record_without_anything_validates(clients, personas):
    record = json.loads(clients["patient"].get("/record/export.json").content)
    jsonschema.validate(record, SCHEMA)
    assert date.fromisoformat(record["generated_at"][:10])


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_holds_the_patients_items_and_is_audited(clients, full_record):
    p = full_record
    response = clients["patient"].get("/record/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="my-paceway-record-')
    assert "no-store" in response["Cache-Control"]
    text = " ".join(_pdf_text(response.content).split())
    for typed in (
        "Low back pain since a fall",
        "Walked to the park — slowly",
        DIARY["notes"],
        "You said you are ready for pacing",
        "I misread question 9",
        "Called; safe, plan reviewed together.",
        "Is pacing the same as resting? ✓ <b>no html</b>",
        "Good question — not quite. Week 2 explains.",
        p.email,
    ):
        assert typed in text, typed
    assert "Private: consider sleep referral." not in text  # clinical notes are not released this way
    assert AuditEvent.objects.filter(action="record.export", object_id="pdf", patient_id=p.pk).count() == 1
    for who in ("therapist", "unassigned_therapist", "admin", "anonymous"):
        assert clients[who].get("/record/export.pdf").status_code in (302, 404), who
