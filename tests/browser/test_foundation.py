"""Issue 2: the demo patient, a therapist and the administrator log in at / in a browser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ADMIN, PATIENT, THERAPIST, chromium_missing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]


def test_it_logs_in_each_role_at_the_root_and_lands_on_their_start_page(login, shots):
    from playwright.sync_api import expect

    patient = login(PATIENT, fresh=True)
    assert urlsplit(patient.url).path == "/program/"
    expect(patient.locator("h1")).to_have_text("This week")
    expect(patient.get_by_role("navigation", name="Main")).to_contain_text("Your plan")
    patient.screenshot(path=str(shots / "patient-home.png"), full_page=True)

    therapist = login(THERAPIST, fresh=True)
    expect(therapist.locator("h1")).to_have_text("Your caseload")
    assert urlsplit(therapist.url).path == "/therapist/"
    expect(therapist.locator("#caseload")).to_contain_text("Pat Morgan")
    expect(therapist.locator("#caseload")).to_contain_text("Sam Okafor")
    therapist.screenshot(path=str(shots / "therapist-dashboard.png"), full_page=True)

    admin = login(ADMIN, fresh=True)
    assert urlsplit(admin.url).path == "/therapist/console/"
    expect(admin.locator("h1")).to_have_text("Assignment console")
    expect(admin.get_by_role("navigation", name="Main")).to_contain_text("Administration")

    for page in (patient, therapist, admin):
        assert page.errors == [] and page.dialogs == []
