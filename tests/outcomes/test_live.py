"""The live doorbell on the therapist's dashboard: ws/alerts/ and the push made after an alert."""

from __future__ import annotations

import json
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from modules.outcomes import services
from modules.outcomes.models import RiskAlert
from paceway import doorbell
from paceway.asgi import application

from .helpers import weekly, with_item9


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _socket(session_key: str | None = None) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(application, "/ws/alerts/", headers=headers)


def _raise_alert(patient) -> None:
    services.submit_response(
        actor=patient,
        patient=patient,
        questionnaire="weekly-check-in",
        answers=list(with_item9(weekly(), 2).items()),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["anonymous", "patient", "stranger", "admin"])
def test_it_refuses_anyone_but_a_therapist(personas, who):
    key = None if who == "anonymous" else _session_key(getattr(personas, who))

    async def scenario():
        comm = _socket(key)
        connected, _ = await comm.connect(timeout=3)
        assert not connected
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_therapist_without_mfa(personas):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=personas.therapist).delete()
    key = _session_key(personas.therapist)

    async def scenario():
        comm = _socket(key)
        connected, _ = await comm.connect(timeout=3)
        assert not connected
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_the_therapist_hears_the_doorbell_and_another_therapist_does_not(personas):
    mine, other = _session_key(personas.therapist), _session_key(personas.unassigned_therapist)

    async def scenario():
        therapist, stranger = _socket(mine), _socket(other)
        assert (await therapist.connect(timeout=3))[0]
        assert (await stranger.connect(timeout=3))[0]
        await database_sync_to_async(_raise_alert)(personas.patient)
        frame = json.loads(await therapist.receive_from(timeout=3))
        assert frame == {"type": "alert", "level": "unscreened"}  # the level's key only: no id, no name, no score
        assert await stranger.receive_nothing(timeout=0.3)
        assert await therapist.receive_nothing(timeout=0.1)  # exactly one doorbell
        await therapist.disconnect()
        await stranger.disconnect()

    async_to_sync(scenario)()
    assert RiskAlert.objects.filter(patient=personas.patient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_alert_off_the_caseload_rings_nobody_here(personas):
    key = _session_key(personas.therapist)

    async def scenario():
        comm = _socket(key)
        assert (await comm.connect(timeout=3))[0]
        await database_sync_to_async(_raise_alert)(personas.stranger)  # no therapist: fallback queue
        assert await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_the_push_carries_no_health_data(personas, monkeypatch, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    sent: list[tuple[str, dict]] = []

    async def recording(group, message):
        sent.append((group, dict(message)))

    monkeypatch.setattr(layer, "group_send", recording)
    with django_capture_on_commit_callbacks(execute=True):
        _raise_alert(personas.patient)
    assert sent == [(f"therapist-{personas.therapist.pk}", {"type": "alert.raised", "level": "unscreened"})]


def test_a_channel_layer_that_is_down_does_not_affect_saving(
    personas, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()

    async def broken(group, message):
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(layer, "group_send", broken)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        _raise_alert(personas.patient)
    assert RiskAlert.objects.filter(patient=personas.patient, status="open").count() == 1
    assert "doorbell" in caplog.text and "ConnectionRefusedError" in caplog.text
    assert personas.patient.email not in caplog.text
    assert doorbell.alert_raised([personas.therapist.pk]) is False  # never raises


def test_the_dashboard_loads_the_script_without_inline_code(clients):
    html = clients["therapist"].get("/therapist/").content.decode()
    assert "outcomes/alerts-live.js" in html
    assert 'data-level-high="HIGH risk: a risk alert needs your attention"' in html
    assert 'data-level-text="Possible risk in text: a risk alert needs your attention"' in html
    assert "<script>" not in html


@pytest.mark.django_db(transaction=True)
def test_it_closes_on_logout_of_that_session_only(personas):
    client = Client()
    client.force_login(personas.therapist)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    other_key = _session_key(personas.therapist)

    async def scenario():
        comm, other = _socket(key), _socket(other_key)
        assert (await comm.connect(timeout=3))[0]
        assert (await other.connect(timeout=3))[0]
        await database_sync_to_async(client.logout)()
        assert (await comm.receive_output(timeout=1))["code"] == 4401
        assert await other.receive_nothing(timeout=0.2)
        await other.disconnect()

    async_to_sync(scenario)()
