"""Issue 5 (browser): message text is always shown as text; no HTML or script from a message runs,
whether the message arrives over the live socket, is rendered by the server, or is posted without
JavaScript."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import urlsplit

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


def settle(page) -> None:
    """Wait until the page has rendered two frames past now: anything an append ran would have run."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


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
    settle(page)  # a script injected by the append would have run by now
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
    settle(therapist)
    assert therapist.dialogs == [] and page.errors == [] and therapist.errors == []


# Issue 15: a client that never loses what was typed ------------------------------------------------

SHOWN = "#message-list li.message:not(.pending)"
PENDING = "#message-list li.pending"

RECORD_SHOWN = """
document.addEventListener("DOMContentLoaded", function () {
  window.__shown = [];
  var list = document.getElementById("message-list");
  if (!list) { return; }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.dataset && node.dataset.seq && !node.classList.contains("pending")) {
          window.__shown.push(parseInt(node.dataset.seq, 10));
        }
      });
    });
  }).observe(list, {childList: true});
});
// Frames as the page receives them: this listener runs just before the thread script's own.
window.__received = [];
(function () {
  var Original = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    var socket = new Original(url, protocols);
    socket.addEventListener("message", function (event) { window.__received.push(event.data); });
    return socket;
  };
  window.WebSocket.prototype = Original.prototype;
})();
"""


class SocketTap:
    """Sits between the page's message socket and the server (Playwright's WebSocket routing):
    forwards frames both ways, and can fail a send in the ways a network or a server does."""

    def __init__(self, page) -> None:
        self.page = page
        self.refuse = False  # connections are closed at once, as with the server down
        self.plan: list[str] = []  # what to do with the next sends, one entry per send
        self.swallow_ack: set[str] = set()
        self.hold_resume = False
        self.held: list[tuple[object, str]] = []
        self.current = None
        self.server = None
        self.ready = 0  # "ready" frames seen
        self.sends: list[str] = []  # client ids of the sends that reached the server
        page.route_web_socket("**/ws/messages/**", self._route)

    def _route(self, ws) -> None:
        if self.refuse:
            ws.close()
            return
        server = ws.connect_to_server()
        self.current, self.server = ws, server
        ws.on_message(lambda message: self._from_page(ws, server, message))
        server.on_message(lambda message: self._from_server(ws, message))

    def _from_page(self, ws, server, message) -> None:
        import json

        frame = json.loads(message)
        if frame.get("action") == "resume" and self.hold_resume:
            self.held.append((server, message))
            return
        if frame.get("action") == "send" and self.plan:
            what = self.plan.pop(0)
            if what == "server_error":
                ws.send(
                    json.dumps(
                        {
                            "type": "error",
                            "code": "server_error",
                            "detail": "Something went wrong.",
                            "client_id": frame["client_id"],
                            "retryable": True,
                        }
                    )
                )
                return
            if what == "refused":
                ws.send(
                    json.dumps(
                        {
                            "type": "error",
                            "code": "invalid",
                            "detail": "Not allowed here.",
                            "client_id": frame["client_id"],
                            "retryable": False,
                        }
                    )
                )
                return
            if what == "drop_before_store":
                ws.close()
                return
            if what == "drop_after_store":  # stored, but the ack never reaches the page
                self.swallow_ack.add(frame["client_id"])
        if frame.get("action") == "send":
            self.sends.append(frame["client_id"])
        server.send(message)

    def _from_server(self, ws, message) -> None:
        import json

        frame = json.loads(message)
        if frame.get("type") == "ready":
            self.ready += 1
        if frame.get("type") == "ack" and frame.get("client_id") in self.swallow_ack:
            self.swallow_ack.discard(frame["client_id"])
            ws.close()
            return
        ws.send(message)

    def drop(self) -> None:
        if self.current is not None:
            self.current.close()

    def release_resume(self) -> None:
        self.hold_resume = False
        held, self.held = self.held, []
        for server, message in held:
            server.send(message)

    def wait_until(self, check, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError("timed out")
            self.page.wait_for_timeout(50)


def shown_bodies(page) -> list[str]:
    return page.locator(f"{SHOWN} p.body").all_text_contents()


def shown_seqs(page) -> list[int]:
    return [int(s) for s in page.eval_on_selector_all(SHOWN, "items => items.map(i => i.dataset.seq)")]


def outbox_of(page) -> str | None:
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('paceway.outbox.'))"
        ".map(k => localStorage.getItem(k)).join('') || null"
    )


def open_thread(page, tap: SocketTap, path: str = "/messages/") -> None:
    before = tap.ready
    page.goto(path)
    tap.wait_until(lambda: tap.ready > before)


def send_text(page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()


def assert_once_in_order(page, texts: list[str]) -> None:
    bodies = shown_bodies(page)
    positions = []
    for text in texts:
        assert bodies.count(text) == 1, (text, bodies[-12:])
        positions.append(bodies.index(text))
    assert positions == sorted(positions), bodies[-12:]
    seqs = shown_seqs(page)
    assert seqs == sorted(set(seqs)), seqs


def test_it_resends_what_a_failure_left_unacknowledged_exactly_once(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    page.add_init_script(RECORD_SHOWN)
    tap = SocketTap(page)
    open_thread(page, tap)
    tag = uuid.uuid4().hex[:6]
    texts = [f"{tag} {name}" for name in ("one", "two", "three", "four", "five")]

    send_text(page, texts[0])
    expect(page.locator(SHOWN, has_text=texts[0])).to_have_count(1)

    tap.plan = ["server_error"]  # the server could not store it: kept, retried later
    send_text(page, texts[1])
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.locator(PENDING, has_text=texts[1])).to_contain_text("Not sent yet, will retry")
    expect(page.locator(SHOWN, has_text=texts[1])).to_have_count(1)

    tap.plan = ["drop_after_store"]  # stored, ack lost with the socket: re-sent, stored once
    send_text(page, texts[2])
    expect(page.locator(SHOWN, has_text=texts[2])).to_have_count(1)

    tap.plan = ["drop_before_store"]  # the socket died with the send: re-sent after reconnect
    send_text(page, texts[3])
    expect(page.locator(SHOWN, has_text=texts[3])).to_have_count(1)

    send_text(page, texts[4])
    expect(page.locator(SHOWN, has_text=texts[4])).to_have_count(1)
    expect(page.locator(PENDING)).to_have_count(0)
    assert_once_in_order(page, texts)
    shown = page.evaluate("window.__shown")
    assert shown == sorted(set(shown)), shown  # never shown out of order, never twice
    assert outbox_of(page) is None
    third_id = tap.sends[-3]
    assert tap.sends.count(third_id) == 2  # the lost ack's message was sent twice ...

    page.reload()  # ... and stored once: the server's own rendering
    assert_once_in_order(page, texts)
    assert page.errors == []


def test_it_keeps_unsent_messages_across_a_reload(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    tap = SocketTap(page)
    open_thread(page, tap)
    text = f"typed while offline {uuid.uuid4().hex[:6]}"
    tap.refuse = True
    tap.drop()
    send_text(page, text)
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.locator(PENDING, has_text=text)).to_contain_text("Not sent yet, will retry")
    assert text in (outbox_of(page) or "")

    page.reload()  # still offline: the outbox is still there, and shown
    expect(page.locator(PENDING, has_text=text)).to_have_count(1)
    expect(page.locator(SHOWN, has_text=text)).to_have_count(0)

    tap.refuse = False  # the server is back: the client reconnects and sends it
    expect(page.locator(SHOWN, has_text=text)).to_have_count(1, timeout=20_000)
    expect(page.locator(PENDING)).to_have_count(0)
    tap.wait_until(lambda: outbox_of(page) is None)
    page.reload()
    assert_once_in_order(page, [text])


def test_it_gives_a_refused_message_back(login):
    from playwright.sync_api import expect

    page = login(PATIENT)
    tap = SocketTap(page)
    open_thread(page, tap)
    text = f"refused {uuid.uuid4().hex[:6]}"
    tap.plan = ["refused"]
    send_text(page, text)
    expect(page.get_by_label("Your message")).to_have_value(text)
    expect(page.locator("#socket-status")).to_contain_text("Not allowed here.")
    expect(page.locator(PENDING)).to_have_count(0)
    assert outbox_of(page) is None


def test_it_shows_the_replay_before_live_messages_after_a_reconnect(login):
    from playwright.sync_api import expect

    patient = login(PATIENT)
    patient_tap = SocketTap(patient)
    open_thread(patient, patient_tap)
    thread_path = urlsplit(patient.url).path

    therapist = login(THERAPIST)
    therapist.add_init_script(RECORD_SHOWN)
    tap = SocketTap(therapist)
    open_thread(therapist, tap, thread_path)

    tag = uuid.uuid4().hex[:6]
    missed = [f"{tag} missed {i}" for i in range(3)]
    live = [f"{tag} live {i}" for i in range(2)]
    tap.refuse = True
    tap.drop()
    for text in missed:  # while the therapist is away
        send_text(patient, text)
        expect(patient.locator(SHOWN, has_text=text)).to_have_count(1)
    tap.hold_resume = True  # the replay is slow to come ...
    before = tap.ready
    tap.refuse = False
    tap.wait_until(lambda: tap.ready > before and bool(tap.held), timeout=20)
    for text in live:  # ... and live messages come first
        send_text(patient, text)
        expect(patient.locator(SHOWN, has_text=text)).to_have_count(1)
    tap.wait_until(lambda: live[-1] in therapist.evaluate("window.__received.join('')"))
    assert therapist.locator(SHOWN, has_text=live[0]).count() == 0  # held until the replay
    tap.release_resume()
    expect(therapist.locator(SHOWN, has_text=live[-1])).to_have_count(1)
    assert_once_in_order(therapist, missed + live)
    shown = therapist.evaluate("window.__shown")
    assert shown == sorted(set(shown)), shown
    therapist.reload()
    assert_once_in_order(therapist, missed + live)
    assert therapist.errors == [] and patient.errors == []
