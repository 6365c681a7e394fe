"""Prometheus metrics: counts, durations and ages, never health data or user ids.

Served two ways, never publicly:
- ``/metrics`` on the web port, only with ``Authorization: Bearer $METRICS_TOKEN`` (404 when
  ``METRICS_TOKEN`` is unset, 401 with a wrong token);
- a separate listener on ``METRICS_PORT`` (web) or ``WORKER_METRICS_PORT`` (Celery worker),
  bound to ``METRICS_BIND`` (127.0.0.1 unless set), for a scraper inside the private network.

Labels are bounded: URL patterns (``/messages/<int:patient_id>/``), never paths with ids.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("paceway.access")

HTTP_REQUESTS = Counter(
    "paceway_http_requests", "HTTP requests answered, by URL pattern, method and status", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "paceway_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBSOCKETS_OPEN = Gauge("paceway_websockets_open", "WebSocket connections open in this process", ["route"])
MESSAGES_STORED = Counter("paceway_messages_stored", "Messages stored (new, not retries)")
MESSAGES_DELIVERED = Counter(
    "paceway_messages_delivered", "Messages sent to an open socket (live, or replayed on resume)", ["kind"]
)
CELERY_TASKS = Counter("paceway_celery_tasks", "Celery tasks finished, by task and outcome", ["task", "outcome"])

ALERT_AGE_BUCKETS = ((3600, "lt_1h"), (4 * 3600, "1h_4h"), (24 * 3600, "4h_24h"), (72 * 3600, "24h_72h"))


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + str(match.route).lstrip("^")
    if request.path.startswith(settings.STATIC_URL):
        return settings.STATIC_URL  # WhiteNoise answers before URL resolution
    return "<unmatched>"


class MetricsMiddleware:
    """Outermost: counts and times every HTTP response, including WhiteNoise's and redirects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route, method = route_of(request), request.method if request.method in _METHODS else "other"
        elapsed = time.perf_counter() - started
        HTTP_LATENCY.labels(route, method).observe(elapsed)
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        if settings.ACCESS_LOG:
            # The URL pattern, not the path: no ids or query strings in the logs.
            access_logger.info(
                "%s %s %s %.1fms", method, route, response.status_code, elapsed * 1000, extra={"request": request}
            )
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class CountWebSockets:
    """ASGI wrapper: a socket counts from its handshake until its handler returns."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        gauge = WEBSOCKETS_OPEN.labels(_socket_route(scope.get("path", "")))
        gauge.inc()
        try:
            return await self.app(scope, receive, send)
        finally:
            gauge.dec()


def _socket_route(path: str) -> str:
    parts = [part for part in path.split("/") if part]
    return "/" + "/".join("<id>" if part.isdigit() else part for part in parts[:3]) + "/"


def messages_stored(count: int) -> None:
    MESSAGES_STORED.inc(count)


def messages_delivered(count: int, *, replay: bool) -> None:
    if count:
        MESSAGES_DELIVERED.labels("replay" if replay else "live").inc(count)


class RiskAlertsCollector(Collector):
    """Open risk alerts by age, read from the database when scraped (a count per bucket)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db import close_old_connections
        from django.db.models import Min
        from django.utils import timezone

        from modules.outcomes.models import RiskAlert

        by_age = GaugeMetricFamily("paceway_risk_alerts_open", "Open risk alerts, by age", labels=["age"])
        oldest = GaugeMetricFamily("paceway_risk_alert_oldest_open_seconds", "Age of the oldest open risk alert")
        try:
            now = timezone.now()
            open_alerts = RiskAlert.objects.filter(status=RiskAlert.Status.OPEN)
            lower = None
            for seconds, label in ALERT_AGE_BUCKETS:
                newer = open_alerts.filter(created_at__gt=now - _seconds(seconds))
                if lower is not None:
                    newer = newer.filter(created_at__lte=now - _seconds(lower))
                by_age.add_metric([label], newer.count())
                lower = seconds
            by_age.add_metric(["ge_72h"], open_alerts.filter(created_at__lte=now - _seconds(lower or 0)).count())
            first = open_alerts.aggregate(first=Min("created_at"))["first"]
            oldest.add_metric([], (now - first).total_seconds() if first else 0.0)
        except Exception as exc:  # noqa: BLE001 - a scrape must never fail, whatever the database does
            logger.warning("risk alert metrics unavailable: %s", exc.__class__.__name__)
            return
        finally:
            if not _in_request():
                close_old_connections()
        yield by_age
        yield oldest


def _seconds(value: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=value)


def _in_request() -> bool:
    from paceway.audit.context import request_id_var

    return bool(request_id_var.get())


def registry() -> CollectorRegistry:
    """Everything this process knows; with PROMETHEUS_MULTIPROC_DIR (a prefork Celery worker)
    the counters of all its child processes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
        return combined
    return REGISTRY


_risk_collector_registered = False


def register_risk_alerts() -> None:
    """Web processes only (the worker's listener reports tasks, not the database)."""
    global _risk_collector_registered
    if not _risk_collector_registered:
        REGISTRY.register(RiskAlertsCollector())
        _risk_collector_registered = True


def serve_on_port(port: int) -> None:
    """A listener of its own, on METRICS_BIND; failures are logged, the process keeps serving."""
    try:
        start_http_server(port, addr=settings.METRICS_BIND, registry=registry())
    except OSError as exc:
        logger.error("metrics listener on %s:%s not started: %s", settings.METRICS_BIND, port, exc.strerror)
    else:
        logger.info("metrics on http://%s:%s/metrics", settings.METRICS_BIND, port)


def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse(status=404)
    supplied = request.headers.get("Authorization", "")
    if not hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("Bearer token required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    register_risk_alerts()
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def task_outcome(outcome: str) -> Callable[..., None]:
    def record(sender: Any = None, **kwargs: Any) -> None:
        name = getattr(sender, "name", None) or getattr(kwargs.get("request"), "task", None) or "unknown"
        CELERY_TASKS.labels(str(name), outcome).inc()

    return record


def connect_celery_signals() -> None:
    from celery import signals

    for signal, outcome in (
        (signals.task_success, "success"),
        (signals.task_failure, "failure"),
        (signals.task_retry, "retry"),
        (signals.task_revoked, "revoked"),
        (signals.task_rejected, "rejected"),
    ):
        signal.connect(task_outcome(outcome), weak=False)
    signals.worker_init.connect(_worker_listener, weak=False)


def _worker_listener(**_: Any) -> None:
    if settings.WORKER_METRICS_PORT:
        serve_on_port(settings.WORKER_METRICS_PORT)
