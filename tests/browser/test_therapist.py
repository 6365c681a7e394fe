"""Issue 6: the therapist's workspace and the administrators' assignment console in a browser."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import ADMIN, PATIENT3, THERAPIST, chromium_missing, follow_up_and_resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]


def test_it_lets_the_therapist_act_on_the_patient_with_a_risk_alert_first(login):
    from playwright.sync_api import expect

    marker = uuid.uuid4().hex[:8]
    page = login(THERAPIST, fresh=True)  # password, then TOTP

    # The patient with an open risk alert is first on the caseload.
    first_row = page.locator("#caseload tbody tr").first
    expect(first_row.locator(".badge.alert")).to_have_text("Risk alert")
    name = first_row.locator("td").first.inner_text().strip()
    first_row.get_by_role("link", name=name).click()
    expect(page.locator("h1")).to_have_text(name)
    patient_url = page.url
    assert re.search(r"/therapist/patients/\d+/$", patient_url), patient_url
    expect(page.locator(".crisis")).to_contain_text("open risk alert")

    # Follow the alert up (the phone number is on the card) and resolve it with a note.
    page.get_by_role("link", name="Review and resolve").click()
    alert = page.locator("article.alert-row", has_text=name).first
    expect(alert.locator("a.contact-phone")).to_have_text("(416) 555-0142")
    alert.get_by_role("link", name="Follow up and resolve").click()
    note = f"Phoned {name}: no plan or intent, safety plan reviewed ({marker})."
    follow_up_and_resolve(page, note)
    expect(page.locator("article.alert-row", has_text=name)).to_have_count(0)
    expect(page.locator("table", has_text="Resolved by")).to_contain_text(marker)

    # Reply to their message on the conversation page.
    page.goto(patient_url)
    expect(page.locator(".crisis")).to_have_count(0)
    page.locator("nav.card").get_by_role("link", name="Messages").click()
    expect(page.locator("#thread-title")).to_have_text(f"Messages with {name}")
    expect(page.locator("#message-list li.message:not(.mine)").last).to_be_visible()
    reply = f"Thanks for your message. Let's talk it through on Thursday ({marker})."
    page.get_by_label("Your message").fill(reply)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#message-list li.message.mine").last).to_contain_text(reply)
    page.reload()  # stored, not just shown
    expect(page.locator("#message-list li.message.mine").last).to_contain_text(reply)

    # Mark the week reviewed.
    page.goto(patient_url)
    page.get_by_label("Minutes spent this week").fill("25")
    page.get_by_role("button", name="Mark this week reviewed").click()
    expect(page.locator(".flash")).to_contain_text("Marked as reviewed for this week.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    row = page.locator("#caseload tbody tr", has_text=name)
    expect(row.locator(".badge.alert")).to_have_count(0)
    expect(row).not_to_contain_text("Review due")
    expect(page.locator("main p.muted").first).to_contain_text("25 minutes logged this week")
    assert page.errors == [] and page.dialogs == []


def test_it_lets_the_administrator_assign_the_waiting_patient(login):
    from playwright.sync_api import expect

    page = login(ADMIN, fresh=True)
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text(PATIENT3)
    page.get_by_label("Patient").select_option(label="Jo Leblanc")
    page.get_by_label("Therapist").select_option(label="Dr. Luc Tremblay")
    page.get_by_label("Reason").fill("Speaks French; has capacity")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash")).to_contain_text("Assigned.")
    expect(waiting).not_to_contain_text(PATIENT3)  # the demo cohort still has others waiting
    load = page.locator("table tr", has_text="Dr. Luc Tremblay")
    expect(load).to_contain_text("1 / 30")
