"""Idle limits per role (15 minutes for clinicians, 30 for patients) and 12 hours absolute."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.conftest import client_for


def _at(start, **delta):
    return time_machine.travel(start + timedelta(**delta), tick=False)


def test_a_therapist_is_logged_out_after_15_idle_minutes(personas):
    start = timezone.now()
    with _at(start):
        client = client_for(personas.therapist)
        assert client.get("/api/v1/me").status_code == 200
    with _at(start, minutes=14):
        assert client.get("/api/v1/me").status_code == 200
    with _at(start, minutes=29, seconds=30):
        assert client.get("/api/v1/me").status_code == 401


def test_a_patient_may_be_idle_up_to_30_minutes(personas):
    start = timezone.now()
    with _at(start):
        client = client_for(personas.patient)
        client.get("/api/v1/me")
    with _at(start, minutes=25):
        assert client.get("/api/v1/me").status_code == 200
    with _at(start, minutes=56):
        response = client.get("/program/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sessions_end_after_12_hours_however_active(personas):
    start = timezone.now()
    with _at(start):
        client = client_for(personas.patient)
        client.get("/api/v1/me")
    for minutes in range(20, 12 * 60, 20):
        with _at(start, minutes=minutes):
            assert client.get("/api/v1/me").status_code == 200
    with _at(start, hours=12, minutes=5):
        assert client.get("/api/v1/me").status_code in (401, 403)
