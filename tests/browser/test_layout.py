"""Issue 11: every page a patient, a therapist and an administrator uses fits a 360 px phone (no
horizontal scroll) and a 1280 px desktop, with one compact menu; a live message reads the same
before and after a reload."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import (
    ADMIN,
    PATIENT,
    PATIENT2,
    PATIENT3,
    PRIVACY,
    THERAPIST,
    THERAPIST2,
    VISITOR,
    chromium_missing,
)
from tests.browser.pages import pages_of
from tests.browser.test_messaging import record_socket_frames, wait_for_socket_ready

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

WIDTHS = (1280, 360)
# Who opens pages, in an order that spares TOTP periods (each clinician logs in once).
PEOPLE = (VISITOR, PATIENT, PATIENT2, PATIENT3, THERAPIST, THERAPIST2, ADMIN, PRIVACY)


def page_for(who: str, login: Any, new_page: Any) -> Any:
    """A page logged in as this demo account (or nobody's, for the visitor)."""
    return new_page() if who == VISITOR else login(who)


OVERFLOW = """() => {
  const root = document.scrollingElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && getComputedStyle(e).position !== 'absolute')
    .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll: root.scrollWidth, inner: innerWidth, wide};
}"""


def _check(page: Any, paths: list[str], width: int, problems: list[str]) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        result = page.evaluate(OVERFLOW)
        if result["scroll"] > result["inner"]:
            problems.append(f"{width}px {path}: scrollWidth {result['scroll']} > {result['inner']} {result['wide']}")
        if width == 360:
            # One compact menu: folded behind a single "Menu" button; no second menu.
            assert page.locator("nav").count() <= 2, path  # main + at most a step nav
            assert (
                not page.locator("#main-nav").is_visible()
                or page.locator(".menu-toggle").get_attribute("aria-expanded") == "true"
            )


def _patient_id(therapist: Any, name: str = "Pat Morgan") -> str:
    therapist.goto("/therapist/")
    href = (
        therapist.locator("#caseload tbody tr", has_text=name)
        .locator("a[href*='/therapist/patients/']")
        .first.get_attribute("href")
    )
    return re.search(r"/patients/(\d+)/", href).group(1)


def test_it_fits_every_page_on_a_phone_and_a_desktop_for_every_role(login, new_page, demo_ids):
    """Every page of tests/browser/pages.py (the whole URL configuration, sorted by who uses it)."""
    problems: list[str] = []
    for who in PEOPLE:
        page = page_for(who, login, new_page)
        # The Content-Security-Policy nonce is real: no page logs a refused script or style.
        refused: list[str] = []
        page.on(
            "console",
            lambda m, refused=refused, page=page: (
                refused.append(f"{page.url}: {m.text}")
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )
        page.on(
            "response",
            lambda r, refused=refused: (
                refused.append(f"{r.url}: literal 'nonce'")
                if "'nonce'" in (r.headers.get("content-security-policy") or "")
                else None
            ),
        )
        for width in WIDTHS:
            _check(page, pages_of(who, demo_ids), width, problems)
        assert page.errors == [], (who, page.errors)
        problems.extend(refused)
    assert problems == [], "\n".join(problems)


def test_it_puts_a_0_to_10_scale_on_one_row_on_a_phone(login):
    page = login(PATIENT)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/outcomes/q/peg/")
    rows = page.evaluate("""() => [...document.querySelectorAll('.q-scale .q-options')].map(
        o => new Set([...o.querySelectorAll('label')].map(l => Math.round(l.getBoundingClientRect().top))).size)""")
    assert rows and all(n <= 2 for n in rows), rows
    assert rows[0] == 1, rows


def test_it_folds_the_menu_behind_one_button_on_a_phone(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/program/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Diary")).to_be_visible()


def test_it_shows_a_live_message_in_the_recipients_zone_the_same_before_and_after_a_reload(login):
    from playwright.sync_api import expect

    patient = login(PATIENT)
    patient.goto("/accounts/details/")
    patient.get_by_label("Time zone").fill("Asia/Tokyo")
    patient.get_by_role("button", name="Save").click()
    expect(patient.locator(".flash")).to_contain_text("Your details are saved.")
    frames = record_socket_frames(patient)
    patient.goto("/messages/")
    wait_for_socket_ready(patient, frames)

    therapist = login(THERAPIST)
    pid = _patient_id(therapist)
    therapist.goto(f"/messages/{pid}/")
    marker = f"Time check {uuid.uuid4().hex[:8]}"
    therapist.locator("#message-form textarea").fill(marker)
    therapist.get_by_role("button", name="Send").click()

    live = patient.locator("#message-list li", has_text=marker)
    expect(live).to_be_visible(timeout=15_000)
    live_time = live.locator("time").inner_text().strip()
    patient.reload()
    reloaded = patient.locator("#message-list li", has_text=marker).locator("time").inner_text().strip()
    assert live_time == reloaded and live_time
