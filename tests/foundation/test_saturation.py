"""Saturation answers 503 with Retry-After, never 500 (issue 15): an exhausted pool or a server
out of connection slots wherever it is met, and a request that waited too long for its turn."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import pytest
from asgiref.sync import async_to_sync
from django.db.utils import OperationalError
from django.test import AsyncClient
from psycopg_pool import PoolTimeout

from modules.outcomes import views as outcome_views
from modules.outcomes.models import QuestionnaireResponse, RiskAlert
from paceway.ops import saturation
from paceway.ops.saturation import RequestGate
from tests.outcomes.helpers import weekly, with_item9

URL = "/outcomes/q/weekly-check-in/"


def wrapped(cause: Exception) -> OperationalError:
    """A driver error as Django raises it (``wrap_database_errors``: the driver's error is the cause)."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


SATURATION = {
    "pool timeout": lambda: wrapped(PoolTimeout("couldn't get a connection after 5.00 sec")),
    "server out of slots": lambda: wrapped(Exception("connection failed: FATAL:  sorry, too many clients already")),
    "sqlite write lock": lambda: wrapped(sqlite3.OperationalError("database is locked")),
}


def assert_busy_page(response, settings) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.HTTP_RETRY_AFTER)
    body = response.content.decode()
    assert "Nothing was saved" in body and "9-8-8" in body and "911" in body


class NoConnection:
    def ensure_connection(self) -> None:
        raise SATURATION["pool timeout"]()


def test_it_answers_503_when_the_request_can_get_no_connection(clients, settings, monkeypatch):
    monkeypatch.setattr(saturation, "connection", NoConnection())
    response = clients["patient"].post(URL, with_item9(weekly(phq=1), 1))
    assert_busy_page(response, settings)
    assert response["Cache-Control"] == "no-store"
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.parametrize("kind", sorted(SATURATION))
def test_it_answers_503_when_the_database_is_saturated_inside_a_view(kind, clients, settings, monkeypatch):
    def saturated(**kwargs):
        raise SATURATION[kind]()

    monkeypatch.setattr(outcome_views.services, "submit_response", saturated)
    assert_busy_page(clients["patient"].post(URL, with_item9(weekly(phq=1), 1)), settings)


def test_it_answers_503_in_json_under_the_api(clients, personas, settings, monkeypatch):
    def saturated(patient):
        raise SATURATION["pool timeout"]()

    monkeypatch.setattr("modules.outcomes.reads.patient_bundle", saturated)
    response = clients["therapist"].get(f"/api/v1/patients/{personas.patient.pk}/fhir")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.HTTP_RETRY_AFTER)
    assert response.json()["retry_after"] == settings.HTTP_RETRY_AFTER and response.json()["detail"]


def test_it_answers_503_for_saturation_met_in_a_later_middleware(clients, settings, monkeypatch):
    def saturated(user):
        raise SATURATION["server out of slots"]()

    monkeypatch.setattr("paceway.accounts.middleware.role_of", saturated)
    client = clients["patient"]
    client.raise_request_exception = False
    assert_busy_page(client.get("/outcomes/"), settings)


def test_it_still_answers_500_for_a_fault(clients, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outcome_views.services, "submit_response", broken)
    client = clients["patient"]
    client.raise_request_exception = False
    response = client.post(URL, weekly())
    assert response.status_code == 500 and "Retry-After" not in response


def http_scope(path: str, **headers: str) -> dict:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


async def call(app, scope) -> tuple[int, dict[str, str], bytes]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    headers = {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


class Held:
    """An ASGI app that holds each request until released, and counts how many it holds at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.inside = 0
        self.most = 0

    async def __call__(self, scope, receive, send):
        self.inside += 1
        self.most = max(self.most, self.inside)
        await self.release.wait()
        self.inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def test_it_lets_a_request_over_the_limit_wait_its_turn_then_answers_503(settings):
    async def scenario():
        app = Held()
        gate = RequestGate(app, limit=1, queue_seconds=0.5)
        first = asyncio.ensure_future(call(gate, http_scope(URL)))
        while not app.inside:
            await asyncio.sleep(0.001)
        started = time.monotonic()
        refused = await call(gate, http_scope(URL, accept_language="fr"))
        waited = time.monotonic() - started
        api = await call(gate, http_scope("/api/v1/patients/1/fhir"))
        app.release.set()
        return await first, refused, waited, api

    first, (status, headers, body), waited, (api_status, api_headers, api_body) = async_to_sync(scenario)()
    assert first[0] == 200
    assert status == 503 and headers["retry-after"] == str(settings.HTTP_RETRY_AFTER) and waited >= 0.45
    assert b"9-8-8" in body and headers["content-type"].startswith("text/html")
    assert api_status == 503 and api_headers["retry-after"] == str(settings.HTTP_RETRY_AFTER)
    assert json.loads(api_body)["retry_after"] == settings.HTTP_RETRY_AFTER


def test_it_serves_waiting_requests_in_turn_and_never_more_than_the_limit():
    async def scenario():
        app = Held()
        gate = RequestGate(app, limit=2, queue_seconds=10)
        calls = [asyncio.ensure_future(call(gate, http_scope(URL))) for _ in range(6)]
        while app.inside < 2:
            await asyncio.sleep(0.001)
        for _ in range(20):  # let every waiting request try the gate again, without a clock
            await asyncio.sleep(0)
        app.release.set()
        return await asyncio.gather(*calls), app.most

    results, most = async_to_sync(scenario)()
    assert [status for status, _h, _b in results] == [200] * 6
    assert most == 2


def test_it_lets_static_files_and_the_liveness_probe_past_a_full_gate():
    async def scenario():
        app = Held()
        gate = RequestGate(app, limit=1, queue_seconds=0.2)
        held = asyncio.ensure_future(call(gate, http_scope(URL)))
        while not app.inside:
            await asyncio.sleep(0.001)
        passing = [
            asyncio.ensure_future(call(gate, http_scope(p)))
            for p in ("/static/outcomes/submit-fallback.js", "/healthz")
        ]
        async with asyncio.timeout(10):  # well past the queue time: refused ones would never get inside
            while app.inside < 3:
                await asyncio.sleep(0.001)
        inside = app.inside
        app.release.set()
        return inside, [r[0] for r in await asyncio.gather(held, *passing)]

    inside, statuses = async_to_sync(scenario)()
    assert inside == 3 and statuses == [200, 200, 200]


def test_it_puts_the_gate_around_django(settings):
    from paceway.asgi import application

    gate = application.application_mapping["http"]
    assert isinstance(gate, RequestGate) and gate.limit == settings.HTTP_CONCURRENCY > 0


@pytest.mark.django_db(transaction=True)
def test_it_serves_requests_in_turn_within_the_limit(personas, settings):
    settings.HTTP_CONCURRENCY = 2

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(personas.patient)
        return await asyncio.gather(*(client.post(URL, with_item9(weekly(phq=1), 1)) for _ in range(6)))

    responses = async_to_sync(scenario)()
    assert [r.status_code for r in responses] == [200] * 6
    assert all('class="crisis"' in r.content.decode() for r in responses)
    assert RiskAlert.objects.filter(patient=personas.patient).count() == 6
