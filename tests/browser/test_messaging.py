"""Issue 5 (browser): message text is always shown as text; no HTML or script from a message runs,
whether the message arrives over the live socket, is rendered by the server, or is posted without
JavaScript."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import PATIENT, THERAPIST, chromium_missing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

PAYLOAD = "<script>alert(1)</script><b>x</b>"


def assert_shown_as_text(page, text: str) -> None:
    from playwright.sync_api import expect

    body = page.locator("#message-list li.message p.body", has_text=text).last
    expect(body).to_have_text(text)
    assert body.locator("b, script").count() == 0
    assert page.locator("#message-list b, #message-list script").count() == 0
    assert page.dialogs == []


def wait_for_socket_ready(page, frames: list[str], timeout: float = 10) -> None:
    """Wait until the thread's live script has its socket ("ready" frame received)."""
    for _ in range(int(timeout / 0.05)):
        if any('"ready"' in frame for frame in frames):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the message socket never became ready")


def record_socket_frames(page) -> list[str]:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    return frames


def test_it_shows_a_message_with_markup_as_text(login, new_page, paceway_server):
    from playwright.sync_api import expect

    live = f"{PAYLOAD} {uuid.uuid4().hex[:6]}"
    page = login(PATIENT)
    frames = record_socket_frames(page)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    expect(page.locator("#thread-title")).to_have_text("Messages with your therapist")
    thread_url = page.url
    wait_for_socket_ready(page, frames)
    page.get_by_label("Your message").fill(live)
    page.get_by_role("button", name="Send").click()
    assert_shown_as_text(page, live)  # appended by the live script from the socket's ack
    assert posts == [], "the message went through the form post, not the live socket"
    page.wait_for_timeout(300)  # a script injected by the append would have run by now
    assert page.dialogs == []
    page.reload()
    assert_shown_as_text(page, live)  # rendered by the server

    # Without JavaScript the form posts and the page reloads; still text.
    no_js_text = f"{PAYLOAD} <img src=x onerror=alert(2)> {uuid.uuid4().hex[:6]}"
    no_js = new_page(paceway_server.storage[PATIENT], java_script_enabled=False)
    no_js.goto(thread_url)
    no_js.get_by_label("Your message").fill(no_js_text)
    no_js.get_by_role("button", name="Send").click()
    no_js.wait_for_url(re.compile(r"/messages/\d+/#latest$"))
    body = no_js.locator("#message-list li.message p.body", has_text=no_js_text).last
    expect(body).to_have_text(no_js_text)
    assert no_js.locator("#message-list b, #message-list script, #message-list img").count() == 0

    # The therapist's view of the same thread, live script running.
    therapist = login(THERAPIST)
    therapist.goto(thread_url)
    assert_shown_as_text(therapist, live)
    assert therapist.locator("#message-list img").count() == 0
    therapist.wait_for_timeout(300)
    assert therapist.dialogs == [] and page.errors == [] and therapist.errors == []
