"""Pages. Thin: parse input, ask access, call services/selectors, render.

The intake POST renders the status page directly (no redirect) so the crisis panel is in the very
response that saved the answers. Strangers get 404; administrators never see intake answers.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from modules.outcomes.clinic import offline_panel_context
from modules.outcomes.contact import INTAKE_PREFIX, contact_form_for, has_contact_details, province_of
from modules.outcomes.models import RiskAlert
from modules.outcomes.selectors import crisis_panel
from modules.outcomes.views import screener_context
from paceway.accounts.access import active_therapist_of
from paceway.accounts.roles import is_patient, is_therapist
from paceway.accounts.services import therapists_with_load
from paceway.typing import AuthenticatedRequest

from . import reads, selectors, services
from .access import intake_for, is_screening_lead
from .forms import CARE_FIELDS, FLAG_FIELDS, DecisionForm, IntakeForm
from .models import Decision, Intake

NOT_ANSWERS = {"csrfmiddlewaretoken"}


def _require_patient(request: HttpRequest) -> None:
    if not is_patient(request.user):
        raise Http404


def _require_therapist(request: HttpRequest) -> None:
    if not is_therapist(request.user):
        raise Http404


def _label(field_name: str) -> Any:
    return cast(Any, Intake._meta.get_field(field_name)).verbose_name


def assignable_therapists() -> list[Any]:
    return [t for t in therapists_with_load() if t.user.is_active and t.is_active_clinician and t.training_verified]


def _crisis_context(patient: Any, alert: RiskAlert | None) -> dict[str, Any]:
    """The crisis panel, and whether the intake's contact-details step is still to do."""
    return {
        "panel": crisis_panel(patient, alert=alert, urgent=alert is not None and alert.triage_level == "high"),
        "needs_contact": not has_contact_details(patient),
        **screener_context(alert),
    }


def _sections(posted: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    posted = posted or {}
    errors = errors or {}
    return [
        {
            "instrument": inst,
            "items": [
                {"item": item, "errors": errors.get(item.code, []), "value": posted.get(item.code, "")}
                for item in inst.items
            ],
        }
        for inst in services.BASELINE
    ]


def _intake_page(
    request: HttpRequest,
    form: IntakeForm,
    *,
    contact_form: Any = None,
    posted: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    known = {code for inst in services.BASELINE for code in inst.items_by_code}
    general = [m for code, msgs in (errors or {}).items() if code not in known for m in msgs]
    context = {
        "form": form,
        "sections": _sections(posted, errors),
        "general_errors": general,
        "care_fields": [form[name] for name in (*CARE_FIELDS, "care_none")],
        "flag_fields": [form[name] for name in FLAG_FIELDS],
        # The contact step: filled in with the saved details when there are some.
        "contact_form": contact_form
        if contact_form is not None
        else contact_form_for(request.user, prefix=INTAKE_PREFIX),
        "has_errors": bool(errors) or bool(form.errors) or bool(contact_form is not None and contact_form.errors),
        # The crisis panel the page shows by itself if it cannot be saved now.
        **offline_panel_context(province_of(request.user)),
    }
    return render(request, "screening/intake.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def intake(request: AuthenticatedRequest) -> HttpResponse:
    _require_patient(request)
    patient = request.user
    refusal = services.intake_refusal(patient)
    if refusal:
        if request.method == "POST":
            messages.info(request, refusal)
        return redirect("screening:status")
    if request.method == "POST":
        answers = [(k, v) for k, values in request.POST.lists() if k not in NOT_ANSWERS for v in values]
        try:
            result = services.submit_intake(actor=patient, patient=patient, data=request.POST, answers=answers)
        except services.IntakeErrors as exc:
            return _intake_page(
                request,
                exc.form,
                contact_form=exc.contact_form,
                posted=request.POST.dict(),
                errors=exc.answer_errors,
                status=400,
            )
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect("screening:status")
        path = reads.journey(viewer=patient, patient=patient)
        alert = result.alerts[0] if result.alerts else None
        context = {
            "status": path.status,
            "journey": path,
            "just_submitted": True,
            "crisis": result.crisis,
            **_crisis_context(patient, alert),
        }
        return render(request, "screening/status.html", context)
    language = getattr(patient, "preferred_language", "") or request.LANGUAGE_CODE or "en"
    return _intake_page(request, IntakeForm(initial={"language": language[:2]}))


@never_cache
@login_required
@require_GET
def status(request: AuthenticatedRequest) -> HttpResponse:
    _require_patient(request)
    patient = request.user
    path = reads.journey(viewer=patient, patient=patient)
    alert = (
        RiskAlert.objects.filter(patient_id=patient.pk, status=RiskAlert.Status.OPEN).order_by("-created_at").first()
    )
    context = {"status": path.status, "journey": path, "crisis": path.status.risk, **_crisis_context(patient, alert)}
    return render(request, "screening/status.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent(request: AuthenticatedRequest) -> HttpResponse:
    _require_patient(request)
    patient = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "give":
                services.give_consent(actor=patient, patient=patient, version=request.POST.get("version"))
                messages.success(request, _("Thank you. Your consent is recorded."))
            elif action == "withdraw":
                services.withdraw_consent(actor=patient, patient=patient)
                messages.success(
                    request,
                    _(
                        "Your consent is withdrawn. Your therapist will see this and talk with you about what happens next."
                    ),
                )
            else:
                messages.error(request, _("Choose to give or withdraw your consent."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("screening:consent")
    page = reads.consent_page(viewer=patient, patient=patient)
    context = {
        "text": page.text,
        "current": page.current,
        "older_active": selectors.any_active_consent(patient) if page.current is None else None,
        "history": page.history,
    }
    return render(request, "screening/consent.html", context)


@never_cache
@login_required
@require_GET
def waiting(request: AuthenticatedRequest) -> HttpResponse:
    _require_therapist(request)
    therapist = request.user
    intakes = reads.waiting_intakes(viewer=therapist)
    withdrawn = reads.consents_withdrawn_while_enrolled(viewer=therapist)
    return render(
        request,
        "screening/waiting.html",
        {"intakes": intakes, "withdrawn": withdrawn, "is_lead": is_screening_lead(therapist)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest, intake_id: int) -> HttpResponse:
    _require_therapist(request)
    therapist = request.user
    item = intake_for(therapist, intake_id)
    form = DecisionForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = services.decide(actor=therapist, intake_id=item.pk, **form.cleaned_data)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                form.add_error(None, exc)
                status_code = 400
            else:
                if record.decision == Decision.ACCEPT and record.enrolment_id is None:
                    messages.success(request, _("Accepted. The program starts when a therapist is assigned."))
                elif record.decision == Decision.ACCEPT:
                    messages.success(request, _("Accepted and enrolled in the program."))
                else:
                    messages.success(request, _("Decision recorded. The patient can now see your explanation."))
                return redirect("screening:review", intake_id=item.pk)
        else:
            status_code = 400
    read = reads.intake_review(viewer=therapist, patient=item.patient, intake=item)
    decision = getattr(item, "decision", None)
    can_assign = (
        decision is not None
        and decision.decision == Decision.ACCEPT
        and active_therapist_of(item.patient) is None
        and is_screening_lead(therapist)
    )
    context = {
        "can_assign": can_assign,
        "assignable": assignable_therapists() if can_assign else [],
        "intake": item,
        "patient": item.patient,
        "summary": read.summary,
        "consent": read.consent,
        "consent_text": selectors.current_consent_text(),
        "open_alerts": read.open_alerts,
        "decision": decision,
        "form": form,
        "assigned_therapist": active_therapist_of(item.patient),
        "care": [_label(name) for name in (*CARE_FIELDS, "care_none") if getattr(item, name)],
        "flags": [_label(name) for name in FLAG_FIELDS if getattr(item, name)],
    }
    return render(request, "screening/review.html", context, status=status_code)


@never_cache
@login_required
@require_http_methods(["POST"])
def assign(request: AuthenticatedRequest, intake_id: int) -> HttpResponse:
    """A clinical lead assigns a therapist right after accepting an unassigned patient."""
    _require_therapist(request)
    item = intake_for(request.user, intake_id)
    try:
        services.assign_after_acceptance(
            actor=request.user, intake_id=item.pk, therapist_id=request.POST.get("therapist")
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("screening:review", intake_id=item.pk)
    messages.success(request, _("Assigned. The patient and the therapist are told by e-mail."))
    return redirect("screening:waiting")
