"""The patient's record pages: who has seen it (page and CSV), and the whole record (HTML to
print, JSON to keep). Patients only, their own record only; anyone else gets 404."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paceway.accounts import services as account_services
from paceway.accounts.access import may_break_glass
from paceway.accounts.models import User
from paceway.accounts.roles import is_privacy_officer, is_therapist
from paceway.audit.models import AuditEvent
from paceway.typing import AuthenticatedRequest

from . import pdf, selectors
from . import services as record_services
from .access import own_record_of
from .forms import (
    AccessFilterForm,
    AuditReportForm,
    BreakGlassForm,
    CorrectionAnswerForm,
    CorrectionForm,
    DisagreementForm,
)

SCHEMA = Path(__file__).with_name("record.schema.json")
PAGE = 100


@never_cache
@login_required
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
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
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    form, events = _filtered(request)
    if events is None:
        return render(request, "record/access_log.html", {"form": form, "rows": []}, status=400)
    page = Paginator(events, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "break_glass": selectors.break_glass_on(request.user),
        "page": page,
        "rows": selectors.access_log(request.user, page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "record/access_log.html", context)


@never_cache
@login_required
@require_GET
def access_log_csv(request: AuthenticatedRequest) -> HttpResponse:
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
def export_html(request: AuthenticatedRequest) -> HttpResponse:
    patient = own_record_of(request.user)
    record = selectors.export_record(actor=request.user, patient=patient, fmt="html")
    return render(request, "record/export.html", {"record": record, "now": timezone.now()})


@never_cache
@login_required
@require_GET
def export_json(request: AuthenticatedRequest) -> HttpResponse:
    patient = own_record_of(request.user)
    record = selectors.export_record(actor=request.user, patient=patient, fmt="json")
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="my-paceway-record-{timezone.localdate():%Y-%m-%d}.json"'
    return response


@never_cache
@login_required
@require_GET
def export_pdf(request: AuthenticatedRequest) -> HttpResponse:
    patient = own_record_of(request.user)
    record = selectors.export_record(actor=request.user, patient=patient, fmt="pdf")
    now = timezone.localtime()
    response = HttpResponse(pdf.render(record, generated_at=f"{now:%Y-%m-%d %H:%M}"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="my-paceway-record-{now:%Y-%m-%d}.pdf"'
    return response


@login_required
@require_GET
def schema(request: AuthenticatedRequest) -> HttpResponse:
    """The JSON Schema of the export (documentation: no health data)."""
    return JsonResponse(json.loads(SCHEMA.read_text()), json_dumps_params={"indent": 2})


# Break-glass ------------------------------------------------------------------------------------


def _break_glass_user(request: HttpRequest) -> User:
    user = request.user
    if not may_break_glass(user):
        raise Http404
    return user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: AuthenticatedRequest) -> HttpResponse:
    """Open a time-limited, reasoned access to a patient outside one's care team (administrators
    and clinical leads), and see one's own accesses."""
    actor = _break_glass_user(request)
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                access = account_services.open_break_glass(
                    actor=actor,
                    patient_id=form.cleaned_data["patient_id"],
                    reason=form.cleaned_data["reason"],
                    minutes=form.cleaned_data["minutes"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.warning(request, _("Break-glass access is open. Everything you read is recorded."))
                return redirect("record:break-glass-record", access_id=access.pk)
        status = 400
    context = {"form": form, "accesses": selectors.break_glass_by(actor), "now": timezone.now()}
    return render(request, "record/break_glass.html", context, status=status)


@never_cache
@login_required
@require_GET
def break_glass_record(request: AuthenticatedRequest, access_id: int) -> HttpResponse:
    """The patient's whole record, read under an open break-glass access (audited)."""
    actor = _break_glass_user(request)
    access = selectors.open_break_glass(actor, access_id)  # 404 once expired or closed
    record = selectors.export_record(actor=actor, patient=access.patient, fmt="break-glass")
    return render(request, "record/export.html", {"record": record, "now": timezone.now(), "break_glass": access})


@login_required
@require_POST
def close_break_glass(request: AuthenticatedRequest, access_id: int) -> HttpResponse:
    actor = _break_glass_user(request)
    if account_services.close_break_glass(actor=actor, access_id=access_id) is None:
        raise Http404
    messages.success(request, _("Break-glass access closed."))
    return redirect("record:break-glass")


# Privacy officer reports ------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def audit_report(request: AuthenticatedRequest) -> HttpResponse:
    """CSV of every access to one patient's record, or of everything one person accessed, over
    a period. Privacy officers (who read the audit log, never clinical content) only: an
    administrator's own actions are in these reports, so they are not the ones to read them."""
    if not is_privacy_officer(request.user):
        raise Http404
    form = AuditReportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "record/audit_report.html", {"form": form}, status=400 if request.GET else 200)
    data = form.cleaned_data
    with transaction.atomic():
        rows = list(
            selectors.audit_report(
                actor=request.user,
                subject=data["subject"],
                person_id=data["person_id"],
                since=data["since"],
                until=data["until"],
            )
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"audit-{data['subject']}-{data['person_id']}-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([_csv_safe(v) if isinstance(v, str) else v for v in row])
    return response


# Closing the account ----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def close_account(request: AuthenticatedRequest) -> HttpResponse:
    """The patient closes their account; the record is kept for the retention period, then
    destroyed (``services``)."""
    patient = own_record_of(request.user)
    keep_until = record_services._years_after(timezone.now(), record_services.retention_years())
    context: dict[str, Any] = {"keep_until": keep_until, "years": record_services.retention_years()}
    if request.method == "POST":
        if request.POST.get("confirm") != "close":
            context["error"] = _("Tick the box to confirm.")
            return render(request, "record/close.html", context, status=400)
        record_services.request_closure(actor=patient, patient=patient)
        logout(request)
        messages.success(request, _("Your account is closed. Your record is kept as the law requires, then destroyed."))
        return redirect("home")
    return render(request, "record/close.html", context)


# Corrections ------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def corrections(request: AuthenticatedRequest) -> HttpResponse:
    """The patient's correction requests (with deadlines and answers), and a new one."""
    patient = own_record_of(request.user)
    initial = {"about": request.GET.get("about", "")}
    form = CorrectionForm(request.POST or None, initial=initial, items=selectors.item_choices(patient))
    if request.method == "POST" and form.is_valid():
        try:
            record_services.request_correction(actor=patient, patient=patient, **form.request_values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your request is sent. The clinic answers within 30 days."))
            return redirect("record:corrections")
    context = {"form": form, "requests": selectors.corrections_of(patient), "disagree_form": DisagreementForm()}
    return render(request, "record/corrections.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def disagree(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    patient = own_record_of(request.user)
    form = DisagreementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your statement."))
        return redirect("record:corrections")
    try:
        record_services.add_disagreement(actor=patient, request_id=request_id, statement=form.cleaned_data["statement"])
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("record:corrections")
    messages.success(request, _("Your statement is kept with this part of your record."))
    return redirect("record:corrections")


@never_cache
@login_required
@require_GET
def corrections_to_answer(request: AuthenticatedRequest) -> HttpResponse:
    """A therapist's open correction requests from their caseload, oldest deadline first."""
    if not is_therapist(request.user):
        raise Http404
    return render(
        request, "record/corrections_to_answer.html", {"requests": selectors.corrections_to_answer(request.user)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def answer_correction(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    correction = selectors.correction_for_clinician(request.user, request_id)  # 404 unless on the care team
    form = CorrectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "accept":
                record_services.accept_correction(actor=request.user, request_id=correction.pk, amendment=data["text"])
            else:
                record_services.refuse_correction(actor=request.user, request_id=correction.pk, reason=data["text"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your answer is recorded and the patient can read it."))
            return redirect("record:corrections-to-answer")
    status = 400 if request.method == "POST" else 200
    return render(request, "record/answer_correction.html", {"correction": correction, "form": form}, status=status)
