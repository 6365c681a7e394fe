from __future__ import annotations

import pytest

from messaging.models import Message

from .helpers import send

API = "/api/v1/conversations/{}/messages"
READ = "/api/v1/conversations/{}/read"
PAGE = "/messages/{}/"


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin"])
def test_api_refuses_outsiders_with_404(personas, clients, who):
    send(personas.patient, personas.patient, body="private")
    client = clients[who]
    pid = personas.patient.pk
    assert client.get(API.format(pid)).status_code == 404
    response = client.post(API.format(pid), {"client_id": "x1", "body": "hi"}, content_type="application/json")
    assert response.status_code == 404
    assert client.post(READ.format(pid), {"seq": 1}, content_type="application/json").status_code == 404
    assert Message.objects.count() == 1


def test_api_refuses_anonymous(personas, clients):
    pid = personas.patient.pk
    assert clients["anonymous"].get(API.format(pid)).status_code in (401, 403)
    response = clients["anonymous"].post(
        API.format(pid), {"client_id": "x", "body": "hi"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_api_send_is_idempotent_and_lists_after_seq(personas, clients):
    pid = personas.patient.pk
    url = API.format(pid)
    first = clients["patient"].post(url, {"client_id": "a1", "body": "hello"}, content_type="application/json")
    assert first.status_code == 201 and first.json() == {"client_id": "a1", "seq": 1, "duplicate": False}
    again = clients["patient"].post(url, {"client_id": "a1", "body": "hello"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["seq"] == 1 and again.json()["duplicate"]
    for i in range(4):
        clients["therapist"].post(url, {"client_id": f"t{i}", "body": f"t{i}"}, content_type="application/json")
    page = clients["therapist"].get(url, {"after_seq": 1, "limit": 2}).json()
    assert [m["seq"] for m in page["messages"]] == [2, 3]
    assert page["limited"] is True and page["next_after_seq"] == 3
    rest = clients["therapist"].get(url, {"after_seq": page["next_after_seq"], "limit": 2}).json()
    assert [m["seq"] for m in rest["messages"]] == [4, 5] and rest["limited"] is False
    assert rest["messages"][0]["mine"] is True and rest["messages"][0]["from_patient"] is False
    read = clients["patient"].post(READ.format(pid), {"seq": 5}, content_type="application/json")
    assert read.json() == {"last_read_seq": 5}
    unread = clients["therapist"].get("/api/v1/conversations/unread").json()
    assert unread == {str(pid): 0}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"client_id": "ok", "body": ""}, "body"),
        ({"client_id": "ok", "body": "x" * 8001}, "body"),
        ({"client_id": "bad id", "body": "x"}, "client_id"),
        ({"body": "x"}, "client_id"),
        ({"client_id": "ok", "body": "nul\x00"}, "body"),
    ],
)
def test_the_api_refuses_bad_input_and_stores_nothing(personas, clients, payload, field):
    response = clients["patient"].post(API.format(personas.patient.pk), payload, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert Message.objects.count() == 0


def test_api_list_validates_the_token(personas, clients):
    url = API.format(personas.patient.pk)
    assert clients["patient"].get(url, {"after_seq": "x"}).status_code == 400
    assert clients["patient"].get(url, {"limit": "0"}).status_code == 400


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "admin"])
def test_page_refuses_outsiders(personas, clients, who):
    send(personas.patient, personas.patient, body="private words")
    response = clients[who].get(PAGE.format(personas.patient.pk))
    assert response.status_code == 404
    assert b"private words" not in response.content
    post = clients[who].post(PAGE.format(personas.patient.pk), {"client_id": "z", "body": "x"})
    assert post.status_code == 404


def test_page_sends_anonymous_to_login(personas, clients):
    response = clients["anonymous"].get(PAGE.format(personas.patient.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_page_shows_text_escaped_and_posts_without_javascript(personas, clients):
    send(personas.therapist, personas.patient, body='<script>alert("x")</script> & hi')
    url = PAGE.format(personas.patient.pk)
    response = clients["patient"].get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; hi" in html
    assert 'src="/static/messaging/thread.js"' in html
    assert "no-store" in response["Cache-Control"]
    post = clients["patient"].post(url, {"client_id": "form-1", "body": "from the form"})
    assert post.status_code == 302 and post["Location"].startswith(url)
    again = clients["patient"].post(url, {"client_id": "form-1", "body": "from the form"})
    assert again.status_code == 302
    assert Message.objects.count() == 2
    assert "from the form" in clients["therapist"].get(url).content.decode()


def test_page_form_errors_keep_the_client_id(personas, clients):
    url = PAGE.format(personas.patient.pk)
    response = clients["patient"].post(url, {"client_id": "keep-me", "body": "   "})
    assert response.status_code == 400 and b"keep-me" in response.content


def test_messages_takes_a_patient_to_their_own_thread(personas, clients):
    response = clients["patient"].get("/messages/")
    assert response.status_code == 302
    assert response["Location"] == PAGE.format(personas.patient.pk)
    assert clients["admin"].get("/messages/").status_code == 404


def test_viewing_the_page_marks_the_thread_read(personas, clients):
    from messaging import selectors

    send(personas.therapist, personas.patient, body="one")
    assert selectors.patient_unread_count(personas.patient) == 1
    clients["patient"].get(PAGE.format(personas.patient.pk))
    assert selectors.patient_unread_count(personas.patient) == 0


def test_the_message_form_sent_again_with_its_rendered_token_is_stored_once(personas, clients):
    """The message form's submission token is its client_id: fresh per render, re-sent on retry."""
    import re

    url = PAGE.format(personas.patient.pk)

    def rendered_client_id() -> str:
        found = re.search(r'name="client_id" value="([^"]+)"', clients["patient"].get(url).content.decode())
        assert found
        return found.group(1)

    token = rendered_client_id()
    assert rendered_client_id() != token
    for _ in range(2):
        assert clients["patient"].post(url, {"client_id": token, "body": "only once"}).status_code == 302
    assert Message.objects.filter(client_id=token).count() == 1


@pytest.fixture
def one_send_per_hour(settings):
    """A fresh counter store (its own cache), and a rate of one message per hour."""
    import uuid

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"rate-{uuid.uuid4()}"}
    }
    settings.MESSAGING_SEND_RATE = (1, 3600)


def test_it_refuses_a_page_send_over_the_rate_and_keeps_the_text(personas, clients, one_send_per_hour):
    url = PAGE.format(personas.patient.pk)
    assert clients["patient"].post(url, {"client_id": "r-1", "body": "first"}).status_code == 302
    refused = clients["patient"].post(url, {"client_id": "r-2", "body": "second, still in the box"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "You are sending too fast" in page
    assert "second, still in the box" in page and "r-2" in page
    assert Message.objects.count() == 1


def test_it_refuses_an_api_send_over_the_rate_with_429(personas, clients, one_send_per_hour):
    url = API.format(personas.patient.pk)
    post = clients["patient"].post
    assert post(url, {"client_id": "a-1", "body": "one"}, content_type="application/json").status_code == 201
    refused = post(url, {"client_id": "a-2", "body": "two"}, content_type="application/json")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
    assert Message.objects.count() == 1


def test_it_refuses_weekly_feedback_over_the_rate_and_keeps_the_text(personas, clients, one_send_per_hour):
    url = f"/therapist/patients/{personas.patient.pk}/feedback/"
    therapist = clients["therapist"]
    assert therapist.post(url, {"body": "Well done this week.", "client_id": "fb-1"}).status_code == 302
    refused = therapist.post(url, {"body": "And one more thing to try.", "client_id": "fb-2"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "You are sending too fast" in page
    assert "And one more thing to try." in page
    assert Message.objects.count() == 1


def test_a_stranger_is_refused_before_the_rate_counts(personas, clients, one_send_per_hour):
    url = PAGE.format(personas.patient.pk)
    assert clients["stranger"].post(url, {"client_id": "s-1", "body": "hi"}).status_code == 404
    assert clients["patient"].post(url, {"client_id": "p-1", "body": "mine"}).status_code == 302
    assert Message.objects.count() == 1
