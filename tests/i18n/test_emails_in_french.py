"""Every e-mail and text message Paceway sends, to a person who reads French: subject, text and
HTML in French, whoever (or whatever task) triggered the sending."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import translation

from paceway.accounts import emails

from .conftest import FRENCH
from .english import english_in, visible_strings

EMAIL_TEMPLATES = sorted(p.stem for p in (Path(emails.__file__).parent.parent / "templates" / "emails").glob("*.txt"))
NAMES = {"Pat One", "Pam Two", "T1", "Admin", "P1", "Example Clinic", "Paceway"}


def _french(user):
    type(user).objects.filter(pk=user.pk).update(preferred_language=FRENCH)
    user.preferred_language = FRENCH
    return user


def _english_in_message(message) -> list[str]:
    strings = [str(message.subject), *[line for line in str(message.body).splitlines() if line.strip()]]
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            strings += visible_strings(content)
    return english_in(strings, allowed=NAMES)


def _assert_all_french(outbox) -> None:
    assert outbox, "no e-mail was sent"
    leaks = {m.subject: found for m in outbox if (found := _english_in_message(m))}
    assert not leaks, leaks


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_it_renders_every_account_email_template_in_french(template, personas, settings):
    _french(personas.patient)
    context = {"therapist": personas.therapist.name, "patient": personas.patient.name, "link": "https://x.example/"}
    subject, text = emails.render(template, {"name": "Pat One", **context}, language=FRENCH)
    message = emails.build_for(personas.patient, subject=subject, text=text)
    _assert_all_french([message])


def test_it_sends_the_password_reset_in_the_account_language(personas, client):
    _french(personas.patient)
    client.post("/accounts/password/reset/", {"email": personas.patient.email})  # from an English page
    _assert_all_french(mail.outbox)


def test_it_tells_of_an_mfa_reset_in_french(personas, django_capture_on_commit_callbacks):
    from paceway.accounts import services

    _french(personas.therapist)
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_mfa(actor=personas.admin, user=personas.therapist, reason="Lost phone, checked by a call")
    _assert_all_french(mail.outbox)


def test_it_tells_the_therapist_of_break_glass_in_french(personas, settings, django_capture_on_commit_callbacks):
    from paceway.accounts import services

    settings.PRIVACY_CONTACT_EMAIL = ""
    _french(personas.therapist)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_break_glass(
            actor=personas.admin, patient_id=personas.patient.pk, reason="The care team is away this week"
        )
    _assert_all_french(mail.outbox)


def test_it_tells_the_therapist_of_a_correction_request_in_french(personas, django_capture_on_commit_callbacks):
    from modules.record import services

    _french(personas.therapist)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_correction(
            actor=personas.patient, patient=personas.patient, item="Mon journal", correction="C'était 4"
        )
    _assert_all_french(mail.outbox)


@pytest.mark.parametrize("reason", ["module_opened", "homework", "inactivity"])
def test_it_sends_reminders_in_french(reason, personas, django_capture_on_commit_callbacks):
    from modules.program.tasks import send_once

    _french(personas.patient)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # a task: no request
        assert send_once(patient=personas.patient, reason=reason, period="test")
    _assert_all_french(mail.outbox)


def test_it_sends_the_questionnaire_reminder_in_french(personas, django_capture_on_commit_callbacks):
    from modules.outcomes.services import send_questionnaire_reminder

    _french(personas.patient)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert send_questionnaire_reminder(patient=personas.patient, questionnaire="weekly-check-in", period="t")
    _assert_all_french(mail.outbox)


def test_it_sends_the_new_message_notice_in_french(personas, django_capture_on_commit_callbacks):
    from messaging.notifications import _subject_and_body
    from paceway import mail_once

    patient = personas.patient
    _french(patient)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert mail_once.send_once(
            recipient=patient, record=lambda: None, compose=lambda: _subject_and_body(patient, patient)
        )
    _assert_all_french(mail.outbox)


@pytest.mark.parametrize("step", ["notify", "escalate"])
def test_it_sends_risk_alert_notices_and_texts_in_french(step, personas, settings, monkeypatch):
    from modules.outcomes import ladder, sms

    texts = []
    monkeypatch.setattr(sms, "send_sms", lambda to, body: texts.append(body))
    _french(personas.therapist)
    for channel in ("email", "sms"):
        row = SimpleNamespace(step=step, channel=channel, address="t1@example.org", recipient=personas.therapist)
        with translation.override("en"):
            ladder._send(row)
    _assert_all_french(mail.outbox)
    assert texts and not english_in(texts), texts
