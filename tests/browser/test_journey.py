"""Issue 11, judged by: the journey from sign-up to week 1 in the browser, with no question asked
twice. A newcomer signs up, fills in the intake (PHQ-9, GAD-7 and PEG are the baseline) and gives
consent; the clinical lead accepts and assigns from the intake; the patient's week 1 then asks none
of the intake's questions again (check-in, baseline, Progress)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DEMO_PASSWORD, THERAPIST2, chromium_missing
from tests.screening.helpers import GAD_CODES, PEG_CODES, PHQ_CODES, intake_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

BASELINE_CODES = set(PHQ_CODES + GAD_CODES + PEG_CODES)
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/accounts/confirm-email/[^\s\"<>]+/")
FIELD_KIND = "(e) => e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()"


def _fill(form: Any, data: dict[str, str]) -> None:
    """Answer a form by field name, whatever the widget (radio, checkbox, select, text)."""
    for name, value in data.items():
        field = form.locator(f'[name="{name}"]').first
        kind = field.evaluate(FIELD_KIND)
        if kind == "radio":
            form.locator(f'input[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            field.check()
        elif kind == "select":
            field.select_option(value)
        else:
            field.fill(value)


def _asked_codes(page: Any) -> set[str]:
    """The baseline questions this page asks (fields named by their LOINC code)."""
    names = page.evaluate("() => [...document.querySelectorAll('main form [name]')].map(e => e.name)")
    return BASELINE_CODES & set(names)


def _confirmation_link(server: Any, email: str, timeout: float = 30) -> str:
    """The newest e-mail confirmation link sent to this address, waited for with a deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log.read_text(errors="replace")
        at = log.rfind(f"To: {email}")
        found = CONFIRM_LINK.findall(log[at:]) if at >= 0 else []
        if found:
            return urlsplit(found[0].replace("=\n", "")).path
        time.sleep(0.2)
    raise AssertionError(f"no confirmation e-mail to {email} in the server log")


def test_it_takes_a_newcomer_from_sign_up_to_week_1_asking_nothing_twice(new_page, login, paceway_server):
    from playwright.sync_api import expect

    email = f"journey-{uuid.uuid4().hex[:8]}@example.org"
    patient = new_page()
    patient.goto("/accounts/signup/")
    signup = patient.locator("main form")
    signup.locator('[name="display_name"]').fill("Robin Journey")
    signup.locator('[name="email"]').fill(email)
    signup.locator('[name="password1"]').fill(DEMO_PASSWORD)
    signup.locator('[name="password2"]').fill(DEMO_PASSWORD)
    assert signup.locator('[name="time_zone"]').input_value()  # the browser's zone, offered
    signup.get_by_role("button", name="Sign Up").click()
    patient.wait_for_url("**/accounts/confirm-email/**")
    # The confirmation e-mail (printed by the console e-mail backend into the server's log).
    patient.goto(_confirmation_link(paceway_server, email))
    patient.get_by_role("button", name="Confirm").click()
    if "/accounts/login/" in patient.url:
        patient.locator("input[name=login]").fill(email)
        patient.locator("input[name=password]").fill(DEMO_PASSWORD)
        patient.get_by_role("button", name="Sign In").click()
    patient.wait_for_url("**/screening/**")

    # The intake: the only time PHQ-9, GAD-7 and PEG are asked before week 1.
    patient.goto("/screening/")
    intake = patient.locator("main form")
    assert _asked_codes(patient) == BASELINE_CODES
    _fill(intake, intake_data())
    intake.get_by_role("button", name="Send my answers").click()
    expect(patient.locator("[data-current]")).to_have_attribute("data-current", "decision")
    patient.goto("/screening/consent/")
    patient.get_by_role("button", name="I have read this and I consent").click()
    expect(patient.locator(".flash")).to_be_visible()

    # The clinical lead accepts and assigns from the intake.
    lead = login(THERAPIST2)
    lead.goto("/screening/decisions/")
    lead.get_by_role("link", name="Robin Journey").click()
    decision = lead.locator("form", has=lead.get_by_role("button", name="Record the decision"))
    decision.locator('input[name="decision"][value="accept"]').check()
    decision.locator('[name="rationale"]').fill("Chronic pain, good access, motivated; discussed by phone.")
    decision.locator('[name="goals_and_preferences"]').fill("Wants to walk to the park again.")
    decision.locator('[name="explanation"]').fill("We agreed together that the online program fits you now.")
    decision.get_by_role("button", name="Record the decision").click()
    lead.locator("#assign-therapist").select_option(
        label=lead.locator("#assign-therapist option", has_text="Tara Singh").inner_text()
    )
    lead.get_by_role("button", name="Assign").click()
    expect(lead.locator(".flash")).to_be_visible()

    # Week 1: the program is open and nothing from the intake is asked again.
    patient.goto("/program/")
    expect(patient.locator("main")).to_contain_text("Tara Singh")
    for path in ("/outcomes/q/weekly-check-in/", "/outcomes/q/baseline/"):
        patient.goto(path)
        assert _asked_codes(patient) == set(), path
        expect(patient.locator("#already-answered")).to_be_visible()
    patient.goto("/outcomes/")
    due = patient.locator("section", has_text="Questionnaires to fill in")
    if due.count():
        for href in ("/q/baseline/", "/q/weekly-check-in/", "/q/phq-9/", "/q/gad-7/", "/q/peg/"):
            assert due.first.locator(f'a[href*="{href}"]').count() == 0, href
    assert patient.errors == [] and lead.errors == []
