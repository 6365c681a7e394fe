"""The intake's contact step (issue 10): the patient gives their contact details in the intake
itself, validated with the rest; a mistake keeps everything typed and saves nothing; the details
are saved with the intake, and stay editable from the patient's account."""

from __future__ import annotations

import re

from modules.outcomes.contact import contact_details
from modules.outcomes.models import ContactDetails, QuestionnaireResponse, RiskAlert
from paceway.audit.models import AuditEvent
from therapist.screening.models import Intake

from .helpers import intake_data, with_item9


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return found.group(1) if found else ""


def test_the_intake_page_asks_for_the_contact_details_before_the_questionnaires(clients, program):
    html = clients["patient"].get("/screening/").content.decode()
    step = html.index('id="contact-step"')
    assert step < html.index("44260-8")  # before the PHQ-9 (and the other questionnaires)
    for name in ("contact-phone", "contact-emergency_name", "contact-emergency_phone", "contact-province"):
        assert f'name="{name}"' in html


def test_an_invalid_phone_keeps_everything_typed_and_saves_nothing(clients, personas, program):
    before = AuditEvent.objects.count()
    data = with_item9(2, **{"contact-phone": "12345", "pain_condition": "Fibromyalgia since 2019"})
    response = clients["patient"].post("/screening/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "This is not a valid phone number" in html and "Nothing has been saved yet" in html
    # Everything typed is still there: the wrong number, the other details, the answers.
    assert _value(html, "contact-phone") == "12345"
    assert _value(html, "contact-emergency_name") == "Ada Okafor"
    assert _value(html, "contact-emergency_phone") == "647-555-0177"
    assert _value(html, "pain_condition") == "Fibromyalgia since 2019"
    assert re.search(r'name="44260-8" value="2"[^>]*checked', html)
    assert not Intake.objects.exists() and not ContactDetails.objects.exists()
    assert not QuestionnaireResponse.objects.exists() and not RiskAlert.objects.exists()
    assert AuditEvent.objects.count() == before


def test_missing_contact_details_are_refused_with_the_rest(clients, program):
    response = clients["patient"].post("/screening/", intake_data(**{"contact-phone": None, "contact-province": "XX"}))
    assert response.status_code == 400
    assert not Intake.objects.exists() and not ContactDetails.objects.exists()


def test_the_details_are_saved_with_the_intake_and_stay_editable(clients, personas, program):
    response = clients["patient"].post("/screening/", with_item9(1))
    assert response.status_code == 200 and Intake.objects.count() == 1
    details = contact_details(viewer=personas.patient, patient=personas.patient)
    assert details.phone == "+14165550142" and details.emergency_phone == "+16475550177"
    assert details.province == "ON" and details.voicemail_ok and not details.text_ok
    assert 'id="contact-step"' not in response.content.decode()  # no separate step left to do
    # The therapist sees the phone number on the alert.
    alert = RiskAlert.objects.get(patient=personas.patient)
    assert "(416) 555-0142" in clients["therapist"].get(f"/outcomes/alerts/{alert.pk}/").content.decode()
    # Editable later from the patient's account (the navigation's "Contact details").
    page = clients["patient"].get("/outcomes/contact/").content.decode()
    assert _value(page, "phone") == "(416) 555-0142"
    edited = {k.removeprefix("contact-"): v for k, v in intake_data().items() if k.startswith("contact-")}
    assert clients["patient"].post("/outcomes/contact/", {**edited, "phone": "613-555-0199"}).status_code == 302
    assert contact_details(viewer=personas.patient, patient=personas.patient).phone == "+16135550199"
