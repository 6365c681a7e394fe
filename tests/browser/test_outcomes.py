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


def fill_weekly_check_in(page, *, item9: int) -> list[str]:
    names = page.locator("fieldset.q-item input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]"
    )
    for name in names:
        value = str(item9) if name == RISK_ITEM else "1"
        page.locator(f'input[type=radio][name="{name}"][value="{value}"]').check()
    return names


def test_it_keeps_the_answers_and_shows_the_crisis_panel_when_the_server_refuses_then_saves_them(login):
    """Issue 15: the server answers 503 (saturated); the page keeps every answer, shows the crisis
    resources at once (no request needed), and sends the answers again after Retry-After."""
    from playwright.sync_api import expect

    page = login(PATIENT)
    page.goto("/outcomes/q/weekly-check-in/")
    names = fill_weekly_check_in(page, item9=3)
    posts: list[str] = []

    def refuse_the_first_post(route) -> None:
        if route.request.method == "POST":
            posts.append(route.request.method)
            if len(posts) == 1:
                route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="text/html", body="busy")
                return
        route.continue_()

    page.route("**/outcomes/q/weekly-check-in/", refuse_the_first_post)
    page.get_by_role("button", name="Send my answers").click()

    offline = page.locator("[data-offline-crisis]")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text("Call or text 9-8-8")
    expect(offline).to_contain_text("have not reached your therapist yet")
    expect(page.locator("[data-submit-status]")).to_contain_text("not saved yet")
    expect(page.get_by_role("button", name="Try again now")).to_be_visible()
    for name in names:  # every answer is still there
        value = "3" if name == RISK_ITEM else "1"
        expect(page.locator(f'input[type=radio][name="{name}"][value="{value}"]')).to_be_checked()

    # About a second later the page sends the same answers again, by itself, and they are saved.
    expect(page.locator("h1")).to_have_text("Thank you, your answers are saved", timeout=15_000)
    expect(page.locator("section.crisis[role=alert]")).to_contain_text("has been told")
    assert len(posts) == 2
    assert not page.errors


def test_it_shows_no_crisis_panel_when_no_risk_answer_is_waiting(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    page.goto("/outcomes/q/weekly-check-in/")
    fill_weekly_check_in(page, item9=0)
    page.route(
        "**/outcomes/q/weekly-check-in/",
        lambda route: route.abort("connectionrefused") if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("[data-submit-status]")).to_contain_text("not saved yet")
    expect(page.locator("[data-offline-crisis]")).to_be_hidden()
    expect(page.locator(f'input[type=radio][name="{RISK_ITEM}"][value="0"]')).to_be_checked()
