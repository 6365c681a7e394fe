"""Every route: anonymous redirected to log in; stranger, unassigned therapist and admin refused."""

from __future__ import annotations

import pytest

from modules.outcomes import services

from .helpers import weekly, with_item9


@pytest.fixture
def data(personas):
    p = personas.patient
    submission = services.submit_response(
        actor=p, patient=p, questionnaire="weekly-check-in", answers=list(with_item9(weekly(phq=2), 2).items())
    )
    return {"response": submission.response.pk, "alert": submission.alert.pk, "patient": p.pk}


def routes(d):
    return [
        # A patient's own pages: every patient gets their own (the stranger their own, empty record).
        ("get", "/outcomes/", {"patient", "stranger"}),
        ("get", "/outcomes/q/weekly-check-in/", {"patient", "stranger"}),
        ("get", "/outcomes/q/phq-9/", {"patient", "stranger"}),
        ("get", f"/outcomes/responses/{d['response']}/amend/", {"patient"}),
        ("get", "/outcomes/export.json", {"patient", "stranger"}),
        ("get", f"/outcomes/patients/{d['patient']}/", {"therapist"}),
        ("get", "/outcomes/alerts/", {"therapist", "unassigned_therapist", "admin"}),
        ("post", f"/outcomes/alerts/{d['alert']}/acknowledge/", {"therapist"}),
        ("post", f"/outcomes/alerts/{d['alert']}/resolve/", {"therapist"}),
        ("get", f"/outcomes/alerts/{d['alert']}/", {"therapist"}),
        ("get", f"/outcomes/alerts/{d['alert']}/handover/", {"therapist"}),
        ("post", f"/outcomes/alerts/{d['alert']}/attempts/", {"therapist"}),
        ("post", f"/outcomes/alerts/{d['alert']}/follow-up/", {"therapist"}),
        ("get", "/outcomes/contact/", {"patient", "stranger"}),
        ("get", "/outcomes/evaluation/", {"admin"}),
        ("get", "/outcomes/evaluation.csv", {"admin"}),
    ]


def test_anonymous_is_sent_to_log_in(clients, data):
    for method, url, _allowed in routes(data):
        response = getattr(clients["anonymous"], method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_clinical_routes_refuse_stranger_unassigned_therapist_and_admin(clients, data):
    clinical = [
        r
        for r in routes(data)
        if r[1] not in ("/outcomes/alerts/", "/outcomes/evaluation/", "/outcomes/evaluation.csv")
    ]
    for method, url, allowed in clinical:
        for name in ("stranger", "unassigned_therapist", "admin", "patient", "therapist"):
            if name in allowed:
                continue
            payload = (
                {"note": "x", "method": "phone", "reached": "yes", "risk_level": "low"} if method == "post" else None
            )
            response = getattr(clients[name], method)(url, payload)
            assert response.status_code == 404, (name, url, response.status_code)


def test_allowed_personas_get_their_pages(clients, data):
    for method, url, allowed in routes(data):
        if method != "get":
            continue
        for name in allowed:
            assert clients[name].get(url).status_code == 200, (name, url)


def test_a_stranger_sees_only_their_own_record(clients, data, personas):
    page = clients["stranger"].get("/outcomes/").content.decode()
    assert "No questionnaires answered yet" in page
    export = clients["stranger"].get("/outcomes/export.json").json()
    assert not [e for e in export["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    alerts = clients["unassigned_therapist"].get("/outcomes/alerts/").content.decode()
    assert personas.patient.name not in alerts
    assert "Pat One" not in clients["admin"].get("/outcomes/alerts/").content.decode()  # assigned: not in fallback


def test_unknown_questionnaire_is_404(clients, data):
    assert clients["patient"].get("/outcomes/q/bpi/").status_code == 404
