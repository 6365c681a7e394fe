"""A questionnaire sent again after a lost response (issue 15) is stored once, and the retry still
shows the crisis panel of a risk answer, with the one alert the first send raised."""

from __future__ import annotations

import re

from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score

from .helpers import weekly, with_item9

URL = "/outcomes/q/weekly-check-in/"


def _token(page: bytes) -> str:
    found = re.search(rb'name="submission_token" value="([^"]+)"', page)
    assert found, "the form carries a submission token"
    return found.group(1).decode()


def test_a_questionnaire_sent_twice_with_one_token_is_stored_once(personas, clients):
    token = _token(clients["patient"].get(URL).content)
    first = clients["patient"].post(URL, {**weekly(), "submission_token": token})
    retry = clients["patient"].post(URL, {**weekly(), "submission_token": token})
    assert first.status_code == retry.status_code == 200
    assert QuestionnaireResponse.objects.filter(patient=personas.patient).count() == 1
    assert Score.objects.filter(patient=personas.patient).count() == Score.objects.count() > 0
    again = _token(clients["patient"].get(URL + "?again=1").content)
    assert again != token


def test_a_retried_risk_answer_has_one_alert_and_the_crisis_panel_both_times(personas, clients):
    token = _token(clients["patient"].get(URL).content)
    answers = {**with_item9(weekly(phq=1), 2), "submission_token": token}
    pages = [clients["patient"].post(URL, answers).content.decode() for _ in range(2)]
    assert all("9-8-8" in page for page in pages)
    assert QuestionnaireResponse.objects.count() == 1
    assert RiskAlert.objects.filter(patient=personas.patient).count() == 1


def test_a_refused_questionnaire_keeps_its_token(personas, clients):
    token = _token(clients["patient"].get(URL).content)
    answers = weekly()
    answers.pop(next(iter(answers)))
    bad = clients["patient"].post(URL, {**answers, "submission_token": token})
    assert bad.status_code == 400 and _token(bad.content) == token
    assert not QuestionnaireResponse.objects.exists()


def test_a_malformed_token_is_ignored_not_an_error(personas, clients):
    for _ in range(2):
        assert clients["patient"].post(URL, {**weekly(), "submission_token": "<x>"}).status_code == 200
    assert QuestionnaireResponse.objects.count() == 2


def test_a_concurrent_retry_that_loses_the_race_answers_with_the_stored_response(personas, monkeypatch):
    """Two sends of one token at once: the unique constraint decides, the loser gets the winner's."""
    from modules.outcomes import services

    first = services.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=weekly().items(),
        submission_token="race-token-1",
    )
    real = services._stored_submission
    looks: list[object] = []

    def late(*args):  # the loser's first look comes before the winner's commit
        looks.append(args)
        return None if len(looks) == 1 else real(*args)

    monkeypatch.setattr(services, "_stored_submission", late)
    second = services.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=weekly().items(),
        submission_token="race-token-1",
    )
    assert second.response.pk == first.response.pk and len(looks) == 2  # the constraint caught it
    assert QuestionnaireResponse.objects.count() == 1
