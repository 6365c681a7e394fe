"""MFA is required for therapists and administrators before any health data is served."""

import uuid

from allauth.mfa.models import Authenticator

from tests.conftest import TOTP_SECRET, client_for, make_therapist, make_user


def test_a_therapist_without_mfa_is_sent_to_set_it_up(personas):
    therapist = make_therapist("nomfa@example.org", admin=personas.admin, mfa=False)
    client = client_for(therapist)
    response = client.get("/therapist/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate" in response["Location"]
    assert client.get("/api/v1/me").status_code == 403


def test_an_administrator_without_mfa_cannot_open_the_admin(db):
    admin = make_user("nomfa-admin@example.org", "administrator", mfa=False)
    response = client_for(admin).get("/admin/")
    assert response.status_code == 302 and "2fa" in response["Location"]


def test_a_therapist_with_mfa_gets_in(clients):
    assert clients["therapist"].get("/therapist/").status_code == 200


def test_patients_do_not_need_mfa(clients):
    assert clients["patient"].get("/api/v1/me").status_code == 200


def test_totp_secrets_are_not_stored_in_plaintext(personas):
    stored = Authenticator.objects.get(user=personas.therapist, type="totp").data["secret"]
    assert TOTP_SECRET not in stored
    assert stored.startswith("kr1:")


def test_a_totp_code_works_once(personas, settings):
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

    # allauth remembers used codes in the cache by user id and code: an earlier test in the same
    # 30 s period, with the same user id (SQLite reuses ids), must not have "used" this one already.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"totp-{uuid.uuid4()}"}
    }
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(TOTP_SECRET, counter))
    totp = TOTP(Authenticator.objects.get(user=personas.therapist, type="totp"))
    assert totp.validate_code(code)
    assert not totp.validate_code(code)


def test_the_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
