"""A person who reads French, in a real browser: signs up, starts the intake, reads the week 1
lesson, writes in the diary, answers the weekly check-in (and sees the crisis panel), writes to
their therapist. Every page: French, no English visible (program content and questionnaire items,
which come as French files, are checked apart)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PATIENT, PATIENT2, chromium_missing
from tests.browser.test_outcomes import fill_weekly_check_in

from .corpus import is_authored, is_content, pieces, strip_content
from .english import english_in, visible_strings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]
RISK_ITEM = "44260-8"  # PHQ-9 question 9 (LOINC)
PASSWORD = "une-phrase-de-passe-assez-longue-2026"
NAMES = {"Sam Okafor", "Dr. Tara Singh", "Tara Singh", "Noa Nouvelle", "Paceway"}


def interface_english(page) -> list[str]:
    assert page.locator("html").get_attribute("lang") == "fr-ca", page.url
    kept = []
    for shown in visible_strings(page.content()):
        parts = [p for p in pieces(shown) if not is_authored(p) and not is_content(p)]
        kept += [left for left in (" ".join(strip_content(p).split()) for p in parts) if left]
    return english_in(kept, allowed=NAMES)


def assert_french(page) -> None:
    leaks = interface_english(page)
    assert not leaks, f"{page.url}: {leaks}"


def test_it_signs_up_and_starts_the_intake_in_french(new_page):
    page = new_page(locale="fr-CA")  # the browser asks for French: offered at first visit
    page.goto("/accounts/signup/")
    assert_french(page)
    page.locator("input[name=display_name]").fill("Noa Nouvelle")
    page.locator("input[name=email]").fill("noa.nouvelle@example.org")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/accounts/signup/" not in page.url, interface_english(page)
    page.goto("/screening/")
    assert_french(page)


def test_it_follows_week_1_in_french_after_switching(login):
    from playwright.sync_api import expect

    page = login(PATIENT2, fresh=True)
    page.get_by_role("button", name="Français").click()  # the switcher, kept on the account
    page.wait_for_load_state()
    page.goto("/program/")
    assert_french(page)

    page.goto("/program/modules/understanding-pain/lesson/")  # the week 1 lesson
    assert_french(page)

    page.goto("/program/diary/")
    assert_french(page)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    page.locator("input[name=date]").fill(datetime.now(ZoneInfo("America/Toronto")).strftime("%Y-%m-%d"))
    page.locator("input[name=pain]").fill("5")
    page.locator("input[name=activity]").fill("Marche de 10 minutes")
    page.locator("input[name=mood]").fill("6")
    page.locator("input[name=sleep_hours]").fill("7.5")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert_french(page)

    page.goto("/messages/")
    assert_french(page)
    page.locator("textarea").first.fill("Bonjour, une question sur l'exercice de relaxation.")
    page.locator("#message-form button[type=submit]").click()
    expect(page.locator("#message-list")).to_contain_text("une question sur l'exercice")
    assert_french(page)

    page.goto("/outcomes/q/weekly-check-in/")  # week 1: the intake was the baseline, nothing asked twice
    assert_french(page)


def test_it_answers_a_check_in_in_french_and_shows_the_crisis_panel_in_french(login):
    """A patient whose check-in is due answers it in French, item 9 above 0: the crisis panel, in French."""
    from playwright.sync_api import expect

    page = login(PATIENT, fresh=True)
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    try:
        page.goto("/outcomes/q/weekly-check-in/")
        assert_french(page)
        assert RISK_ITEM in fill_weekly_check_in(page, item9=2)
        page.get_by_role("button", name="Envoyer mes réponses").click()
        crisis = page.locator("section.crisis[role=alert]")
        expect(crisis).to_be_visible()
        expect(crisis).to_contain_text("9-8-8")
        expect(crisis).to_contain_text("911")
        assert_french(page)
    finally:  # the account's language is remembered: give the shared demo patient English back
        page.goto("/")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
