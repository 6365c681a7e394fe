"""A person's language: offered from the browser at first visit, switchable anywhere, kept on the
account (and applied at sign-in), kept in a cookie for visitors."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.utils import translation

from paceway.accounts.language import language_of, supported_language
from paceway.accounts.models import User
from tests.conftest import PASSWORD


def test_it_offers_english_and_canadian_french():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr-ca"]
    assert dict(settings.LANGUAGES)["fr-ca"] == "Français"
    assert supported_language("fr") == supported_language("fr-CA") == "fr-ca"
    assert supported_language("de") is None


def test_it_shows_a_visitor_the_browser_language_at_first_visit(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5").get("/accounts/login/")
    assert response["Content-Language"] == "fr-ca"
    assert '<html lang="fr-ca">' in response.content.decode()
    assert "Se connecter" in response.content.decode() or "Connexion" in response.content.decode()


def test_it_remembers_a_visitor_choice_in_the_cookie(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/i18n/setlang/", {"language": "fr-ca", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr-ca"
    assert client.get("/accounts/login/")["Content-Language"] == "fr-ca"


def test_it_offers_the_switch_on_the_sign_in_and_sign_up_pages(db):
    for url in ("/accounts/login/", "/accounts/signup/"):
        page = Client().get(url).content.decode()
        assert 'action="/i18n/setlang/"' in page and 'value="fr-ca"' in page, url
        french = Client(HTTP_ACCEPT_LANGUAGE="fr-CA").get(url).content.decode()
        assert 'value="en"' in french, url


def test_it_keeps_a_signed_in_person_choice_on_their_account(clients, personas):
    response = clients["patient"].post("/i18n/setlang/", {"language": "fr-ca", "next": "/program/"})
    assert response.status_code == 302
    personas.patient.refresh_from_db()
    assert personas.patient.preferred_language == "fr-ca"
    # Another browser, English by default: the account's language wins once signed in.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(personas.patient)
    response = other.get("/program/")
    assert response["Content-Language"] == "fr-ca"
    assert other.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr-ca"


def test_it_applies_the_account_language_at_sign_in(personas):
    User.objects.filter(pk=personas.patient.pk).update(preferred_language="fr-ca")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"login": personas.patient.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr-ca"


def test_it_refuses_an_unknown_language_and_changes_nothing(clients, personas):
    clients["patient"].post("/i18n/setlang/", {"language": "xx", "next": "/program/"})
    personas.patient.refresh_from_db()
    assert personas.patient.preferred_language == "en"


def test_a_new_account_takes_the_language_it_was_made_in(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-CA")
    client.post(
        "/accounts/signup/",
        {"display_name": "Noa", "email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="new@example.org").preferred_language == "fr-ca"
    assert language_of(User(preferred_language="fr")) == "fr-ca"
    assert language_of(None) == "en"


def test_it_shows_french_times_the_canadian_way(db):
    from datetime import UTC, datetime

    from django.utils.formats import date_format

    with translation.override("fr-ca"):
        assert (
            date_format(datetime(2026, 12, 1, 14, 30, tzinfo=UTC), "DATETIME_FORMAT")
            == "1 décembre 2026, 14\xa0h\xa030"
        )
