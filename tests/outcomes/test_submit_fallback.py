"""A risk answer is never lost to load (issue 15): its alert is saved in the transaction of the
answers, and the form page carries, from the start, what it shows if the answers cannot be saved
now (the crisis panel, the status line, the script), so that nothing needs the server then."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from modules.outcomes.instruments import RISK_ITEM
from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score

from .helpers import weekly, with_item9

URL = "/outcomes/q/weekly-check-in/"


def test_it_puts_the_offline_crisis_panel_and_the_script_in_the_form_page(clients):
    page = clients["patient"].get(URL).content.decode()
    assert re.search(r"<form [^>]*data-submit-fallback", page)
    panel = re.search(r"<section class=\"crisis\" data-offline-crisis[^>]*hidden>(.*?)</section>", page, re.S)
    assert panel, "the offline crisis panel is in the page, hidden"
    assert "9-8-8" in panel.group(1) and "911" in panel.group(1) and settings.CLINIC_CONTACT in panel.group(1)
    assert "have not reached your therapist yet" in panel.group(1)  # it does not claim an alert was sent
    assert "data-retry-now" in page and "data-msg-retrying" in page and "{seconds}" in page
    assert re.search(r'<script src="/static/outcomes/submit-fallback\.js" defer></script>', page)


def test_it_marks_the_risk_item_and_only_it_for_the_script(clients):
    page = clients["patient"].get(URL).content.decode()
    marked = re.findall(r'<input type="radio" name="([^"]+)" value="(\d+)"[^>]*data-risk-above="(\d+)"', page)
    assert {name for name, _v, _a in marked} == {RISK_ITEM}
    assert sorted(int(value) for _n, value, _a in marked) == [0, 1, 2, 3]
    assert {above for _n, _v, above in marked} == {"0"}


def test_the_amendment_form_has_the_fallback_too(clients, personas):
    clients["patient"].post(URL, weekly())
    response = QuestionnaireResponse.objects.get(patient=personas.patient)
    page = clients["patient"].get(f"/outcomes/responses/{response.pk}/amend/").content.decode()
    assert "data-submit-fallback" in page and "data-offline-crisis" in page


def test_it_saves_neither_the_answers_nor_the_alert_when_the_alert_cannot_be_saved(clients, personas, monkeypatch):
    def refused(**kwargs):
        raise RuntimeError("alert not saved")

    monkeypatch.setattr(RiskAlert.objects, "create", refused)
    client = clients["patient"]
    client.raise_request_exception = False
    assert client.post(URL, with_item9(weekly(phq=1), 2)).status_code == 500
    assert not QuestionnaireResponse.objects.exists() and not Score.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_risk_answer_sent_again_after_a_refusal_gets_its_alert_and_the_panel(personas, clients, monkeypatch):
    from paceway.ops import saturation

    class Saturated:
        def ensure_connection(self) -> None:
            raise RuntimeError("sorry, too many clients already")

    answers = with_item9(weekly(phq=1), 1)
    with monkeypatch.context() as patch:
        patch.setattr(saturation, "connection", Saturated())
        refused = clients["patient"].post(URL, answers)
    assert refused.status_code == 503 and not RiskAlert.objects.exists()
    saved = clients["patient"].post(URL, answers)  # what the page does after Retry-After
    assert saved.status_code == 200 and 'class="crisis"' in saved.content.decode()
    alert = RiskAlert.objects.get(patient=personas.patient)
    assert alert.response.answers[RISK_ITEM] == 1


QUEBEC = {
    "regions": ["QC"],
    "phone": "1-866-277-3553",
    "name_en": "Quebec crisis line",
    "name_fr": "Ligne de crise du Québec",
    "description_en": "Any time.",
    "description_fr": "En tout temps.",
}
HOTLINE = {
    **QUEBEC,
    "regions": ["*"],
    "phone": "1-800-000-1111",
    "name_en": "Lakeside line",
    "name_fr": "Ligne Lakeside",
}


def _lakeside(django_capture_on_commit_callbacks):
    from modules.outcomes.models import ClinicProfile

    with django_capture_on_commit_callbacks(execute=True):  # the copy is written after commit
        return ClinicProfile.objects.create(
            clinic_name="Lakeside Pain Clinic", contact_phone="1-416-555-2368", crisis_lines=[HOTLINE, QUEBEC]
        )


def test_the_offline_panel_of_a_form_carries_the_clinics_lines(clients, personas, django_capture_on_commit_callbacks):
    _lakeside(django_capture_on_commit_callbacks)
    page = clients["patient"].get(URL).content.decode()
    panel = re.search(r"<section class=\"crisis\" data-offline-crisis[^>]*hidden>(.*?)</section>", page, re.S)
    assert panel
    assert "Lakeside line" in panel.group(1) and "1-416-555-2368" in panel.group(1)
    assert "Quebec crisis line" in panel.group(1) and "(Quebec)" in panel.group(1)  # province unknown: says where
    assert "Call or text 9-8-8" not in panel.group(1)  # the clinic's own lines, not a hard-coded list
    # A signed-in person reads in their account's language.
    type(personas.patient).objects.filter(pk=personas.patient.pk).update(preferred_language="fr-ca")
    french = clients["patient"].get(URL).content.decode()
    assert "Ligne Lakeside" in french and "Ligne de crise du Québec" in french


def test_the_503_page_shows_the_clinics_lines_without_a_database(
    db, rf, settings, django_capture_on_commit_callbacks, django_db_blocker
):
    from paceway.clinic import snapshot_path
    from paceway.ops.saturation import unavailable

    # A new install: no copy yet, the environment's clinic and the national lines.
    with django_db_blocker.block():  # any database access would raise
        body = unavailable(rf.post(URL)).content.decode()
    assert "Call or text 9-8-8" in body and settings.CLINIC_CONTACT in body
    _lakeside(django_capture_on_commit_callbacks)
    assert snapshot_path().exists()
    with django_db_blocker.block():
        response = unavailable(rf.post(URL))
        french = unavailable(rf.post(URL, HTTP_ACCEPT_LANGUAGE="fr")).content.decode()
    body = response.content.decode()
    assert response.status_code == 503
    assert "Lakeside Pain Clinic" in body and "1-416-555-2368" in body and "Lakeside line" in body
    assert "Quebec crisis line" in body and "(Quebec)" in body and "Monday to Friday, 9:00 to 17:00" in body
    assert "9-8-8" not in body  # the clinic replaced the defaults
    assert "Ligne Lakeside" in french and "Ligne de crise du Québec" in french and "Du lundi au vendredi" in french


def test_a_broken_copy_falls_back_to_the_environment(rf, settings):
    from paceway.clinic import snapshot_path
    from paceway.ops.saturation import unavailable

    snapshot_path().write_text("{not json", encoding="utf-8")
    body = unavailable(rf.post(URL)).content.decode()
    assert "9-8-8" in body and settings.CLINIC_CONTACT in body
