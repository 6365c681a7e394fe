"""Request id and client address for the audit log and the logs."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .context import client_ip_var, request_id_var, user_id_var

logger = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def forwarded_hops(request: HttpRequest) -> int:
    """How many addresses the proxies in front of us put in X-Forwarded-For (0 for a direct probe)."""
    return len([p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()])


def proxy_count_mismatch(request: HttpRequest) -> str | None:
    """The operator's error when TRUSTED_PROXY_COUNT is larger than the proxies a request came
    through: every user would then share the proxy's address (one rate-limit bucket, one audit IP).
    A request with no X-Forwarded-For at all is a direct probe (kubelet, Docker), not a mismatch."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    hops = forwarded_hops(request)
    if proxies and 0 < hops < proxies:
        return f"TRUSTED_PROXY_COUNT is {proxies} but this request came through {hops} proxy(ies): lower it to {hops}"
    return None


_mismatch_logged = False


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies saw (never a client-supplied header)."""
    global _mismatch_logged
    proxies: int = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [p.strip() for p in header.split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
        mismatch = proxy_count_mismatch(request)
        if mismatch and not _mismatch_logged:
            _mismatch_logged = True  # once per process: the readiness check keeps reporting it
            logger.error("%s", mismatch)
    return str(request.META.get("REMOTE_ADDR", ""))


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
            client_ip_var.reset(ip_token)
        response["X-Request-ID"] = request_id
        return response


class UserIdLogMiddleware:
    """After authentication: the signed-in user's id for log lines (never their name or e-mail)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        request.log_user_id = user_id  # type: ignore[attr-defined]
        token = user_id_var.set(user_id)
        try:
            return self.get_response(request)
        finally:
            user_id_var.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` to every record: from the request being handled, or from
    the request a record carries (Django logs a 4xx/5xx after the middleware has finished)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = request_id_var.get() or getattr(request, "request_id", "") or "-"
        user_id = user_id_var.get()
        record.user_id = user_id if user_id is not None else getattr(request, "log_user_id", None)
        return True
