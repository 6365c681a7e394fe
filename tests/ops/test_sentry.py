"""Error reports (SENTRY_DSN) leave without request bodies, cookies, query strings or variables."""

from __future__ import annotations

from paceway.ops.sentry import scrub, scrub_breadcrumb
from tests.foundation.test_settings import _django_setup


def test_it_scrubs_anything_that_could_be_health_data():
    event = {
        "request": {
            "url": "https://paceway.example.org/program/diary/?note=my+pain",
            "data": {"pain": "9", "note": "I feel hopeless"},
            "cookies": {"sessionid": "x"},
            "query_string": "note=my+pain",
            "headers": {"User-Agent": "Firefox", "Cookie": "sessionid=x", "X-Request-ID": "req-1"},
        },
        "user": {"id": 42, "email": "pat@example.org", "ip_address": "10.0.0.1"},
        "extra": {"body": "I feel hopeless"},
        "exception": {"values": [{"stacktrace": {"frames": [{"function": "save", "vars": {"body": "hopeless"}}]}}]},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "INSERT ...", "data": {"db.params": ["hopeless"]}},
                {"category": "django", "message": "ok", "data": {"x": "hopeless"}},
            ]
        },
    }
    scrubbed = scrub(event)
    assert "hopeless" not in repr(scrubbed) and "my+pain" not in repr(scrubbed) and "pat@" not in repr(scrubbed)
    assert scrubbed["user"] == {"id": 42}
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox", "X-Request-ID": "req-1"}
    assert scrubbed["request"]["url"] == "https://paceway.example.org/program/diary/"
    assert scrub_breadcrumb({"category": "query", "message": "SELECT"}) is None


def test_sentry_starts_with_pii_off_when_a_dsn_is_set(tmp_path):
    code = (
        "import django; django.setup(); import sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(o['send_default_pii'], o['include_local_variables'], o['max_request_body_size'], "
        "o['before_send'].__module__)"
    )
    result = _django_setup({"SENTRY_DSN": "https://key@sentry.example.org/1", "DATA_DIR": str(tmp_path)}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "never", "paceway.ops.sentry"]
