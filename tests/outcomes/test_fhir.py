"""FHIR export: every resource validates with fhir.resources; LOINC coding; derivedFrom."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from modules.outcomes import services
from modules.outcomes.fhir import patient_bundle
from paceway.audit.models import AuditEvent

from .helpers import NRS_CODES, complete, weekly, with_item9

MODELS = {
    "Bundle": Bundle,
    "Observation": Observation,
    "Patient": Patient,
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
}


def fill(personas):
    p = personas.patient
    services.submit_response(
        actor=p, patient=p, questionnaire="weekly-check-in", answers=list(with_item9(weekly(phq=2), 1).items())
    )
    baseline = complete("baseline", {**weekly(phq=1), **dict(zip(NRS_CODES, [6, 8], strict=True)), "69722-7": 2})
    first = services.submit_response(actor=p, patient=p, questionnaire="baseline", answers=list(baseline.items()))
    services.amend_response(actor=p, response_id=first.response.pk, answers=list(baseline.items()), reason="typo")


def test_it_exports_valid_fhir_resources(personas):
    fill(personas)
    bundle = patient_bundle(personas.patient)
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    kinds: dict[str, int] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)  # each one on its own, too
        kinds[resource["resourceType"]] = kinds.get(resource["resourceType"], 0) + 1
    assert kinds["Questionnaire"] == 2 and kinds["QuestionnaireResponse"] == 3 and kinds["Patient"] == 1

    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    panels = [r for r in by_url.values() if r["resourceType"] == "Observation" and r.get("hasMember")]
    phq_panel = next(r for r in panels if r["code"]["coding"][0]["code"] == "44249-1")
    assert phq_panel["code"]["coding"][0]["system"] == "http://loinc.org"
    members = [by_url[m["reference"]] for m in phq_panel["hasMember"]]
    total = next(m for m in members if m["code"]["coding"][0]["code"] == "44261-6")
    assert total["valueQuantity"]["value"] == 17
    item9 = next(m for m in members if m["code"]["coding"][0]["code"] == "44260-8")
    assert item9["valueCodeableConcept"]["coding"][0]["code"] == "LA6569-3"
    qr_url = phq_panel["derivedFrom"][0]["reference"]
    assert by_url[qr_url]["resourceType"] == "QuestionnaireResponse"
    assert all(m["derivedFrom"] == phq_panel["derivedFrom"] for m in members)
    gad_panel = next(r for r in panels if r["code"]["coding"][0]["code"] == "69737-5")
    assert any(by_url[m["reference"]]["code"]["coding"][0]["code"] == "70274-6" for m in gad_panel["hasMember"])
    statuses = sorted(r["status"] for r in by_url.values() if r["resourceType"] == "QuestionnaireResponse")
    assert statuses == ["amended", "completed", "completed"]


def test_the_patient_downloads_and_the_therapist_gets_it_by_api(personas, clients):
    fill(personas)
    download = clients["patient"].get("/outcomes/export.json")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    Bundle.model_validate(json.loads(download.content))
    api = clients["therapist"].get(f"/api/v1/patients/{personas.patient.pk}/fhir")
    assert api.status_code == 200
    Bundle.model_validate(api.json())
    assert AuditEvent.objects.filter(action="outcomes.fhir.export", patient_id=personas.patient.pk).count() == 2
    for name in ("stranger", "unassigned_therapist", "admin"):
        assert clients[name].get(f"/api/v1/patients/{personas.patient.pk}/fhir").status_code == 404, name
    assert clients["anonymous"].get(f"/api/v1/patients/{personas.patient.pk}/fhir").status_code in (401, 403)
