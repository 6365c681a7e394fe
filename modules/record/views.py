"""The patient's record pages: who has seen it (page and CSV), and the whole record (HTML to
print, JSON to keep). Patients only, their own record only; anyone else gets 404."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from paceway.audit.models import AuditEvent

from . import selectors
from .access import own_record_of
from .forms import AccessFilterForm

SCHEMA = Path(__file__).with_name("record.schema.json")
PAGE = 100


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    own_record_of(request.user)
    return render(request, "record/index.html")


def _filtered(request: HttpRequest) -> tuple[AccessFilterForm, QuerySet[AuditEvent] | None]:
    patient = own_record_of(request.user)
    form = AccessFilterForm(request.GET or None, people=selectors.access_people(patient))
    if not request.GET:
        return form, selectors.access_events(patient.pk)
    if not form.is_valid():
        return form, None
    return form, selectors.access_events(patient.pk, **form.filters())


@never_cache
@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    if events is None:
        return render(request, "record/access_log.html", {"form": form, "rows": []}, status=400)
    page = Paginator(events, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": selectors.access_log(request.user, page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "record/access_log.html", context)


@never_cache
@login_required
@require_GET
def access_log_csv(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    if events is None:
        return render(request, "record/access_log.html", {"form": form, "rows": []}, status=400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="who-has-seen-my-record.csv"'
    writer = csv.writer(response)
    writer.writerow([_("When"), _("Who"), _("Role"), _("What"), _("Action code"), _("Item"), _("Audit event")])
    for row in selectors.access_log(request.user, events.iterator(chunk_size=1000)):
        item = f"{row.object_type} {row.object_id}".strip()
        writer.writerow([row.at.isoformat(), _csv_safe(row.who), row.role, row.what, row.action, item, row.event_id])
    return response


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is quoted as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@never_cache
@login_required
@require_GET
def export_html(request: HttpRequest) -> HttpResponse:
    patient = own_record_of(request.user)
    record = selectors.export_record(actor=request.user, patient=patient, fmt="html")
    return render(request, "record/export.html", {"record": record, "now": timezone.now()})


@never_cache
@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    patient = own_record_of(request.user)
    record = selectors.export_record(actor=request.user, patient=patient, fmt="json")
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="my-paceway-record-{timezone.localdate():%Y-%m-%d}.json"'
    return response


@login_required
@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    """The JSON Schema of the export (documentation: no health data)."""
    return JsonResponse(json.loads(SCHEMA.read_text()), json_dumps_params={"indent": 2})
