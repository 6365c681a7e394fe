"""The dashboard's risk banner: every open alert's level in words and in colour (low, moderate,
high, possible risk in text, not screened yet), role="alert", after a reload and live (the
doorbell carries the level's key and nothing else)."""

from __future__ import annotations

import json
import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from modules.outcomes import services
from modules.outcomes.models import RiskAlert
from paceway.accounts.models import TherapistProfile
from paceway.asgi import application

from .helpers import weekly, with_item9


def _raise(patient, level: str = "") -> RiskAlert:
    alert = services.submit_response(
        actor=patient, patient=patient, questionnaire="weekly-check-in", answers=list(with_item9(weekly(), 1).items())
    ).alert
    if level:
        RiskAlert.objects.filter(pk=alert.pk).update(triage_level=level)
    return alert


def _banner(html: str) -> list[tuple[str, str]]:
    block = re.search(
        r'<div class="risk-alert" id="live-alert-region" role="alert"(?: hidden)?>\s*'
        r'<ul class="risk-levels" id="live-alert">(.*?)</ul>',
        html,
        re.S,
    )
    assert block, html[:2000]
    return re.findall(
        r'<li class="level-(\w+)" data-level="\w+"><a href="/outcomes/alerts/">([^<]*)</a></li>', block.group(1)
    )


def test_it_shows_the_level_of_every_open_alert_after_a_reload(clients, personas):
    patient = personas.patient
    _raise(patient, "low")
    _raise(patient, "high")
    _raise(patient, "moderate")
    _raise(patient)  # not screened yet
    services.screen_free_text(patient, "message", ["I want to end my life"])
    for page in ("/therapist/", "/outcomes/alerts/"):
        html = clients["therapist"].get(page).content.decode()
        assert _banner(html) == [
            ("high", "HIGH risk: a risk alert needs your attention"),
            ("moderate", "Moderate risk: a risk alert needs your attention"),
            ("low", "Low risk: a risk alert needs your attention"),
            ("unscreened", "Risk answer, follow-up screen not answered yet: a risk alert needs your attention"),
            ("text", "Possible risk in text: a risk alert needs your attention"),
        ], page
        assert patient.display_name not in re.search(r'id="live-alert".*?</ul>', html, re.S).group(0)


def test_the_levels_have_their_own_colours():
    css = (settings.BASE_DIR / "platform" / "paceway" / "static" / "css" / "paceway.css").read_text()
    colours = {
        level: re.search(rf"#live-alert li\.level-{level} \{{ background:(#[0-9a-f]+)", css).group(1)
        for level in ("high", "moderate", "low", "unscreened", "text")
    }
    assert len(set(colours.values())) == 5, colours


def test_no_open_alert_no_visible_banner_and_others_patients_are_not_counted(clients, personas):
    html = clients["therapist"].get("/therapist/").content.decode()
    assert _banner(html) == [] and 'role="alert" hidden>' in html
    _raise(personas.stranger, "high")  # no therapist: the fallback queue, not this therapist's
    html = clients["unassigned_therapist"].get("/therapist/").content.decode()
    assert _banner(html) == []  # not a lead: not told
    assert _banner(clients["therapist"].get("/therapist/").content.decode()) == []


def test_a_clinical_lead_sees_the_fallback_queue_levels(clients, personas):
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    _raise(personas.stranger, "moderate")
    html = clients["unassigned_therapist"].get("/therapist/").content.decode()
    assert [level for level, _text in _banner(html)] == ["moderate"]


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db(transaction=True)
def test_it_rings_live_with_each_level(personas):
    key = _session_key(personas.therapist)
    headers = [
        (b"host", b"testserver"),
        (b"origin", b"http://testserver"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
    ]

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/alerts/", headers=headers)
        assert (await comm.connect(timeout=3))[0]
        alert = await database_sync_to_async(_raise)(personas.patient)
        assert json.loads(await comm.receive_from(timeout=3)) == {"type": "alert", "level": "unscreened"}
        await database_sync_to_async(services.submit_screener)(
            actor=personas.patient,
            alert_id=alert.pk,
            answers=[("cssrs-1", 1), ("cssrs-2", 0), ("cssrs-6", 0)],
        )
        assert json.loads(await comm.receive_from(timeout=3)) == {"type": "alert", "level": "low"}
        await database_sync_to_async(services.screen_free_text)(personas.patient, "diary", ["I want to kill myself"])
        assert json.loads(await comm.receive_from(timeout=3)) == {"type": "alert", "level": "text"}
        await comm.disconnect()

    async_to_sync(scenario)()
