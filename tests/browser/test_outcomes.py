"""Issue 4: a weekly check-in with PHQ-9 question 9 answered shows the crisis panel, and the
therapist sees that patient's alert first.

The demo data already has an older open alert (Sam's). Open alerts are listed oldest first and the
caseload puts every patient with an open alert first, ties broken by unread messages, so the test
starts by having the therapist resolve any other open alert of theirs: then "first" is exact.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PATIENT, THERAPIST, chromium_missing, follow_up_and_resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

RISK_ITEM = "44260-8"  # PHQ-9 question 9 (LOINC)


def resolve_open_alerts(page, *, except_for: str, note: str) -> None:
    page.goto("/outcomes/alerts/")
    while True:
        others = page.locator("article.alert-row").filter(has_not_text=except_for)
        if not others.count():
            return
        others.first.get_by_role("link", name="Follow up and resolve").click()
        follow_up_and_resolve(page, note)
        page.wait_for_url("**/outcomes/alerts/")


def test_it_shows_the_crisis_panel_and_puts_the_alert_first_for_the_therapist(login):
    from playwright.sync_api import expect

    therapist = login(THERAPIST)
    resolve_open_alerts(therapist, except_for="Pat Morgan", note="Called the patient; safety plan in place.")

    page = login(PATIENT)
    page.goto("/program/modules/activity-pacing/check-in/")
    page.get_by_role("link", name="Open the check-in").click()
    expect(page.locator("h1")).to_have_text("Weekly check-in")
    names = page.locator("fieldset.q-item input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]"
    )
    assert RISK_ITEM in names
    for name in names:
        value = "2" if name == RISK_ITEM else "1"
        page.locator(f'input[type=radio][name="{name}"][value="{value}"]').check()
    page.get_by_role("button", name="Send my answers").click()

    crisis = page.locator("section.crisis[role=alert]")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("Call or text 9-8-8")
    expect(crisis).to_contain_text("Call 911")
    expect(page.locator("h1")).to_have_text("Thank you, your answers are saved")
    # The crisis panel comes before anything else in the page's main content.
    first = page.locator("main > *:not(.flash)").first
    expect(first).to_have_class(re.compile(r"\bcrisis\b"))

    # The therapist: the alerts page lists Pat's alert first, with the answer to question 9...
    therapist.reload()
    rows = therapist.locator("article.alert-row")
    expect(rows.first).to_contain_text("Pat Morgan")
    expect(rows.first).to_contain_text("More than half the days")
    # ...and the caseload's first row is Pat, flagged.
    therapist.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    first_row = therapist.locator("#caseload tbody tr").first
    expect(first_row).to_contain_text("Pat Morgan")
    expect(first_row.locator(".badge.alert")).to_have_text("Risk alert")
    expect(first_row).to_have_class(re.compile(r"\bhas-alert\b"))
