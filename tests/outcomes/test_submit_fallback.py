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
