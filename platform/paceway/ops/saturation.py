"""Saturation: a bounded number of requests in Django, and 503 with Retry-After, never 500.

Three layers, outermost first:

- ``RequestGate`` (ASGI, around Django in ``paceway.asgi``): at most ``HTTP_CONCURRENCY``
  requests per process in Django at once. Under Daphne every request in flight
  otherwise gets a thread of its own (asgiref's ``ThreadSensitiveContext``), and with it a
  database connection: a burst of 200 asked PostgreSQL for 200. A request over the limit waits
  in the event loop (no thread, no connection) for up to ``HTTP_QUEUE_SECONDS``, then gets 503.
- ``DatabaseSaturationMiddleware`` (before anything reads the session): takes the request's
  database connection first, so that an exhausted pool (``PoolTimeout``) or a server out of
  connection slots answers 503 whichever middleware or view would have asked first; and turns a
  saturation error raised by a view (SQLite's "database is locked" after its busy timeout) into
  503 too.
- ``server_error`` (``handler500``): a connection refused for lack of room, met anywhere (in
  production; with DEBUG, Django shows its debug page instead), is 503.

A 503 changed nothing (the request had no connection, or the view's transaction rolled back). It is safe to send
the same form again after ``Retry-After`` seconds; questionnaire pages do so by themselves
(``outcomes/submit-fallback.js``) and show the crisis resources meanwhile when a risk answer is
among those not yet saved. The page and the JSON below need no database and no session.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sqlite3
import sys
import weakref
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]

# Served without the database or the gate: static files (the crisis page's script among them) and
# the liveness probe.
EXEMPT_PREFIXES = ("/healthz",)

# PostgreSQL's too_many_connections, and its messages when a connection is refused for it.
TOO_MANY_CONNECTIONS = "53300"
SATURATION_MESSAGES = ("too many clients", "remaining connection slots are reserved")


def _exempt(path: str) -> bool:
    return path.startswith((settings.STATIC_URL or "/static/", *EXEMPT_PREFIXES))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def no_connection(exc: BaseException) -> bool:
    """True if the request got no database connection for lack of room: the pool's wait timed
    out, or PostgreSQL refused a connection for lack of slots. Nothing can have been written."""
    from psycopg_pool import PoolTimeout

    for error in _chain(exc):
        if isinstance(error, PoolTimeout) or getattr(error, "sqlstate", None) == TOO_MANY_CONNECTIONS:
            return True
        if any(message in str(error).lower() for message in SATURATION_MESSAGES):
            return True
    return False


def is_saturation(exc: BaseException) -> bool:
    """``no_connection``, or SQLite's write lock not free within its busy timeout (raised by a
    view: its transaction rolled back)."""
    if no_connection(exc):
        return True
    return any(
        isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error).lower()
        for error in _chain(exc)
    )


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, otherwise a plain page with the crisis lines.
    Rendered without the database, the session or ``base.html`` (whose context needs the user)."""
    retry_after = int(getattr(settings, "HTTP_RETRY_AFTER", 5))
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {
                    "detail": _("The service is busy. Nothing was changed. Please try again shortly."),
                    "retry_after": retry_after,
                },
                status=503,
            )
        else:
            from paceway.clinic import offline_resources

            html = render_to_string(
                "503.html",
                {"retry_after": retry_after, "LANGUAGE_CODE": language, **offline_resources(language)},
            )
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class RequestGate:
    """ASGI: at most ``limit`` HTTP requests of this process in Django at once (see the module
    docstring). Outside Django on purpose: Django's handler gives a request its thread (for the
    ``request_started`` signal) before any middleware runs. A request over the limit waits here
    for ``queue_seconds``, holding no thread and no connection, then gets 503 with Retry-After."""

    def __init__(self, app: ASGIApp, *, limit: int | None = None, queue_seconds: float | None = None) -> None:
        self.app = app
        self.limit = int(settings.HTTP_CONCURRENCY if limit is None else limit)
        self.queue_seconds = float(settings.HTTP_QUEUE_SECONDS if queue_seconds is None else queue_seconds)
        # One semaphore per event loop (a semaphore belongs to the loop it first waits in).
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        gate = self._gate()
        try:
            async with asyncio.timeout(self.queue_seconds):
                await gate.acquire()
        except TimeoutError:
            logger.warning("Request waited %.0f s for a free slot: answered 503.", self.queue_seconds)
            await self._refuse(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            gate.release()

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        return gate

    @staticmethod
    async def _refuse(scope: dict[str, Any], send: Send) -> None:
        request = ASGIRequest(scope, io.BytesIO())  # the headers only: the body is never read
        response = unavailable(request)
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()]
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": response.content})


class DatabaseSaturationMiddleware:
    """Take the request's connection before anything else needs it; saturation is 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _exempt(request.path):
            try:
                connection.ensure_connection()
            except Exception as exc:
                if not is_saturation(exc):
                    raise
                logger.warning("No database connection for this request (%s): answered 503.", type(exc).__name__)
                return unavailable(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_saturation(exception):
            logger.warning("Database saturated during the request (%s): answered 503.", type(exception).__name__)
            return unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: no connection to be had, met anywhere, is 503. (Not SQLite's busy lock:
    met here, in a session save say, the view's work may already be committed.)"""
    exc = sys.exc_info()[1]
    if exc is not None and no_connection(exc):
        return unavailable(request)
    return defaults.server_error(request)
