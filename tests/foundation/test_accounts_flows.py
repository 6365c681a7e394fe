"""Sign-up, invitations, the API's refusals and readiness."""

from datetime import timedelta
from unittest import mock

import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from paceway.accounts.models import User
from paceway.accounts.services import invite
from tests.conftest import PASSWORD


def test_patients_sign_up_as_patients_whatever_they_post(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "New",
            "email": "new@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": "administrator",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert (user.role, user.is_staff, user.is_superuser) == ("patient", False, False)
    assert len(mail.outbox) == 1  # e-mail verification


def test_short_and_common_passwords_are_refused(client, db):
    for password in ("short1", "password123"):
        client.post(
            "/accounts/signup/",
            {"display_name": "X", "email": "x@example.org", "password1": password, "password2": password},
        )
    assert not User.objects.filter(email="x@example.org").exists()
    long = "a-very-long-passphrase-" * 4
    client.post(
        "/accounts/signup/", {"display_name": "X", "email": "x@example.org", "password1": long, "password2": long}
    )
    assert User.objects.get(email="x@example.org").check_password(long)


def test_an_invitation_works_once(client, personas):
    _, token = invite(actor=personas.admin, email="newtherapist@example.org", role="therapist")
    url = f"/accounts/invitation/{token}/"
    form = {"display_name": "Dr. New", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(url, form).status_code == 302
    user = User.objects.get(email="newtherapist@example.org")
    assert user.role == "therapist" and hasattr(user, "therapist_profile")
    assert client.post(url, form).status_code == 404


def test_an_invitation_expires(client, personas):
    _, token = invite(actor=personas.admin, email="late@example.org", role="administrator")
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert client.get(f"/accounts/invitation/{token}/").status_code == 404


def test_only_administrators_invite(personas):
    import pytest

    with pytest.raises(PermissionDenied):
        invite(actor=personas.therapist, email="x@example.org", role="therapist")


def test_the_assignment_api_refuses_everyone_but_administrators(clients, personas):
    for name in ("anonymous", "patient", "stranger", "therapist", "unassigned_therapist"):
        assert clients[name].get("/api/v1/assignments").status_code in (401, 403), name
    response = clients["admin"].post(
        "/api/v1/assignments", {"patient": personas.stranger.pk, "therapist": personas.unassigned_therapist.pk}
    )
    assert response.status_code == 201
    response = clients["admin"].post(
        "/api/v1/assignments", {"patient": personas.stranger.pk, "therapist": personas.unassigned_therapist.pk}
    )
    assert response.status_code == 400


def test_the_role_pages_refuse_other_roles(clients):
    assert clients["patient"].get("/therapist/").status_code == 404
    assert clients["therapist"].get("/therapist/console/").status_code == 404
    assert clients["stranger"].get("/therapist/console/").status_code == 404
    assert clients["admin"].get("/therapist/console/").status_code == 200
    assert clients["anonymous"].get("/therapist/").status_code in (302, 404)


def test_home_sends_each_role_to_their_start_page(clients):
    assert clients["patient"].get("/")["Location"] == "/program/"
    assert clients["therapist"].get("/")["Location"] == "/therapist/"
    assert clients["admin"].get("/")["Location"] == "/therapist/console/"
    assert clients["anonymous"].get("/").status_code == 200


def test_readiness_reports_each_service(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "cache", "channel_layer", "broker"}


def test_readiness_reports_a_service_that_is_down(client, db):
    from paceway.ops import checks

    def down():
        raise ConnectionError("cache is down")

    with mock.patch.dict(checks.CHECKS, {"cache": down}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down", "channel_layer": "ok", "broker": "ok"}


def test_readiness_through_fewer_proxies_than_trusted_names_the_variable(client, db, settings, caplog, monkeypatch):
    from paceway.audit import middleware

    monkeypatch.setattr(middleware, "_mismatch_logged", False)  # logged once per process
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2  # the operator says two proxies; Caddy alone is in front

    through_one = client.get("/readyz", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert through_one.status_code == 503
    assert "TRUSTED_PROXY_COUNT is 2" in through_one.json()["checks"]["proxy_count"]
    assert any("TRUSTED_PROXY_COUNT" in record.getMessage() for record in caplog.records)

    direct = client.get("/readyz")  # the orchestrator's own probe comes with no proxy: still ready
    assert direct.status_code == 200
    through_two = client.get("/readyz", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.2")
    assert through_two.status_code == 200
