"""Every page a patient, their therapist, an administrator or a visitor can reach, in French: no
visible English. Pages are found by following links from each person's start page; the URL
configuration says which routes must have been reached, so a new page cannot be forgotten."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.foundation.test_route_inventory import PARAM, _routes

from .conftest import french_client, strip_marked
from .corpus import is_authored, is_content, pieces, strip_content
from .crawl import Page, walk
from .english import english_in, is_code, visible_strings

PERSONAS = {
    "visitor": (None, ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]),
    "new_patient": ("new_patient", ["/"]),
    "patient": ("patient", ["/"]),
    "patient_in_week_1": ("patient2", ["/"]),
    "patient_waiting": ("patient3", ["/"]),
    "therapist": ("therapist", ["/"]),
    "clinical_lead": ("therapist2", ["/"]),
    "administrator": ("admin", ["/", "/admin/"]),
    "privacy_officer": ("privacy", ["/", "/record/audit-report/", "/admin/"]),
}


def _names(demo: dict[str, Any]) -> set[str]:
    """People's names are not English (or French): they are left out of the check."""
    users = type(demo["admin"]).objects.all()
    return {user.name for user in users} | {user.email for user in users}


@pytest.fixture
def demo(demo: dict[str, Any]) -> dict[str, Any]:
    """The demo world plus a patient who has just signed up (intake not yet answered)."""
    from tests.conftest import make_user

    return {**demo, "new_patient": make_user("new@example.org", "patient", name="Noa New")}


def _pages(demo: dict[str, Any], persona: str) -> list[Page]:
    key, starts = PERSONAS[persona]
    client = french_client(demo[key] if key else None)
    return [page for page in walk(client, starts) if page.html]


def _leaks(page: Page, allowed: set[str], *, pseudo: bool, content: bool = False) -> list[str]:
    """English strings of the interface (or, with ``content``, of the program and questionnaires).
    A shown string is cut where the page joins several things; what people wrote is left out."""
    found = []
    admin = page.url.startswith("/admin/")
    for shown in visible_strings(page.html):
        text = " ".join(strip_marked(shown).split()) if pseudo else shown
        if is_code(text, admin=admin):
            continue
        kept = [p for p in pieces(text) if not is_authored(p) and is_content(p) == content]
        if not content:  # titles inside the interface's sentences ("Semaine 1 : <title>")
            kept = [left for left in (" ".join(strip_content(p).split()) for p in kept) if left]
        if kept:
            found.append(" · ".join(kept))
    return english_in(found, allowed=allowed, admin=admin)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_marks_every_visible_string_for_translation(persona, demo, pseudo_french):
    """Pseudo-French: every translated string comes out wrapped, so what is left is unmarked."""
    allowed = _names(demo)
    pages = _pages(demo, persona)
    broken = [page.url for page in pages if page.status >= 500]
    assert not broken, broken
    _reached[persona] = set().union(*(page.routes for page in pages))
    found = {page.url: _leaks(page, allowed, pseudo=True) for page in pages}
    leaks = {url: strings for url, strings in found.items() if strings}
    assert not leaks, "\n".join(f"{url}: {strings}" for url, strings in leaks.items())


# Routes that are not pages a person reads, each with its reason. The others must be reached by
# the walk above, or answer a direct visit with a page that passes the same check, or refuse GET
# (405: an action behind a form's POST), or answer with a file (JSON, CSV).
NOT_PAGES = (
    r"^api/",  # the JSON API
    r"^i18n/",  # the language switch (POST) and the JavaScript catalogue
    r"^(healthz|readyz|metrics)$",  # probes
    r"^static/",
    r"^accounts/logout/",  # POST
    r"^admin/(django_celery_beat|mfa|auth|account)/",  # third-party admin no clinician works in
    r"^admin/\^\(\?P<app_label>",  # an app's admin index (same template as the admin index)
    r"^admin/\(\?P<url>",  # the admin's catch-all (a redirect)
    r"^admin/(r|autocomplete|jsi18n|login|logout)/",  # redirects, JSON, script; login is allauth's
    r"^admin/.+/<path:object_id>/$",  # redirects to .../change/
    r"^admin/.+/<path:object_id>/(delete|history)/$",  # Django's own pages around an object
    r"^accounts/\^confirm-email/",  # a signed link from an e-mail (its page is the same as below)
    r"^accounts/\^password/reset/key/",  # a signed link from an e-mail
    r"^accounts/login/code/confirm/",  # login by code is turned off
    r"^accounts/2fa/recovery-codes/download/",  # a text file
    r"^accounts/inactive/",  # shown only to a deactivated account mid-login
    r"^accounts/2fa/authenticate/",  # the code step of signing in (the browser journey passes it)
    r"^accounts/password/set/",  # only for an account without a password (none here)
    r"\.(json|csv)$",  # files
)
PROBE_PERSONAS = (
    "visitor",
    "patient",
    "patient_in_week_1",
    "therapist",
    "administrator",
    "privacy_officer",
    "new_patient",
)


def _probe_values(demo: dict[str, Any]) -> dict[str, str]:
    """Real objects for the routes' parameters (those the demo data has none of are made here)."""
    from modules.outcomes.models import RiskAlert
    from modules.record import services as record_services
    from paceway.accounts import services as account_services

    admin, patient = demo["admin"], demo["patient"]
    _invitation, token = account_services.invite(actor=admin, email="invited@example.org", role="therapist")
    account_services.reset_mfa(actor=admin, user=demo["therapist2"], reason="Lost phone, checked by phone call")
    access = account_services.open_break_glass(
        actor=admin, patient_id=patient.pk, reason="The care team is away and the patient asked for help"
    )
    correction = record_services.request_correction(
        actor=patient, patient=patient, item="Mon journal de lundi dernier", correction="C'était 4, pas 7"
    )
    from modules.outcomes.models import QuestionnaireResponse

    alert = RiskAlert.objects.order_by("pk").first()
    response = QuestionnaireResponse.objects.filter(patient=patient).order_by("pk").first()
    return {
        "response_id": str(response.pk if response else 1),  # real ids: PostgreSQL does not restart them
        "patient_id": str(patient.pk),
        "token": token,
        "access_id": str(access.pk),
        "request_id": str(correction.pk),
        "alert_id": str(alert.pk if alert else 1),
    }


def _probe_url(route: str, values: dict[str, str]) -> str:
    admin_object = re.match(r"^admin/(\w+)/(\w+)/<path:object_id>/", route)
    if admin_object:
        from django.apps import apps

        first = apps.get_model(*admin_object.groups()).objects.order_by("pk").first()
        route = route.replace("<path:object_id>", str(first.pk if first else 1))
    return "/" + PARAM.sub(lambda m: values.get(m.group("name"), "1"), route)


_reached: dict[str, set[str]] = {}


def _reached_routes(demo: dict[str, Any]) -> set[str]:
    for persona in PERSONAS:
        if persona not in _reached:
            _reached[persona] = set().union(*(page.routes for page in _pages(demo, persona)))
    return set().union(*_reached.values())


def test_it_reaches_every_page_of_the_url_configuration(demo, pseudo_french):
    """Routes the walk did not reach are visited directly by each persona; a page found that way
    is checked too. What is left must be listed in NOT_PAGES with its reason."""
    reached = _reached_routes(demo)
    allowed = _names(demo)
    unreached = sorted(
        route
        for route in {r.lstrip("^") for r in _routes()}
        if route not in reached and not any(re.search(p, route) for p in NOT_PAGES)
    )
    values = _probe_values(demo)
    missing, leaks = [], {}
    clients = {
        persona: french_client(demo[PERSONAS[persona][0]] if PERSONAS[persona][0] else None)
        for persona in PROBE_PERSONAS
    }
    for route in unreached:
        url = _probe_url(route, values)
        answers = []
        for client in clients.values():
            response = client.get(url)
            assert response.status_code < 500, url
            content_type = response.get("Content-Type", "")
            answers.append(response.status_code)
            if response.status_code == 405 or (response.status_code == 200 and "html" not in content_type):
                break  # an action behind a POST, or a file
            if response.status_code == 403 and client is clients["administrator"] and route.startswith("admin/"):
                break  # an admin page nobody may open (adding audit events, accounts made by invitation)
            if response.status_code == 302 and client is clients["administrator"] and route.startswith("admin/"):
                assert "/login/" not in response["Location"], url
                break  # a versioned record's change page sends to "add a new version"
            if response.status_code == 200:
                page = Page(url, route, {route}, 200, response.content.decode(), content_type)
                assert response.status_code < 500, url
                if found := _leaks(page, allowed, pseudo=True):
                    leaks[url] = found
                break
        else:
            missing.append(f"{route} ({url}: {answers})")
    assert not leaks, "\n".join(f"{url}: {strings}" for url, strings in leaks.items())
    assert not missing, "Not reached (add a link, a start page, or a NOT_PAGES reason):\n" + "\n".join(missing)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_no_english_on_any_page_in_french(persona, demo):
    """The real catalogue: the interface's strings are all translated (program content and
    questionnaire items are checked below, they come as French files)."""
    allowed = _names(demo)
    found = {page.url: _leaks(page, allowed, pseudo=False) for page in _pages(demo, persona)}
    leaks = {url: strings for url, strings in found.items() if strings}
    assert not leaks, "\n".join(f"{url}: {strings}" for url, strings in leaks.items())


def _french_content_exists() -> bool:
    from .corpus import CONTENT

    return any(CONTENT.rglob("*.fr*.md")) or any(p.name.startswith("fr") for p in CONTENT.rglob("*") if p.is_dir())


@pytest.mark.xfail(
    not _french_content_exists(),
    reason="the program content and questionnaires in French arrive from frc1/frc2",
    strict=False,
)
@pytest.mark.parametrize("persona", ["patient", "therapist"])
def test_it_shows_the_program_and_questionnaires_in_french(persona, demo):
    allowed = _names(demo)
    found = {page.url: _leaks(page, allowed, pseudo=False, content=True) for page in _pages(demo, persona)}
    leaks = {url: strings for url, strings in found.items() if strings}
    assert not leaks, "\n".join(f"{url}: {strings[:5]}" for url, strings in leaks.items())
