"""Issue 10, judged by: the patient answers PHQ-9 question 9, sees the follow-up screen and the
crisis panel (stronger when the screener says high); the therapist sees the level and the phone
number, records two contact attempts and a hand-over, and resolves."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PATIENT, THERAPIST, chromium_missing, follow_up_and_resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

RISK_ITEM = "44260-8"


def test_it_takes_a_risk_answer_from_the_patient_to_a_resolved_follow_up(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    # Contact details: a bad phone number is refused with a clear error, then a good one is saved.
    page.goto("/outcomes/contact/")
    form = page.locator("#contact-form")
    form.locator("input[name=phone]").fill("12345")
    form.get_by_label("Emergency contact: name").fill("Robin Morgan")
    form.get_by_label("Emergency contact: relationship to you").fill("spouse")
    form.get_by_label("Emergency contact: phone number").fill("647 555 0111")
    form.get_by_label("Province or territory where you live").select_option("ON")
    form.get_by_role("button", name="Save my contact details").click()
    expect(page.locator("main")).to_contain_text("Nothing was saved")
    page.locator("#contact-form").locator("input[name=phone]").fill("(416) 555-0199")
    page.locator("#contact-form").get_by_role("button", name="Save my contact details").click()
    expect(page.locator(".flash")).to_contain_text("Your contact details are saved.")

    # The check-in with question 9 answered: the panel at once, and the follow-up screen under it.
    page.goto("/outcomes/q/weekly-check-in/")
    names = page.locator("fieldset.q-item input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]"
    )
    for name in names:
        page.locator(f'input[type=radio][name="{name}"][value="{2 if name == RISK_ITEM else 1}"]').check()
    page.get_by_role("button", name="Send my answers").click()
    crisis = page.locator("section.crisis[role=alert]")
    expect(crisis).to_contain_text("Call or text 9-8-8")
    expect(crisis).to_contain_text("has been told")
    screener = page.locator("#screener")
    expect(screener).to_be_visible()
    for code, value in (("cssrs-1", 1), ("cssrs-2", 1), ("cssrs-3", 1), ("cssrs-4", 1), ("cssrs-5", 0), ("cssrs-6", 0)):
        screener.locator(f'input[name="{code}"][value="{value}"]').check()
    screener.get_by_role("button", name="Send these answers").click()
    urgent = page.locator("section.crisis.urgent")
    expect(urgent).to_contain_text("Please get help now: call 9-8-8 or 911")
    expect(page.locator("#screener-done")).to_be_visible()
    assert page.errors == []

    # The therapist: the level and the phone number on the alert, then the structured follow-up.
    therapist = login(THERAPIST)
    therapist.goto("/therapist/")
    # The banner: the level in words, in the high level's colour, as an alert.
    high = therapist.locator("[role=alert] #live-alert li.level-high").first
    expect(high).to_contain_text("HIGH risk")
    assert high.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(153, 27, 27)"
    therapist.goto("/outcomes/alerts/")
    row = therapist.locator("article.alert-row", has_text="Pat Morgan").filter(has_text="Screener: High risk").first
    expect(row.locator("a.contact-phone")).to_have_text("(416) 555-0199")
    expect(row.get_by_role("link", name="Message the patient")).to_be_visible()
    row.get_by_role("link", name="Follow up and resolve").click()
    expect(therapist.locator("#triage-level")).to_contain_text("High")
    expect(therapist.locator("#ladder")).to_contain_text("minutes of clinic time")
    follow_up_and_resolve(
        therapist,
        "Reached Pat on the second call; handed over to the crisis team.",
        handover="Toronto Mobile Crisis Team",
        attempts=2,
    )
    therapist.goto("/outcomes/alerts/")
    expect(
        therapist.locator("article.alert-row", has_text="Pat Morgan").filter(has_text="Screener: High risk")
    ).to_have_count(0)
    assert therapist.errors == []
