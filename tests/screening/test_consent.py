"""Consent texts are versioned; the version consented is recorded; withdrawal is possible any time."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from modules.program.models import Enrolment
from therapist.screening import selectors, services
from therapist.screening.models import Consent, ConsentText, ImmutableError, Intake, ScreeningDecision

from .helpers import decision_data, intake_data


def test_version_one_is_published_in_plain_language(db):
    text = selectors.current_consent_text()
    assert text is not None and text.version == 1 and text.published_at is not None
    for phrase in ("9-8-8", "911", "not monitored 24/7", "not a replacement", "withdraw your consent at any time"):
        assert phrase in text.text, phrase
    with pytest.raises(ImmutableError):
        text.text = "changed"
        text.save()


def test_the_consent_page_shows_the_current_version_and_records_it(clients, personas):
    page = clients["patient"].get("/screening/consent/").content.decode()
    assert 'data-version="1"' in page and "9-8-8" in page
    clients["patient"].post("/screening/consent/", {"action": "give", "version": "1"})
    clients["patient"].post("/screening/consent/", {"action": "give", "version": "1"})  # idempotent
    consent = Consent.objects.get(patient=personas.patient)
    assert consent.consent_text.version == 1 and consent.withdrawn_at is None


def test_a_new_version_needs_new_consent_before_acceptance(clients, personas, program):
    services.give_consent(actor=personas.patient, patient=personas.patient, version=1)
    clients["patient"].post("/screening/", intake_data())
    intake = Intake.objects.get()
    v2 = services.publish_consent_text(actor=personas.admin, text="Version two, in plain language.")
    assert v2.version == 2
    assert selectors.active_consent(personas.patient) is None
    page = clients["patient"].get("/screening/consent/").content.decode()
    assert 'data-version="2"' in page and "The text has changed since" in page
    with pytest.raises(ValidationError):
        services.decide(actor=personas.therapist, intake_id=intake.pk, **decision_data("accept"))
    # Consenting to the version read on an old page is refused.
    with pytest.raises(ValidationError):
        services.give_consent(actor=personas.patient, patient=personas.patient, version=1)
    clients["patient"].post("/screening/consent/", {"action": "give", "version": "2"})
    decision = services.decide(actor=personas.therapist, intake_id=intake.pk, **decision_data("accept"))
    assert decision.consent.consent_text == v2
    versions = sorted(Consent.objects.filter(patient=personas.patient).values_list("consent_text__version", flat=True))
    assert versions == [1, 2]


def test_only_administrators_publish_consent_texts(personas):
    for actor in (personas.therapist, personas.patient):
        with pytest.raises(PermissionDenied):
            services.publish_consent_text(actor=actor, text="x")
    assert ConsentText.objects.count() == 1


def test_withdrawal_before_a_decision_blocks_acceptance(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    clients["patient"].post("/screening/consent/", {"action": "give", "version": "1"})
    response = clients["patient"].post("/screening/consent/", {"action": "withdraw"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.withdrawn_at is not None and consent.enrolment_at_withdrawal is None
    intake = Intake.objects.get()
    assert clients["therapist"].post(f"/screening/intakes/{intake.pk}/", decision_data("accept")).status_code == 400
    assert not ScreeningDecision.objects.exists()


def test_withdrawal_during_the_program_keeps_the_enrolment_and_flags_it(clients, personas, program):
    clients["patient"].post("/screening/", intake_data())
    clients["patient"].post("/screening/consent/", {"action": "give", "version": "1"})
    intake = Intake.objects.get()
    services.decide(actor=personas.therapist, intake_id=intake.pk, **decision_data("accept"))
    enrolment = Enrolment.objects.get()
    clients["patient"].post("/screening/consent/", {"action": "withdraw"})
    consent = Consent.objects.get()
    assert consent.withdrawn_at is not None and consent.enrolment_at_withdrawal == enrolment
    enrolment.refresh_from_db()
    assert enrolment.ended_at is None  # left as is: the patient and therapist decide what next
    assert [c.patient for c in selectors.consent_withdrawn_while_enrolled(personas.therapist)] == [personas.patient]
    assert selectors.consent_withdrawn_while_enrolled(personas.unassigned_therapist) == []
    page = clients["therapist"].get("/screening/decisions/").content.decode()
    assert 'id="withdrawn"' in page and personas.patient.name in page
    history = clients["patient"].get("/screening/consent/").content.decode()
    assert "Your consent history" in history
    # Nothing left to withdraw.
    with pytest.raises(ValidationError):
        services.withdraw_consent(actor=personas.patient, patient=personas.patient)


def test_nobody_consents_for_someone_else(personas):
    for actor in (personas.therapist, personas.admin, personas.stranger):
        with pytest.raises(PermissionDenied):
            services.give_consent(actor=actor, patient=personas.patient, version=1)
        with pytest.raises(PermissionDenied):
            services.withdraw_consent(actor=actor, patient=personas.patient)
    assert not Consent.objects.exists()
