"""Session limits per role, and MFA before any page for therapists and administrators."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .language import language_of
from .mfa import mfa_satisfied
from .roles import role_of

LOGIN_AT = "paceway_login_at"
SEEN_AT = "paceway_seen_at"
SEEN_AT_RESOLUTION = 30  # seconds: idle limits are measured to within this

# Paths a clinician without MFA may still reach: to log in, enrol an authenticator, log out.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/i18n/")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def session_expired(role: str, *, login_at: float, seen_at: float, now: float) -> bool:
    """The one rule for HTTP requests and open sockets alike."""
    idle_limit = settings.SESSION_IDLE_MINUTES.get(role, 15) * 60
    absolute_limit = settings.SESSION_ABSOLUTE_HOURS * 3600
    return now - seen_at > idle_limit or now - login_at > absolute_limit


def session_deadline(role: str, *, login_at: float, seen_at: float) -> float:
    """When ``session_expired`` turns true unless the person is seen again (a time.time())."""
    idle_limit = settings.SESSION_IDLE_MINUTES.get(role, 15) * 60
    absolute_limit = settings.SESSION_ABSOLUTE_HOURS * 3600
    return min(seen_at + idle_limit, login_at + absolute_limit)


class SessionLimitMiddleware:
    """Idle limit (15 min clinicians, 30 min patients) and a 12-hour absolute limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        role = role_of(request.user)
        if role is not None:
            now = time.time()
            login_at = request.session.setdefault(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            if session_expired(role, login_at=login_at, seen_at=seen_at, now=now):
                logout(request)
                if _wants_json(request):
                    return JsonResponse({"detail": _("Your session has ended. Please log in again.")}, status=401)
                messages.info(request, _("For your privacy, you were logged out. Please log in again."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if now - seen_at >= SEEN_AT_RESOLUTION:
                # Writing the session on every request would cost a database write per page.
                request.session[SEEN_AT] = now
        return self.get_response(request)


class RequireClinicianMFAMiddleware:
    """allauth has no 'MFA required' switch: refuse everything else until TOTP is enrolled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(MFA_EXEMPT_PREFIXES) and not mfa_satisfied(user):
            if _wants_json(request):
                return JsonResponse({"detail": _("Set up two-step verification first.")}, status=403)
            messages.warning(request, _("Set up two-step verification before you continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages for signed-in people may hold health data: browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class UserTimeZoneMiddleware:
    """Every date and time on a page is shown in the signed-in person's own time zone (the
    clinic's for visitors and for people who have not chosen one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "time_zone", ""):
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """A signed-in person sees their account's language (``preferred_language``), whatever the
    browser says; the language cookie follows it, so the sign-in page after sign-out matches.
    Visitors keep LocaleMiddleware's choice (the cookie, then Accept-Language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            chosen = language_of(user)
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if not signed_in or cookie in response.cookies:  # visitors; or the switcher just set it
            return response
        chosen = language_of(user)  # read again: the request may have changed it
        if request.COOKIES.get(cookie) != chosen:
            response.set_cookie(
                cookie,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax" in settings
            )
        return response
