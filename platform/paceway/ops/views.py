from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from paceway.audit.middleware import proxy_count_mismatch

from .checks import CHECKS

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving requests."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Each dependency reported on its own; 503 if any is down."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - a health check reports any failure as down
            logger.warning("readiness check %s failed: %s", name, exc.__class__.__name__)
            results[name] = "down"
        else:
            results[name] = "ok"
    # Probed through the proxy, readiness also says whether TRUSTED_PROXY_COUNT matches the hops.
    mismatch = proxy_count_mismatch(request)
    if mismatch:
        results["proxy_count"] = mismatch
    ready = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if ready else "degraded", "checks": results}, status=200 if ready else 503)
