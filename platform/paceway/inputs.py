"""Bad input refused at the edge with a 400, before any view, service or database sees it.

- ``LimitedJSONParser`` (the API's JSON parser, ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): a
  body over ``API_MAX_JSON_BYTES``, nesting deeper than ``API_MAX_JSON_DEPTH`` (100,000 levels used
  to raise ``RecursionError`` inside ``json``: a 500), or a NUL character in any string or key.
- ``RejectNullCharactersMiddleware``: a NUL character in the path, the query string or a form
  field. PostgreSQL cannot store NUL in text (a 500) and SQLite would keep it. Django's form
  ``CharField`` refuses NUL (``ProhibitNullCharactersValidator``), but views that read
  ``request.POST`` directly (a reason, a note, a diary field) never pass through a form field;
  one check here covers every view, present and future.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

NUL = "\x00"
# What reading a form body can raise: too big or too many fields (SuspiciousOperation), not UTF-8
# (BadRequest), a broken multipart body, a client gone mid-read (OSError), undecodable bytes.
UNREADABLE_BODY = (SuspiciousOperation, BadRequest, MultiPartParserError, OSError, ValueError)


def max_json_bytes() -> int:
    return int(getattr(settings, "API_MAX_JSON_BYTES", 1024 * 1024))


def max_json_depth() -> int:
    return int(getattr(settings, "API_MAX_JSON_DEPTH", 32))


def json_problem(data: Any, *, max_depth: int) -> tuple[str | None, str] | None:
    """What is wrong with parsed JSON, as (top-level field or None, message), or None: nesting
    too deep, or a NUL character in a string or key. Iterative, so a structure just under the
    interpreter's recursion limit is walked safely."""
    nul = _("The request contains a null character.")
    stack: list[tuple[Any, int, str | None]] = [(data, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return field, nul
        elif isinstance(value, dict | list):
            if depth > max_depth:
                return None, _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": max_depth}
            if isinstance(value, dict):
                for key, item in value.items():
                    if NUL in key:
                        return None, nul
                    stack.append((item, depth + 1, key if depth == 1 else field))
            else:
                stack.extend((item, depth + 1, field) for item in value)
    return None


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with a size limit, a depth limit and no NUL characters: each a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = max_json_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("The request body is too large (at most %(bytes)d bytes).") % {"bytes": limit})
        try:
            data = json.loads(raw.decode(encoding))
        except RecursionError:
            raise ParseError(
                _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": max_json_depth()}
            ) from None
        except ValueError as exc:  # includes UnicodeDecodeError
            raise ParseError(_("The request body is not valid JSON.")) from exc
        problem = json_problem(data, max_depth=max_json_depth())
        if problem is not None:
            field, message = problem
            raise ParseError({field: [message]} if field else message)  # a field's error, as serializers give
        return data


def _has_nul(values: Any) -> bool:
    return any(NUL in key or any(NUL in v for v in items) for key, items in values.lists())


class RejectNullCharactersMiddleware:
    """A NUL character anywhere in the path, the query string or a form body: 400, nothing done."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if NUL in request.path or _has_nul(request.GET):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS") or request.content_type not in self.FORM_TYPES:
            return False  # JSON bodies: LimitedJSONParser
        try:
            return _has_nul(request.POST)
        except UNREADABLE_BODY:  # a malformed or oversized body: the view's own reading reports it
            return False

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        message = _("The request contains a null character, which is not allowed. Remove it and try again.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
