"""Optional error tracking (``SENTRY_DSN``), scrubbed of anything that could be health data.

Events keep the exception type, its stack (file, line, function; no local variables), the URL
pattern and request id, and the user's id. Request bodies, query strings, cookies, headers
other than a few technical ones, and SQL breadcrumbs (their parameters) never leave.
"""

from __future__ import annotations

from typing import Any

SAFE_HEADERS = {"user-agent", "x-request-id", "content-type", "content-length", "host"}


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
        url = request.get("url")
        if isinstance(url, str):
            request["url"] = url.split("?", 1)[0]
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    event.pop("extra", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict) and isinstance(breadcrumbs.get("values"), list):
        breadcrumbs["values"] = [b for b in breadcrumbs["values"] if scrub_breadcrumb(b) is not None]
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any] | None:
    if crumb.get("category") in {"query", "redis", "django.db.backends"}:
        return None
    crumb.pop("data", None)
    return crumb


def init(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,  # type: ignore[arg-type]
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )
