"""Pages. Thin: parse input, ask access, call services/selectors, render.

The questionnaire POST renders its result directly (no redirect) so the crisis panel is in the
very response that saved the answers.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paceway import submissions
from paceway.accounts.access import can_view_clinical, patient_for_clinical
from paceway.accounts.roles import is_administrator, is_patient, is_therapist
from paceway.typing import AuthenticatedRequest

from . import contact, evaluation, reads, selectors, services
from .access import alert_for, can_see_fallback_queue, is_clinical_lead
from .charts import evaluation_charts
from .clinic import offline_panel_context
from .instruments import WEEKLY_CHECK_IN, get_questionnaire
from .models import QuestionnaireResponse, RiskAlert
from .scoring import AnswerErrors

NOT_ANSWERS = {"csrfmiddlewaretoken", "reason", submissions.FIELD}


def _answer_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.POST.lists() if key not in NOT_ANSWERS for value in values]


def _require_patient(request: HttpRequest) -> None:
    if not is_patient(request.user):
        raise Http404


def _form_context(
    definition: Any,
    posted: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    *,
    patient: Any = None,
) -> dict[str, Any]:
    errors = errors or {}
    posted = posted or {}
    sections = [
        {
            "instrument": inst,
            "items": [
                {"item": item, "errors": errors.get(item.code, []), "value": posted.get(item.code, "")}
                for item in inst.items
            ],
        }
        for inst in definition.instruments
    ]
    general = [msg for code, msgs in errors.items() if code not in definition.items_by_code for msg in msgs]
    context: dict[str, Any] = {
        "questionnaire": definition,
        "sections": sections,
        "general_errors": general,
    }
    if patient is not None:
        # The crisis panel the page shows by itself if the answers cannot be saved now: the
        # clinic's lines for the patient's province, in the page, so nothing is asked then.
        context.update(offline_panel_context(contact.province_of(patient)))
    return context


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    _require_patient(request)
    definition = get_questionnaire(slug)
    if definition is None:
        raise Http404
    if request.method == "POST":
        try:
            submission = services.submit_response(
                actor=request.user,
                patient=request.user,
                questionnaire=slug,
                answers=_answer_pairs(request),
                submission_token=submissions.posted_token(request.POST),
            )
        except AnswerErrors as exc:
            context = _form_context(definition, request.POST.dict(), exc.errors, patient=request.user)
            context["submission_token"] = submissions.token_for_render(request.POST)
            return render(request, "outcomes/questionnaire.html", context, status=400)
        return _submitted(request, definition, submission)
    already = selectors.recently_answered(request.user, definition.slug)
    if already is not None and request.GET.get("again") != "1":
        # One baseline: the same questions were answered recently (e.g. at intake); not asked twice.
        remaining = [d for d in selectors.due_questionnaires(request.user) if d.key.startswith(already.key + ":")]
        return render(
            request,
            "outcomes/already_answered.html",
            {"questionnaire": definition, "item": already, "remaining": remaining},
        )
    context = _form_context(definition, patient=request.user)
    context["submission_token"] = submissions.new_token()
    return render(request, "outcomes/questionnaire.html", context)


def _submitted(request: HttpRequest, definition: Any, submission: Any) -> HttpResponse:
    """The page that answers a saved submission; it carries the crisis panel when needed."""
    return render(
        request,
        "outcomes/submitted.html",
        {
            "questionnaire": definition,
            "submission": submission,
            "crisis": submission.crisis,
            "panel": selectors.crisis_panel(submission.response.patient, alert=submission.alert)
            if submission.crisis
            else None,
            **screener_context(submission.alert),
            "scores": [
                {"label": s.scale.label, "total": s.stored, "band": s.band.label if s.band else ""}
                for s in submission.result.scores
            ],
        },
    )


@never_cache
@login_required
@require_GET
def progress(request: AuthenticatedRequest) -> HttpResponse:
    _require_patient(request)
    page = reads.own_progress(viewer=request.user, patient=request.user)
    context = {"patient": request.user, "charts": page.charts, "due": page.due, "upcoming": page.upcoming}
    return render(request, "outcomes/progress.html", {**context, "weekly": WEEKLY_CHECK_IN})


@never_cache
@login_required
@require_GET
def patient_scores(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    if not is_therapist(request.user):
        raise Http404
    patient = patient_for_clinical(request.user, patient_id)
    page = reads.clinical_scores(viewer=request.user, patient=patient)
    context = {"patient": patient, "charts": page.charts, "due": page.due, "open_alerts": page.open_alerts}
    return render(request, "outcomes/patient_scores.html", context)


@never_cache
@login_required
@require_GET
def export_json(request: AuthenticatedRequest) -> HttpResponse:
    _require_patient(request)
    bundle = reads.fhir_bundle(viewer=request.user, patient=request.user)
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = 'attachment; filename="paceway-questionnaires.json"'
    return response


# Discharge summary -----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def discharge_mine(request: AuthenticatedRequest) -> HttpResponse:
    """The patient's own summary; a POST gives (share=1) or withdraws consent to send it to their
    family physician."""
    from modules.program.models import Enrolment
    from modules.program.selectors import active_enrolment
    from modules.program.services import consent_to_share_summary

    _require_patient(request)
    if request.method == "POST":
        enrolment = (
            active_enrolment(request.user)
            or Enrolment.objects.filter(patient_id=request.user.pk).order_by("-enrolled_at").first()
        )
        if enrolment is None:
            raise Http404
        share = request.POST.get("share") == "1"
        consent_to_share_summary(actor=request.user, enrolment=enrolment, share=share)
        messages.success(
            request, _("Saved: your therapist can send it.") if share else _("Saved: it will not be sent.")
        )
        return redirect("outcomes:discharge")
    summary = reads.discharge(viewer=request.user, patient=request.user)
    return render(request, "outcomes/discharge.html", {"summary": summary, "mine": True})


@never_cache
@login_required
@require_GET
def discharge_for_patient(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    if not is_therapist(request.user):
        raise Http404
    patient = patient_for_clinical(request.user, patient_id)
    summary = reads.discharge(viewer=request.user, patient=patient)
    return render(request, "outcomes/discharge.html", {"summary": summary, "mine": False})


@never_cache
@login_required
@require_GET
def discharge_fhir(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    """The FHIR document for the family physician: only once the patient has agreed."""
    if not is_therapist(request.user):
        raise Http404
    patient = patient_for_clinical(request.user, patient_id)
    document = reads.physician_document(viewer=request.user, patient=patient)
    if document is None:
        message = _("The patient has not agreed to share the summary with their family physician.")
        return HttpResponse(json.dumps({"detail": message}), status=409, content_type="application/json")
    response = HttpResponse(json.dumps(document, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = 'attachment; filename="discharge-summary.json"'
    return response


# Alerts ------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def alerts(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not (is_therapist(user) or is_administrator(user)):
        raise Http404
    clinical = is_therapist(user)
    queues = reads.alert_queues(viewer=user, clinical=clinical)
    context = {
        "mine": queues.mine,
        "fallback": queues.fallback,
        "escalated": queues.escalated,
        "resolved": queues.resolved,
        "clinical": clinical,
        "is_lead": is_clinical_lead(user),
        "sees_fallback": can_see_fallback_queue(user),
        "ladder": ladder_description(),
    }
    return render(request, "outcomes/alerts.html", context)


def _alert_page(
    request: AuthenticatedRequest,
    alert: RiskAlert,
    *,
    attempt_form: Any = None,
    follow_up_form: Any = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    from .followup import AttemptForm, FollowUpForm, missing

    user = request.user
    record, person = reads.follow_up_record(viewer=user, alert=alert)
    context = {
        "alert": alert,
        "record": record,
        "missing": missing(record),
        "errors": errors or [],
        "contact": person,
        "can_message": can_view_clinical(user, alert.patient),
        "ladder": ladder_description(),
        "attempt_form": attempt_form or AttemptForm(initial={"reached": "no"}),
        "follow_up_form": follow_up_form or FollowUpForm(initial=record.initial()),
    }
    return render(request, "outcomes/alert.html", context, status=status)


@never_cache
@login_required
@require_GET
def alert_detail(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    """The follow-up record of one alert: contact, attempts, assessment, hand-over, resolve."""
    return _alert_page(request, alert_for(request.user, alert_id))


@login_required
@require_POST
def add_attempt(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    from .followup import AttemptForm

    alert = alert_for(request.user, alert_id)
    try:
        services.record_contact_attempt(actor=request.user, alert_id=alert.pk, data=request.POST)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        form = AttemptForm(request.POST, alert=alert)
        form.is_valid()
        return _alert_page(request, alert, attempt_form=form, errors=exc.messages, status=400)
    messages.success(request, _("Contact attempt recorded."))
    return redirect("outcomes:alert", alert_id=alert.pk)


@login_required
@require_POST
def save_follow_up(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    from .followup import FollowUpForm

    alert = alert_for(request.user, alert_id)
    try:
        services.save_follow_up(actor=request.user, alert_id=alert.pk, data=request.POST)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        form = FollowUpForm(request.POST)
        form.is_valid()
        return _alert_page(request, alert, follow_up_form=form, errors=exc.messages, status=400)
    messages.success(request, _("Follow-up record saved."))
    return redirect("outcomes:alert", alert_id=alert.pk)


@never_cache
@login_required
@require_GET
def handover(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    """The hand-over summary, printable (HTML) or downloaded (?format=txt)."""
    alert = alert_for(request.user, alert_id)
    record, person = reads.follow_up_record(viewer=request.user, alert=alert)
    context = {"alert": alert, "record": record, "contact": person}
    if request.GET.get("format") == "txt":
        from django.template.loader import render_to_string

        text = render_to_string("outcomes/handover.txt", context, request=request)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="handover-alert-{alert.pk}.txt"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "outcomes/handover.html", context)


def ladder_description() -> str:
    from .clinic import current_profile
    from .ladder import describe

    return describe(current_profile())


@login_required
@require_POST
def resolve_alert(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    alert = alert_for(request.user, alert_id)
    try:
        services.resolve_alert(actor=request.user, alert_id=alert.pk, note=request.POST.get("note", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return _alert_page(request, alert, errors=exc.messages, status=400)
    messages.success(request, _("The alert is resolved and your note is saved."))
    return redirect("outcomes:alerts")


@login_required
@require_POST
def acknowledge_alert(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    try:
        services.acknowledge_alert(actor=request.user, alert_id=alert_id)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Acknowledged. The alert stays open until you resolve it with a note."))
    return redirect("outcomes:alerts")


# The follow-up screener (C-SSRS) after a positive risk answer --------------------------------


def screener_context(
    alert: Any, posted: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The screener's form for an alert not screened yet (for any page that shows the panel)."""
    from .instruments import SCREENER

    if alert is None or alert.screener_id is not None or not alert.is_open:
        return {}
    form = _form_context(SCREENER, posted, errors)
    return {"screener_sections": form["sections"], "screener_errors": form["general_errors"], "screener_alert": alert}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def screener(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    """The patient's follow-up screen of their own alert; the crisis panel is always on the page
    (stronger when the triage level is high)."""
    _require_patient(request)
    alert = (
        RiskAlert.objects.select_related("therapist_at_creation")
        .filter(pk=alert_id, patient_id=request.user.pk)
        .first()
    )
    if alert is None:
        raise Http404
    status = 200
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            alert = services.submit_screener(actor=request.user, alert_id=alert.pk, answers=_answer_pairs(request))
        except PermissionDenied:
            raise Http404 from None
        except AnswerErrors as exc:
            context = screener_context(alert, request.POST.dict(), exc.errors)
            status = 400
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
    else:
        context = screener_context(alert)
    context["panel"] = selectors.crisis_panel(request.user, alert=alert, urgent=alert.triage_level == "high")
    return render(request, "outcomes/screener.html", context, status=status)


# The safety plan ------------------------------------------------------------------------------


def _safety_plan_page(request: HttpRequest, patient: Any, *, action: str) -> HttpResponse:
    from . import safety_plan

    status = 200
    errors: list[str] = []
    if request.method == "POST":
        try:
            safety_plan.save_plan(actor=request.user, patient=patient, data=request.POST)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form = safety_plan.SafetyPlanForm(request.POST)  # what was typed, kept
            form.is_valid()
            errors = [m for m in exc.messages if getattr(exc, "code", "") == "stale"]
            status = 409 if errors else 400
        else:
            messages.success(request, _("The safety plan is saved as a new version."))
            return redirect(action)
    plan = safety_plan.current_plan(viewer=request.user, patient=patient)
    if status == 200:
        initial = plan.initial() if plan else {}
        form = safety_plan.SafetyPlanForm(initial={**initial, "base_version": plan.version if plan else 0})
    from .clinic import current_profile, lines_for
    from .contact import province_of

    province = province_of(patient) if request.user.pk == patient.pk else ""
    context = {
        "form": form,
        "plan": plan,
        "patient": patient,
        "versions": safety_plan.versions(patient),
        "action": action,
        "stale_errors": errors,
        # Part 5 (professionals and crisis lines): the clinic's own lines, beside the plan.
        "crisis_lines": lines_for(current_profile(), province),
    }
    return render(request, "outcomes/safety_plan.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_safety_plan(request: AuthenticatedRequest) -> HttpResponse:
    _require_patient(request)
    return _safety_plan_page(request, request.user, action=request.path)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def patient_safety_plan(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    if not is_therapist(request.user):
        raise Http404
    patient = patient_for_clinical(request.user, patient_id)
    return _safety_plan_page(request, patient, action=request.path)


# Contact details ---------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str | None:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return target
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedRequest) -> HttpResponse:
    """The patient's own contact details (an intake step, editable any time)."""
    _require_patient(request)
    patient = request.user
    if request.method == "POST":
        form = contact.ContactForm(request.POST)
        try:
            contact.save_contact_details(actor=patient, patient=patient, data=request.POST)
        except ValidationError:
            form.is_valid()  # the same errors, for the page
            return render(request, "outcomes/contact.html", {"form": form, "next": _safe_next(request)}, status=400)
        messages.success(request, _("Your contact details are saved. Only your care team can see them."))
        return redirect(_safe_next(request) or "outcomes:contact")
    form = contact.contact_form_for(patient)
    return render(request, "outcomes/contact.html", {"form": form, "next": _safe_next(request)})


# Amendments --------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def amend(request: AuthenticatedRequest, response_id: int) -> HttpResponse:
    _require_patient(request)
    original = QuestionnaireResponse.objects.filter(pk=response_id, patient_id=request.user.pk).first()
    if original is None:
        raise Http404
    definition = get_questionnaire(original.questionnaire)
    if definition is None:
        raise Http404
    if request.method == "POST":
        try:
            submission = services.amend_response(
                actor=request.user,
                response_id=original.pk,
                answers=_answer_pairs(request),
                reason=request.POST.get("reason", ""),
            )
        except AnswerErrors as exc:
            context = _form_context(definition, request.POST.dict(), exc.errors, patient=request.user)
            context.update(amending=original, reason=request.POST.get("reason", ""))
            return render(request, "outcomes/questionnaire.html", context, status=400)
        except ValidationError as exc:
            context = _form_context(definition, request.POST.dict(), {"__all__": exc.messages}, patient=request.user)
            context.update(amending=original, reason="")
            return render(request, "outcomes/questionnaire.html", context, status=400)
        return _submitted(request, definition, submission)
    posted = reads.own_answers(viewer=request.user, patient=request.user, response=original).posted
    context = _form_context(definition, posted, patient=request.user)
    context.update(amending=original)
    return render(request, "outcomes/questionnaire.html", context)


# Program evaluation ------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def evaluation_page(request: AuthenticatedRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise Http404
    report = reads.program_evaluation(viewer=request.user)
    context = {"report": report, "min_cell": evaluation.MIN_CELL, "charts": evaluation_charts(report)}
    return render(request, "outcomes/evaluation.html", context)


@never_cache
@login_required
@require_GET
def evaluation_csv(request: AuthenticatedRequest) -> HttpResponse:
    if not is_administrator(request.user):
        raise Http404
    response = HttpResponse(reads.program_evaluation_csv(viewer=request.user), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="paceway-program-evaluation.csv"'
    return response
