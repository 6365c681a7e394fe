"""Issue 11: a print-friendly version of every lesson and exercise: a "Print" control, and on paper
the lesson, the questions with the patient's answers, and the exercise with what was entered, but
no menu, button or footer. Paper is the print stylesheet, as Chromium applies it to a PDF."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.conftest import PATIENT, chromium_missing
from tests.browser.pages import PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

# Elements that must never reach paper, and whether any of them is shown when printing.
SHOWN_ON_PAPER = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40))"""
NEVER_ON_PAPER = "header.topbar, nav, footer, button, .flash, .menu-toggle, .lesson-tools"


def _lesson_and_exercise_pages() -> list[str]:
    """Every lesson and exercise page of the page table that the patient opens."""
    routes = ("program/modules/<slug:module>/<slug:step>/", "program/exercises/<slug:kind>/", "program/diary/")
    return [path for route in routes for who, path in PAGES[route] if who == PATIENT]


def _visible_text(page: Any) -> str:
    return page.evaluate("() => document.body.innerText")


def test_every_lesson_and_exercise_offers_print_and_leaves_menus_and_buttons_off_paper(login):
    page = login(PATIENT)
    for path in _lesson_and_exercise_pages():
        page.emulate_media(media="screen")
        page.goto(path)
        control = page.get_by_role("button", name="Print")
        assert control.is_visible(), path
        heading = page.locator("h1").inner_text()
        page.emulate_media(media="print")
        assert page.evaluate(SHOWN_ON_PAPER, NEVER_ON_PAPER) == [], path
        assert heading in _visible_text(page), path
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 2000, path
    assert page.errors == []


def test_the_lesson_prints_with_its_pictures_and_the_patients_answers(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    page.emulate_media(media="screen")
    page.goto("/program/modules/understanding-pain/lesson/")
    questions = page.locator("#lesson-questions")
    first = questions.locator("fieldset").first
    first.get_by_role("radio").nth(1).check()
    questions.get_by_role("button", name="Keep my answers").click()
    expect(page.locator(".quiz-feedback").first).to_be_visible()
    feedback = page.locator(".quiz-feedback").first.inner_text()

    page.emulate_media(media="print")
    text = _visible_text(page)
    assert "Hurt does not always mean harm" in text  # the lesson
    assert feedback in text  # the kind word under the patient's answer
    assert page.locator("figure.lesson-figure svg").first.is_visible()
    assert first.get_by_role("radio").nth(1).is_checked() and first.is_visible()
    assert page.evaluate(SHOWN_ON_PAPER, NEVER_ON_PAPER) == []


def test_an_exercise_prints_with_what_was_entered_and_what_was_saved(login):
    page = login(PATIENT)
    page.emulate_media(media="screen")
    page.goto("/program/exercises/smart_goal/")
    saved = page.locator("details").first
    assert saved.count() == 1, "the demo patient has a saved goal"
    saved_text = page.evaluate("(d) => d.querySelector('dd').textContent.trim()", saved.element_handle())
    assert not page.locator("details dl").first.is_visible()  # folded on screen

    typed = f"Walk to the corner and back {uuid.uuid4().hex[:6]}"
    page.locator("form.print-keep textarea").first.fill(typed + "\nsecond line\nthird line\nfourth line\nfifth line")
    page.emulate_media(media="print")
    text = _visible_text(page)
    assert saved_text.strip() and saved_text.strip() in text  # the saved entry, unfolded on paper
    assert page.locator("details dl").first.is_visible()
    area = page.locator("form.print-keep textarea").first
    assert area.is_visible() and area.input_value().startswith(typed)
    # The typed text is printed whole: the box grows to its content instead of scrolling.
    assert page.evaluate("(t) => t.scrollHeight <= t.clientHeight + 2", area.element_handle())
    assert page.evaluate(SHOWN_ON_PAPER, NEVER_ON_PAPER) == []
