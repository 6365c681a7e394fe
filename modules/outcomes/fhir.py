"""FHIR export of a patient's questionnaires and scores, coded with LOINC where LOINC has codes.

Resources follow the US Core PHQ-9 examples: Questionnaire (items linked by code, answers as
codings with an ordinal value), QuestionnaireResponse, and per instrument an Observation panel
whose ``hasMember`` are the item answers and the total score(s), all ``derivedFrom`` the response.
Validated with ``fhir.resources`` (its R4B models, the R4 revision it ships; the resources used
here are unchanged between R4 and R4B). Nothing here writes; the caller audits the export.

Languages: a QuestionnaireResponse carries ``language`` (BCP-47, e.g. "fr-CA"), the language the
patient used, and its item texts and answer displays are the wording shown to them (an
instrument without a version in that language was shown, and is exported, in English). The
Questionnaire definitions are exported in English, their original language. Codes and values,
and so every score, are the same whatever the language.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirQuestionnaireResponse

from .instruments import LOCAL_SYSTEM, Instrument, Item, Questionnaire, get_questionnaire
from .models import QuestionnaireResponse, Score

CANONICAL = "https://paceway.org/fhir/Questionnaire/"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
NAMESPACE = uuid.UUID("6f1d4a55-2f1e-4d0c-9d4e-3c2a7a1f0b11")
# Paceway's languages as BCP-47 tags for FHIR ``language`` (its French is Canadian French).
FHIR_LANGUAGE = {"en": "en", "fr": "fr-CA"}


def fhir_language(code: str | None) -> str:
    base = (code or "en").split("-")[0].lower()
    return FHIR_LANGUAGE.get(base, base)


def urn(kind: str, key: Any) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{settings.SITE_URL}/{kind}/{key}')}"


def _coding(system: str, code: str, display: Any) -> dict[str, str]:
    return {"system": system, "code": code, "display": str(display)}


def _answer_option(item: Item) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for option in item.options:
        if option.code:
            coding: dict[str, Any] = {
                **_coding(option.system, option.code, option.label),
                "extension": [{"url": ORDINAL, "valueDecimal": option.value}],
            }
            options.append({"valueCoding": coding})
        else:
            options.append({"valueInteger": option.value})
    return options


def questionnaire_resource(definition: Questionnaire) -> dict[str, Any]:
    with translation.override("en"):
        return _questionnaire_resource(definition)


def _questionnaire_resource(definition: Questionnaire) -> dict[str, Any]:
    groups = []
    for instrument in definition.instruments:
        groups.append(
            {
                "linkId": instrument.slug,
                "text": str(instrument.title),
                "code": [_coding(instrument.panel_system, instrument.panel_code, instrument.name)],
                "type": "group",
                "item": [
                    {
                        "linkId": item.code,
                        "code": [_coding(item.system, item.code, item.text)],
                        "text": str(item.text),
                        "type": "choice",
                        "required": item.required,
                        "answerOption": _answer_option(item),
                    }
                    for item in instrument.items
                ],
            }
        )
    resource = {
        "resourceType": "Questionnaire",
        "id": f"q-{definition.slug}",
        "url": CANONICAL + definition.slug,
        "name": definition.slug.replace("-", "_").upper(),
        "title": str(definition.title),
        "status": "active",
        "subjectType": ["Patient"],
        "language": "en",
        "copyright": " ".join(i.licence for i in definition.instruments),
        "item": groups,
    }
    FhirQuestionnaire.model_validate(resource)
    return resource


def _answer(item: Item, value: int) -> dict[str, Any]:
    option = item.option(value)
    if option.code:
        return {"valueCoding": _coding(option.system, option.code, option.label)}
    return {"valueInteger": value}


def response_resource(response: QuestionnaireResponse, definition: Questionnaire, patient_ref: str) -> dict[str, Any]:
    """The response, its texts in the language the patient answered in."""
    with translation.override(response.language or "en"):
        return _response_resource(response, definition, patient_ref)


def _response_resource(response: QuestionnaireResponse, definition: Questionnaire, patient_ref: str) -> dict[str, Any]:
    groups = []
    for instrument in definition.instruments:
        answered = [item for item in instrument.items if item.code in response.answers]
        groups.append(
            {
                "linkId": instrument.slug,
                "text": str(instrument.title),
                "item": [
                    {
                        "linkId": item.code,
                        "text": str(item.text),
                        "answer": [_answer(item, int(response.answers[item.code]))],
                    }
                    for item in answered
                ],
            }
        )
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-{response.pk}",
        "identifier": {"system": f"{settings.SITE_URL}/fhir/QuestionnaireResponse", "value": str(response.pk)},
        "language": fhir_language(response.language),
        "questionnaire": CANONICAL + definition.slug,
        "status": "amended" if response.amends_id else "completed",
        "subject": {"reference": patient_ref},
        "authored": response.submitted_at.isoformat(),
        "item": groups,
    }
    FhirQuestionnaireResponse.model_validate(resource)
    return resource


def _observation(**fields: Any) -> dict[str, Any]:
    resource = {"resourceType": "Observation", "status": "final", "category": [SURVEY], **fields}
    Observation.model_validate(resource)
    return resource


def observations_for(
    response: QuestionnaireResponse, instrument: Instrument, scores: list[Score], patient_ref: str
) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl, resource) for the item answers, the score(s) and the panel, in that order."""
    with translation.override(response.language or "en"):
        return _observations_for(response, instrument, scores, patient_ref)


def _observations_for(
    response: QuestionnaireResponse, instrument: Instrument, scores: list[Score], patient_ref: str
) -> list[tuple[str, dict[str, Any]]]:
    qr_ref = {"reference": urn("QuestionnaireResponse", response.pk)}
    common = {
        "subject": {"reference": patient_ref},
        "effectiveDateTime": response.submitted_at.isoformat(),
        "derivedFrom": [qr_ref],
    }
    common_status = {"status": "amended"} if response.amends_id else {"status": "final"}
    members: list[tuple[str, dict[str, Any]]] = []
    for item in instrument.items:
        if item.code not in response.answers:
            continue
        value = int(response.answers[item.code])
        option = item.option(value)
        value_field: dict[str, Any] = (
            {
                "valueCodeableConcept": {
                    "coding": [_coding(option.system, option.code, option.label)],
                    "text": str(option.label),
                }
            }
            if option.code
            else {"valueInteger": value}
        )
        key = f"{response.pk}/{item.code}"
        members.append(
            (
                urn("Observation", key),
                _observation(
                    id=f"obs-{response.pk}-{item.code}",
                    code={"coding": [_coding(item.system, item.code, item.text)], "text": str(item.text)},
                    **common,
                    **common_status,
                    **value_field,
                ),
            )
        )
    for score in scores:
        scale = next(s for s in instrument.scales if s.key == score.scale)
        key = f"{response.pk}/score/{scale.key}"
        interpretation = {}
        band = next((b for b in scale.bands if b.key == score.band), None)
        if band is not None:
            interpretation = {
                "interpretation": [
                    {"coding": [_coding(LOCAL_SYSTEM, f"{scale.key}-{band.key}", band.label)], "text": str(band.label)}
                ]
            }
        members.append(
            (
                urn("Observation", key),
                _observation(
                    id=f"obs-{response.pk}-{scale.key}",
                    code={
                        "coding": [_coding(scale.system, scale.code, f"{scale.label} score")],
                        "text": f"{scale.label} score",
                    },
                    valueQuantity={
                        "value": float(score.total),
                        "unit": scale.unit,
                        "system": "http://unitsofmeasure.org",
                        "code": scale.unit,
                    },
                    **common,
                    **common_status,
                    **interpretation,
                ),
            )
        )
    panel = _observation(
        id=f"obs-{response.pk}-{instrument.slug}-panel",
        code={
            "coding": [_coding(instrument.panel_system, instrument.panel_code, instrument.name)],
            "text": instrument.name,
        },
        hasMember=[{"reference": full_url} for full_url, _r in members],
        **common,
        **common_status,
    )
    return [*members, (urn("Observation", f"{response.pk}/panel/{instrument.slug}"), panel)]


def patient_bundle(patient: Any) -> dict[str, Any]:
    """A collection Bundle: the patient, the questionnaires used, every response, all scores."""
    patient_ref = urn("Patient", patient.pk)
    entries: list[dict[str, Any]] = []
    patient_resource = {
        "resourceType": "Patient",
        "id": f"patient-{patient.pk}",
        "identifier": [{"system": f"{settings.SITE_URL}/fhir/Patient", "value": str(patient.pk)}],
        "name": [{"text": patient.display_name or patient.email}],
        "telecom": [{"system": "email", "value": patient.email}],
    }
    Patient.model_validate(patient_resource)
    entries.append({"fullUrl": patient_ref, "resource": patient_resource})
    responses = list(QuestionnaireResponse.objects.filter(patient=patient).order_by("submitted_at", "id"))
    scores: dict[int, list[Score]] = {}
    for score in Score.objects.filter(patient=patient):
        scores.setdefault(score.response_id, []).append(score)
    used: dict[str, Questionnaire] = {}
    for response in responses:
        definition = get_questionnaire(response.questionnaire)
        if definition is not None:
            used.setdefault(definition.slug, definition)
    for slug, definition in used.items():
        entries.append({"fullUrl": urn("Questionnaire", slug), "resource": questionnaire_resource(definition)})
    for response in responses:
        definition = used.get(response.questionnaire)
        if definition is None:
            continue
        entries.append(
            {
                "fullUrl": urn("QuestionnaireResponse", response.pk),
                "resource": response_resource(response, definition, patient_ref),
            }
        )
        for instrument in definition.instruments:
            mine = [s for s in scores.get(response.pk, []) if s.instrument == instrument.slug]
            for full_url, resource in observations_for(response, instrument, mine, patient_ref):
                entries.append({"fullUrl": full_url, "resource": resource})
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(bundle)
    return bundle
