"""Issue 3: the demo patient works through this week's module in a browser; the therapist sees it."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import PATIENT, THERAPIST, chromium_missing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]


def module_percent(page) -> int:
    """The "Module progress" bar of this week's card on the patient home."""
    bar = page.locator("#current-h").locator("xpath=..").get_by_label("Module progress")
    value = int(bar.get_attribute("value"))
    shown = page.locator("#current-h").locator("xpath=..").locator("[data-progress]").first
    assert int(shown.get_attribute("data-progress")) == value
    return value


def server_today() -> str:
    from django.conf import settings

    return datetime.now(ZoneInfo(settings.TIME_ZONE)).date().isoformat()


def test_it_lets_the_patient_do_this_weeks_work_and_shows_it_to_the_therapist(login):
    from playwright.sync_api import expect

    marker = uuid.uuid4().hex[:8]
    page = login(PATIENT)
    expect(page.locator("#current-h")).to_contain_text("Week 3")
    before = module_percent(page)

    # Read the lesson of this week's module.
    page.get_by_role("link", name="See all steps of this module").click()
    expect(page.locator("h1")).to_have_text("Pacing your activity")
    page.get_by_role("link", name="Pacing your activity", exact=True).last.click()
    expect(page.locator("article.prose")).to_contain_text("pacing", ignore_case=True)
    read = page.get_by_role("button", name="I have read this")
    if read.count():
        read.click()
        expect(page.locator(".flash")).to_contain_text("Step done.")

    # Complete this week's exercise (the pacing plan).
    page.goto("/program/modules/activity-pacing/pacing-plan/")
    expect(page.locator("h1")).to_have_text("Make your pacing plan")
    page.get_by_label("Activity").fill(f"Walking {marker}")
    page.get_by_label("Measured in").select_option("minutes")
    page.get_by_label("Baseline (what I can do on a good or bad day)").fill("10")
    page.get_by_label("Increase each week").fill("2")
    page.get_by_label("How I will pace it (breaks, timer, reminders)").fill("Timer on my phone, rest 5 minutes")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Saved. Your therapist can see this.")

    # A diary entry, from the main navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary").click()
    page.get_by_label("Date").fill(server_today())
    page.get_by_label("Pain today (0 = no pain, 10 = worst pain imaginable)").fill("5")
    page.get_by_label("What did you do today?").fill(f"Paced walk {marker}")
    page.get_by_label("Mood today (0 = very low, 10 = very good)").fill("6")
    page.get_by_label("Hours of sleep last night").fill("7.5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Saved. Your therapist can see this.")

    # The progress bar moved.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="This week").click()
    after = module_percent(page)
    assert after > before, (before, after)
    assert page.errors == []

    # The therapist sees that work on the patient's program page.
    therapist = login(THERAPIST)
    therapist.get_by_role("link", name="Pat Morgan").click()
    therapist.get_by_role("link", name="Program, exercises and diary").click()
    expect(therapist.locator("h1")).to_contain_text("Program work of Pat Morgan")
    assert re.search(r"/program/patients/\d+/$", therapist.url), therapist.url
    row = therapist.locator("tr", has_text="Pacing your activity")
    expect(row).to_contain_text("open")
    work = therapist.locator("section.card", has_text="Exercises and diary")
    for summary in work.locator("summary").all():
        summary.click()
    expect(work).to_contain_text(f"Walking {marker}")
    expect(work).to_contain_text(f"Paced walk {marker}")
