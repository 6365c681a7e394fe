"""The follow-up screen after PHQ-9 question 9 above 0: the C-SSRS screener (recent), its skip
logic and published triage, carried by the alert and shown to clinicians; the crisis panel at
once whatever the answers, stronger when the level is high."""

from __future__ import annotations

import itertools

import pytest

from modules.outcomes import services
from modules.outcomes.instruments.cssrs import CSSRS_SCREEN, SCREENER, skip_errors, triage
from modules.outcomes.models import QuestionnaireResponse, RiskAlert
from modules.outcomes.scoring import validate

from .helpers import weekly, with_item9

Q = ["cssrs-1", "cssrs-2", "cssrs-3", "cssrs-4", "cssrs-5", "cssrs-6", "cssrs-6b"]


def answers(q1=0, q2=0, q3=None, q4=None, q5=None, q6=0, q6b=None):
    values = dict(zip(Q, [q1, q2, q3, q4, q5, q6, q6b], strict=True))
    return {k: v for k, v in values.items() if v is not None}


def test_it_records_the_licence_and_is_not_a_standalone_questionnaire(clients):
    assert "Columbia" in CSSRS_SCREEN.licence and "commercial" in CSSRS_SCREEN.licence
    assert clients["patient"].get("/outcomes/q/cssrs-screen/").status_code == 404


def test_it_triages_by_the_published_rules_over_every_valid_answer_set():
    seen = set()
    for q1, q2, q6 in itertools.product((0, 1), repeat=3):
        for q345 in itertools.product((0, 1), repeat=3) if q2 else [(None, None, None)]:
            for q6b in (0, 1) if q6 else [None]:
                a = answers(q1, q2, *q345, q6, q6b)
                assert skip_errors(validate(SCREENER, list(a.items()))) == {}
                q3, q4, q5 = q345
                expected = "high" if q4 == 1 or q5 == 1 or (q6 and q6b == 1) else "moderate" if q3 == 1 or q6 else "low"
                assert triage(a) == expected, a
                seen.add(expected)
    assert seen == {"low", "moderate", "high"}


def test_it_enforces_the_skip_logic():
    assert "cssrs-3" in skip_errors(answers(q2=1, q4=0, q5=0))  # asked after a yes to 2
    assert "cssrs-3" in skip_errors(answers(q2=0, q3=1))  # not asked after a no
    assert "cssrs-6b" in skip_errors(answers(q6=1))
    assert "cssrs-6b" in skip_errors(answers(q6=0, q6b=1))


@pytest.fixture
def submitted(personas, clients):
    response = clients["patient"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1))
    return response, RiskAlert.objects.get(patient=personas.patient)


def test_the_panel_and_the_screener_come_in_the_same_response(submitted):
    response, alert = submitted
    body = response.content.decode()
    assert body.index('class="crisis') < body.index('id="screener"')
    assert f'action="/outcomes/risk/{alert.pk}/"' in body and 'name="cssrs-1"' in body


def test_a_high_level_makes_the_panel_stronger_and_reaches_the_therapist(submitted, clients):
    _response, alert = submitted
    high = answers(q1=1, q2=1, q3=1, q4=1, q5=0, q6=0)
    response = clients["patient"].post(f"/outcomes/risk/{alert.pk}/", high)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="crisis urgent"' in body and "Please get help now: call 9-8-8 or 911" in body
    assert 'id="screener-done"' in body
    alert.refresh_from_db()
    assert alert.triage_level == "high" and alert.screener.answers == high
    page = clients["therapist"].get("/outcomes/alerts/").content.decode()
    assert "Screener: High risk" in page
    dashboard = clients["therapist"].get("/therapist/").content.decode()
    assert "High risk" in dashboard
    # Answered once: a second post changes nothing.
    clients["patient"].post(f"/outcomes/risk/{alert.pk}/", answers())
    alert.refresh_from_db()
    assert (
        alert.triage_level == "high" and QuestionnaireResponse.objects.filter(questionnaire="cssrs-screen").count() == 1
    )


def test_a_low_level_keeps_the_panel(submitted, clients):
    _response, alert = submitted
    body = clients["patient"].post(f"/outcomes/risk/{alert.pk}/", answers(q1=1)).content.decode()
    assert 'class="crisis"' in body and "Call or text 9-8-8" in body and "urgent" not in body
    assert RiskAlert.objects.get(pk=alert.pk).triage_level == "low"


@pytest.mark.parametrize(
    "payload",
    [
        answers(q2=1),
        {**answers(), "cssrs-1": 2},
        {**answers(), "44260-8": 1},
        {"cssrs-1": "1\x00"},
        answers(q2=0, q3=1),
        {},
    ],
)
def test_bad_screener_answers_are_refused_and_nothing_is_stored(submitted, clients, payload):
    _response, alert = submitted
    response = clients["patient"].post(f"/outcomes/risk/{alert.pk}/", payload)
    assert response.status_code == 400
    if not any("\x00" in str(v) for v in payload.values()):  # a NUL byte is refused before the view
        assert 'class="crisis' in response.content.decode()
    alert.refresh_from_db()
    assert alert.triage_level == "" and alert.screener_id is None
    assert not QuestionnaireResponse.objects.filter(questionnaire="cssrs-screen").exists()


def test_only_the_patient_answers_their_own_screener(submitted, clients, personas):
    _response, alert = submitted
    for who in ("stranger", "therapist", "admin"):
        assert clients[who].post(f"/outcomes/risk/{alert.pk}/", answers(q1=1)).status_code == 404
        assert clients[who].get(f"/outcomes/risk/{alert.pk}/").status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        services.submit_screener(actor=personas.stranger, alert_id=alert.pk, answers=list(answers().items()))
    assert RiskAlert.objects.get(pk=alert.pk).screener_id is None


def test_a_high_level_rings_the_dashboard_as_urgent_without_health_data(
    submitted, clients, monkeypatch, personas, django_capture_on_commit_callbacks
):
    from channels.layers import get_channel_layer

    _response, alert = submitted
    sent = []

    async def recording(group, message):
        sent.append((group, dict(message)))

    monkeypatch.setattr(get_channel_layer(), "group_send", recording)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_screener(
            actor=personas.patient, alert_id=alert.pk, answers=list(answers(q1=1, q2=1, q3=0, q4=0, q5=1).items())
        )
    assert sent == [(f"therapist-{personas.therapist.pk}", {"type": "alert.raised", "level": "high", "urgent": True})]
