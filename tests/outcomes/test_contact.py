"""Patient contact details: validated and normalised phones, sealed at rest, every read audited,
visible only to the patient and the care team (and a lead an alert reached), on the alert card and
the patient page with a one-click "Message the patient"."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from modules.outcomes import contact, services
from modules.outcomes.models import ContactDetails, RiskAlert
from paceway.accounts.models import TherapistProfile
from paceway.audit.models import AuditEvent

from .helpers import weekly, with_item9

VALID = {
    "preferred_name": "Pat",
    "phone": "(416) 555-0123",
    "voicemail_ok": "on",
    "safe_times": "after 5 pm",
    "emergency_name": "Alex One",
    "emergency_relationship": "partner",
    "emergency_phone": "613 555 0199",
    "physician_name": "Dr. Green",
    "physician_clinic": "Queen St Family Health",
    "province": "ON",
}


def save(patient, **changes):
    return contact.save_contact_details(actor=patient, patient=patient, data={**VALID, **changes})


def reads(patient):
    return AuditEvent.objects.filter(patient_id=patient.pk, action="outcomes.contact.read").count()


def test_it_normalises_phones_and_seals_the_details(personas):
    saved = save(personas.patient)
    assert saved.phone == "+14165550123" and saved.emergency_phone == "+16135550199"
    assert saved.phone_display == "(416) 555-0123" and saved.voicemail_ok and not saved.text_ok
    row = ContactDetails.objects.get(patient=personas.patient)
    raw = bytes(row.ciphertext)
    assert b"4165550123" not in raw and b"Alex" not in raw and b"Green" not in raw
    assert AuditEvent.objects.filter(patient_id=personas.patient.pk, action="outcomes.contact.save").count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "123"},
        {"phone": "not a phone"},
        {"emergency_phone": "+1 999 555 0123"},
        {"province": "XX"},
        {"emergency_name": ""},
        {"safe_times": "evenings\x00"},
    ],
)
def test_it_refuses_bad_input_with_a_clear_error_and_saves_nothing(personas, clients, changes):
    with pytest.raises(ValidationError):
        save(personas.patient, **changes)
    response = clients["patient"].post("/outcomes/contact/", {**VALID, **changes})
    assert response.status_code == 400
    if not any("\x00" in str(v) for v in changes.values()):  # a NUL byte is refused before the view (a generic 400)
        assert "Nothing was saved" in response.content.decode()
    assert not ContactDetails.objects.exists()


def test_only_the_patient_saves_their_own(personas):
    for actor in (personas.therapist, personas.stranger, personas.admin):
        with pytest.raises(PermissionDenied):
            contact.save_contact_details(actor=actor, patient=personas.patient, data=VALID)
    assert not ContactDetails.objects.exists()


def test_the_patient_edits_them_over_http(personas, clients):
    response = clients["patient"].post("/outcomes/contact/", {**VALID, "next": "/screening/"})
    assert response.status_code == 302 and response["Location"] == "/screening/"
    page = clients["patient"].get("/outcomes/contact/").content.decode()
    assert "(416) 555-0123" in page
    response = clients["patient"].post(
        "/outcomes/contact/", {**VALID, "phone": "416 555 0188", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/outcomes/contact/"  # an outside "next" is ignored
    assert contact.contact_details(viewer=personas.patient, patient=personas.patient).phone == "+14165550188"
    assert ContactDetails.objects.count() == 2  # the earlier version is kept


def test_the_care_team_sees_them_on_the_alert_card_and_patient_page_audited(personas, clients):
    save(personas.patient)
    services.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=list(with_item9(weekly(), 1).items()),
    )
    before = reads(personas.patient)
    page = clients["therapist"].get("/outcomes/alerts/").content.decode()
    assert 'href="tel:+14165550123"' in page and "(416) 555-0123" in page and "Alex One" in page
    assert f'href="/messages/{personas.patient.pk}/"' in page and "Message the patient" in page
    assert reads(personas.patient) == before + 1
    page = clients["therapist"].get(f"/therapist/patients/{personas.patient.pk}/").content.decode()
    assert "(416) 555-0123" in page and "Message the patient" in page
    assert reads(personas.patient) == before + 2


def test_people_outside_the_care_team_do_not_see_them(personas, clients):
    save(personas.patient)
    alert = services.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=list(with_item9(weekly(), 1).items()),
    ).alert
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    lead = personas.unassigned_therapist
    for viewer in (lead, personas.stranger, personas.admin):
        with pytest.raises(PermissionDenied):
            contact.contact_details(viewer=viewer, patient=personas.patient, alert=alert)
    assert "555-0123" not in clients["admin"].get("/outcomes/alerts/").content.decode()
    assert clients["therapist"].get("/outcomes/contact/").status_code == 404
    # Once the alert is escalated to the leads, the lead acting on it may call the patient.
    RiskAlert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())
    page = clients["unassigned_therapist"].get("/outcomes/alerts/").content.decode()
    assert "(416) 555-0123" in page and "Message the patient" not in page


def test_the_intake_status_asks_for_contact_details_until_given(personas, clients):
    page = clients["stranger"].get("/screening/status/").content.decode()
    assert 'id="contact-step"' in page
    save(personas.stranger)
    assert 'id="contact-step"' not in clients["stranger"].get("/screening/status/").content.decode()
