"""Bad input found by an outside probe: a clear 400, nothing changed, never a 500.

Deeply nested or oversized JSON to the API, and a NUL character anywhere in a request (a form
field, a JSON string or key, the query string): PostgreSQL cannot store NUL in text and SQLite
would keep it, so it is refused at the edge on both. The same holes are tested through a real
Daphne in ``test_probe_live.py``.
"""

from __future__ import annotations

import json

import pytest

from messaging.models import Message
from modules.outcomes import services as outcomes
from modules.outcomes.models import QuestionnaireResponse
from tests.outcomes.helpers import weekly


def _messages_url(personas) -> str:
    return f"/api/v1/conversations/{personas.patient.pk}/messages"


def _post_json(client, url: str, body: str):
    client.raise_request_exception = False
    return client.post(url, body, content_type="application/json")


def test_it_answers_100000_levels_of_nesting_with_400(clients, personas):
    response = _post_json(clients["patient"], _messages_url(personas), "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Message.objects.exists()


def test_it_answers_nesting_under_the_recursion_limit_but_over_the_depth_limit_with_400(clients, personas):
    body = {"client_id": "a", "body": "hi", "x": json.loads("[" * 200 + "]" * 200)}
    response = _post_json(clients["patient"], _messages_url(personas), json.dumps(body))
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_answers_an_oversized_body_with_400(clients, personas, settings):
    body = json.dumps({"client_id": "a", "body": "hi", "pad": "x" * settings.API_MAX_JSON_BYTES})
    response = _post_json(clients["patient"], _messages_url(personas), body)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_ordinary_json_still_works(clients, personas):
    body = json.dumps({"client_id": "a", "body": "hello \u00e9\u00e8 \U0001f600"})
    response = _post_json(clients["patient"], _messages_url(personas), body)
    assert response.status_code == 201, response.content
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"client_id": "a", "body": "x\\u0000y"}',
        '{"client_id\\u0000": "a", "client_id": "a", "body": "hi"}',
        '{"client_id": "a", "body": "hi", "extra": ["\\u0000"]}',
    ],
)
def test_it_refuses_a_nul_anywhere_in_json_with_400(clients, personas, body):
    response = _post_json(clients["patient"], _messages_url(personas), body)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_refuses_a_nul_in_a_form_field_with_400_and_stores_nothing(clients, personas):
    submission = outcomes.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=list(weekly(1).items()),
    )
    client = clients["patient"]
    client.raise_request_exception = False
    form = {code: "0" for code in weekly(0)} | {"reason": "a typo\x00"}
    response = client.post(f"/outcomes/responses/{submission.response.pk}/amend/", form)
    assert response.status_code == 400
    assert "null character" in response.content.decode()
    assert QuestionnaireResponse.objects.filter(patient=personas.patient).count() == 1


def test_it_refuses_a_nul_in_the_query_string_with_400(clients):
    client = clients["patient"]
    client.raise_request_exception = False
    response = client.get("/program/?q=a%00b")
    assert response.status_code == 400


def test_it_refuses_a_nul_in_the_path_with_400(clients):
    client = clients["patient"]
    client.raise_request_exception = False
    response = client.get("/program/a%00b/")
    assert response.status_code == 400


def test_the_api_answers_a_nul_in_json(clients, personas):
    client = clients["patient"]
    client.raise_request_exception = False
    response = client.get(f"{_messages_url(personas)}?after_seq=%00")
    assert response.status_code == 400
    assert "detail" in response.json()
