"""Deny by default: every route refuses anonymous visitors and people with no claim on the data.

Walks the whole URL configuration, so a new route is covered the moment it is added. Public
routes must be listed here on purpose.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = (
    r"^$",
    r"^healthz$",
    r"^readyz$",
    r"^accounts/",
    r"^i18n/",
    r"^static/",
    r"^admin/",  # the admin has its own staff check and goes through allauth's login
)
ADMIN_MAY = ("enrol/", "history/")  # account and assignment actions, not clinical content
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _fill(route: str, patient_id: int) -> str:
    def value(match: re.Match[str]) -> str:
        name, conv = match.group("name"), match.group("conv") or "str"
        if conv == "int":
            return str(patient_id) if "patient" in name else "1"
        return "x"

    return "/" + PARAM.sub(value, route).lstrip("^").rstrip("$").replace("\\Z", "")


def _protected_routes():
    return sorted({r for r in _routes() if not any(re.search(p, r.lstrip("^")) for p in PUBLIC)})


def test_there_are_routes_to_check():
    assert len(_protected_routes()) > 20


@pytest.mark.parametrize("route", _protected_routes())
def test_anonymous_visitors_are_refused(route, clients, personas):
    client = clients["anonymous"]
    client.raise_request_exception = False
    url = _fill(route, personas.patient.pk)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (302, 401, 403, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("route", [r for r in _protected_routes() if "patient_id" in r])
@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin"])
def test_people_with_no_claim_on_a_patient_are_refused(route, who, clients, personas):
    if who == "admin" and route.endswith(ADMIN_MAY):
        pytest.skip("administrators enrol patients (an account action, not clinical content)")
    client = clients[who]
    client.raise_request_exception = False
    url = _fill(route, personas.patient.pk)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (302, 400, 403, 404, 405), (who, url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"] or "/2fa/" in response["Location"], (who, url)
