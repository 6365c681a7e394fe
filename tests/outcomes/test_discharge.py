"""The discharge summary: printable page for the patient and therapist, FHIR document (Composition
in a document Bundle, validated) only with the patient's consent."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition

from modules.outcomes import services
from modules.outcomes.discharge import discharge_document, discharge_summary
from modules.program import services as program_services
from modules.program.loader import load_program

from .helpers import complete, weekly
from .test_schedule_start import MINI


@pytest.fixture
def finished(personas):
    program = load_program(MINI).program
    enrolment = program_services.enrol_patient(actor=personas.therapist, patient=personas.patient, program=program)
    enrolment.plans.filter(included=True).update(completed_at=timezone.now())
    program_services.create_entry(
        actor=personas.patient, patient=personas.patient, kind="staying_well_plan",
        data={"helpful_skills": "Pacing", "goals": "Walk daily", "warning_signs": "Skipping walks",
              "action_plan": "Restart at half", "review_schedule": "Monthly"},
    )  # fmt: skip
    now = timezone.now()
    for days, phq, gad, peg in ((60, 2, 2, 8), (1, 0, 0, 4)):  # PHQ-9 18 -> 0, GAD-7 14 -> 0, PEG 8 -> 4
        services.submit_response(
            actor=personas.patient, patient=personas.patient, questionnaire="baseline" if days == 60 else "post-treatment",
            answers=list(complete("baseline" if days == 60 else "post-treatment", weekly(phq=[phq] * 8 + [0], gad=gad, peg=peg)).items()),
            submitted_at=now - timedelta(days=days),
        )  # fmt: skip
    return enrolment


def test_the_summary_judges_mood_with_the_paired_rules_and_lists_what_was_learned(personas, finished):
    summary = discharge_summary(personas.patient)
    lines = {s.key: s for s in summary.scores}
    assert (lines["phq9"].start, lines["phq9"].end) == (16, 0) and (lines["gad7"].start, lines["gad7"].end) == (14, 0)
    assert lines["phq9"].verdict == lines["gad7"].verdict  # one paired verdict for both
    assert "reliable recovery" in lines["phq9"].verdict
    assert "50% or more less" in lines["peg"].verdict
    assert summary.learned == [p.module.title for p in finished.plans.filter(included=True).order_by("position")]
    assert ("My goals for the next three months", "Walk daily") in summary.staying_well
    assert summary.recommendations[0].startswith("Keep using the skills")


def test_the_fhir_document_validates(personas, finished):
    document = discharge_document(discharge_summary(personas.patient))
    bundle = Bundle.model_validate(json.loads(json.dumps(document)))
    assert bundle.type == "document"
    composition = document["entry"][0]["resource"]
    Composition.model_validate(composition)
    assert composition["type"]["coding"][0]["code"] == "18842-5"
    titles = [s["title"] for s in composition["section"]]
    assert titles == [
        "Scores at the start and at the end",
        "What the patient learned",
        "Staying-well plan",
        "Recommendations",
    ]
    referenced = {e["reference"] for e in composition["section"][0]["entry"]}
    assert referenced <= {e["fullUrl"] for e in document["entry"]}


def test_the_physician_copy_needs_the_patients_consent(personas, clients, finished):
    url = f"/outcomes/patients/{personas.patient.pk}/discharge.json"
    assert clients["therapist"].get(url).status_code == 409
    page = clients["patient"].get("/outcomes/discharge/").content.decode()
    assert "Discharge summary" in page and "Scores at the start and at the end" in page
    assert clients["patient"].post("/outcomes/discharge/", {"share": "1"}).status_code == 302
    response = clients["therapist"].get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    Bundle.model_validate(json.loads(response.content))
    clients["patient"].post("/outcomes/discharge/", {"share": "0"})
    assert clients["therapist"].get(url).status_code == 409
    assert (
        "Discharge summary"
        in clients["therapist"].get(f"/outcomes/patients/{personas.patient.pk}/discharge/").content.decode()
    )


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin"])
def test_a_stranger_is_refused(personas, clients, finished, who):
    personas_patient = personas.patient.pk
    assert clients[who].get(f"/outcomes/patients/{personas_patient}/discharge/").status_code == 404
    assert clients[who].get(f"/outcomes/patients/{personas_patient}/discharge.json").status_code == 404
    if who != "stranger":
        assert clients[who].get("/outcomes/discharge/").status_code == 404
