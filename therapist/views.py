from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from paceway.accounts.roles import is_administrator, is_therapist


def dashboard(request: HttpRequest) -> HttpResponse:
    if not is_therapist(request.user):
        raise Http404
    return render(request, "therapist/dashboard.html")


def console(request: HttpRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise Http404
    return render(request, "therapist/console.html")
