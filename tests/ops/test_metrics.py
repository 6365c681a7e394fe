"""Prometheus metrics: never public, bounded labels, the numbers operators asked for."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from paceway.ops import metrics
from tests.live_servers import free_port

TOKEN = "a-metrics-token-for-tests-only"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_it_refuses_anonymous_and_wrong_tokens(clients, settings):
    settings.METRICS_TOKEN = ""
    assert clients["anonymous"].get("/metrics").status_code == 404  # not configured: not there
    settings.METRICS_TOKEN = TOKEN
    for who in ("anonymous", "patient", "admin"):
        assert clients[who].get("/metrics").status_code == 401, who
    wrong = clients["anonymous"].get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401 and b"paceway_" not in wrong.content
    assert clients["anonymous"].get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 401


def test_it_counts_requests_by_route_and_status(clients, settings, personas):
    settings.METRICS_TOKEN = TOKEN
    clients["therapist"].get(f"/messages/{personas.patient.pk}/")
    clients["anonymous"].get("/no-such-page/")
    response = clients["anonymous"].get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    text = response.content.decode()
    samples = _samples(text)
    routes = {dict(labels).get("route") for (name, labels) in samples if name == "paceway_http_requests_total"}
    assert "/messages/<int:patient_id>/" in routes and "<unmatched>" in routes
    assert not any(str(personas.patient.pk) in (route or "") for route in routes)  # patterns, not ids
    assert ("paceway_http_requests_total", (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))) in samples
    assert "paceway_http_request_duration_seconds_bucket" in text
    for name in ("paceway_websockets_open", "paceway_messages_stored_total", "paceway_celery_tasks_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in text, name


def test_it_reports_open_risk_alerts_by_age(clients, settings, personas):
    from modules.outcomes.models import QuestionnaireResponse, RiskAlert

    settings.METRICS_TOKEN = TOKEN
    response = QuestionnaireResponse.objects.create(
        patient=personas.patient, questionnaire="phq-9", answers={}, submitted_by=personas.patient
    )
    now = timezone.now()
    for hours in (0.1, 30, 100):
        RiskAlert.objects.create(patient=personas.patient, response=response, created_at=now - timedelta(hours=hours))
    text = clients["anonymous"].get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    samples = _samples(text)
    assert samples[("paceway_risk_alerts_open", (("age", "lt_1h"),))] == 1
    assert samples[("paceway_risk_alerts_open", (("age", "24h_72h"),))] == 1
    assert samples[("paceway_risk_alerts_open", (("age", "ge_72h"),))] == 1
    assert samples[("paceway_risk_alert_oldest_open_seconds", ())] >= 100 * 3600 - 60


def test_it_counts_task_outcomes_and_messages():
    before = metrics.CELERY_TASKS.labels("paceway.sample", "failure")._value.get()

    class Task:
        name = "paceway.sample"

    metrics.task_outcome("failure")(sender=Task())
    assert metrics.CELERY_TASKS.labels("paceway.sample", "failure")._value.get() == before + 1
    delivered = metrics.MESSAGES_DELIVERED.labels("live")._value.get()
    metrics.messages_delivered(3, replay=False)
    assert metrics.MESSAGES_DELIVERED.labels("live")._value.get() == delivered + 3


@pytest.mark.django_db(transaction=True)
def test_stored_messages_are_counted_on_commit(personas):
    from messaging import services

    before = metrics.MESSAGES_STORED._value.get()
    services.send_message(sender=personas.patient, patient=personas.patient, client_id="c-metrics-1", body="hello")
    services.send_message(sender=personas.patient, patient=personas.patient, client_id="c-metrics-1", body="hello")
    assert metrics.MESSAGES_STORED._value.get() == before + 1  # the retry is not a new message


def test_the_separate_port_serves_metrics_on_the_private_address(settings):
    settings.METRICS_BIND = "127.0.0.1"
    port = free_port()
    metrics.serve_on_port(port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert b"paceway_http_requests_total" in response.read()
