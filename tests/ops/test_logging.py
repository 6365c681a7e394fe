"""LOG_FORMAT=json: one JSON object per line, with request and user ids and nothing else."""

from __future__ import annotations

import io
import json
import logging

from paceway.audit.middleware import RequestIdLogFilter
from paceway.logs import ParsimoniousJsonFormatter
from tests.foundation.test_settings import _django_setup


def _capture(logger_name: str):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ParsimoniousJsonFormatter())
    handler.addFilter(RequestIdLogFilter())
    logging.getLogger(logger_name).addHandler(handler)
    return stream, handler


def test_it_logs_request_and_user_ids_as_json(clients, personas):
    stream, handler = _capture("django.request")
    try:
        response = clients["patient"].get("/no-such-page/", HTTP_X_REQUEST_ID="req-abcdef123456")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-abcdef123456"
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"time", "level", "logger", "request_id", "user_id", "message"}
    assert record["request_id"] == "req-abcdef123456"
    assert record["user_id"] == personas.patient.pk
    assert record["level"] == "WARNING" and record["logger"] == "django.request"
    assert "T" in record["time"]


def test_it_makes_up_a_request_id_when_none_is_given_or_it_is_unsafe(clients):
    response = clients["anonymous"].get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32


def test_it_never_serialises_extra_record_attributes():
    stream, handler = _capture("paceway.test")
    try:
        logging.getLogger("paceway.test").warning("hello", extra={"diary_text": "my pain is 9", "request": object()})
    finally:
        logging.getLogger("paceway.test").removeHandler(handler)
    record = json.loads(stream.getvalue())
    assert "my pain" not in stream.getvalue() and record["message"] == "hello" and record["user_id"] is None


def test_log_format_comes_from_the_environment(tmp_path):
    code = "import django, logging; django.setup(); logging.getLogger('paceway.x').warning('started')"
    json_run = _django_setup({"LOG_FORMAT": "json", "DATA_DIR": str(tmp_path)}, code)
    assert json_run.returncode == 0, json_run.stderr
    line = [json.loads(x) for x in json_run.stderr.splitlines() if x.startswith("{")][-1]
    assert line["message"] == "started" and line["request_id"] == "-"
    plain = _django_setup({"DATA_DIR": str(tmp_path)}, code)
    assert "WARNING paceway.x [-] started" in plain.stderr
    bad = _django_setup({"LOG_FORMAT": "xml", "DATA_DIR": str(tmp_path)}, code)
    assert bad.returncode != 0 and "LOG_FORMAT" in bad.stderr


def test_the_access_log_is_json_with_the_url_pattern(clients, personas, settings):
    settings.ACCESS_LOG = True
    stream, handler = _capture("paceway.access")
    try:
        clients["therapist"].get(f"/messages/{personas.patient.pk}/?q=secret", HTTP_X_REQUEST_ID="req-access-0001")
    finally:
        logging.getLogger("paceway.access").removeHandler(handler)
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["message"].startswith("GET /messages/<int:patient_id>/ 200 ")
    assert record["request_id"] == "req-access-0001" and record["user_id"] == personas.therapist.pk
    assert "secret" not in stream.getvalue()
