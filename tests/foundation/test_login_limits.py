"""Login rate limits: they trip on repeated failures, ignore spoofed X-Forwarded-For headers,
and never lock a clinician out for good."""

from datetime import timedelta

import time_machine
from django.core.cache import cache
from django.utils import timezone

from tests.conftest import PASSWORD

LOCKED = "Too many failed login attempts"


def _login(client, email, password, ip="198.51.100.7"):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=ip
    )


def test_repeated_failures_trip_the_limit_whatever_the_forwarded_address(client, personas):
    cache.clear()
    pages = [
        _login(client, personas.therapist.email, "wrong-password", ip=f"10.0.0.{n}").content.decode() for n in range(7)
    ]
    assert LOCKED not in pages[0] and LOCKED in pages[-1]
    # Even the right password is refused while the limit holds.
    assert LOCKED in _login(client, personas.therapist.email, PASSWORD, ip="10.9.9.9").content.decode()


def test_the_lockout_cools_off(client, personas):
    cache.clear()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(7):
            _login(client, personas.therapist.email, "wrong-password")
        assert LOCKED in _login(client, personas.therapist.email, PASSWORD).content.decode()
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        response = _login(client, personas.therapist.email, PASSWORD)
        assert response.status_code == 302  # on to the second factor


def test_login_answers_the_same_for_known_and_unknown_addresses(client, personas):
    cache.clear()
    known = _login(client, personas.patient.email, "wrong-password").content.decode()
    unknown = _login(client, "nobody@example.org", "wrong-password").content.decode()
    assert "The email address and/or password you specified are not correct." in known
    assert "The email address and/or password you specified are not correct." in unknown


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, personas):
    cache.clear()
    known = client.post("/accounts/password/reset/", {"email": personas.patient.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
