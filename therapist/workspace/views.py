"""The therapist's dashboard and patient view, and the administrators' assignment console."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from modules.outcomes.models import RiskAlert
from modules.program.models import ReviewDecision
from paceway.accounts import services as account_services
from paceway.accounts.access import can_manage_accounts, can_tailor, patient_for_clinical
from paceway.accounts.models import CareAssignment, User
from paceway.accounts.roles import Role, is_therapist
from paceway.typing import AuthenticatedRequest
from therapist.screening import selectors as screening_selectors

from . import reads, selectors, services


def _require_therapist(request: HttpRequest) -> None:
    if not is_therapist(request.user):
        raise Http404


@login_required
@never_cache
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    _require_therapist(request)
    query = request.GET.get("q", "").strip()[:100]
    flag = request.GET.get("flag", "")
    all_rows = reads.caseload(viewer=request.user, query=query)
    rows = [row for row in all_rows if selectors.has_flag(row, flag)]
    awaiting = [row for row in all_rows if row.awaiting_since is not None]
    return render(
        request,
        "therapist/dashboard.html",
        {
            "rows": rows,
            "query": query,
            "flag": flag,
            "flags": selectors.FLAGS,
            "week_minutes": selectors.week_minutes(request.user),
            "not_reviewed": sum(1 for row in all_rows if row.review_due),
            "awaiting": len(awaiting),
            "overdue": sum(1 for row in awaiting if row.reply_overdue),
        },
    )


@login_required
@never_cache
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """Messages waiting for a reply across the caseload, the longest-waiting first."""
    _require_therapist(request)
    rows = reads.inbox(viewer=request.user)
    return render(
        request,
        "therapist/inbox.html",
        {
            "rows": rows,
            "overdue": sum(1 for row in rows if row.overdue),
            "reply_days": settings.REPLY_TARGET_BUSINESS_DAYS,
        },
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Private note"), widget=forms.Textarea, max_length=services.NOTE_MAX)


class ReviewForm(forms.Form):
    minutes = forms.IntegerField(label=gettext_lazy("Minutes spent this week"), min_value=1, max_value=240)


@login_required
@never_cache
def patient(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    _require_therapist(request)
    person = patient_for_clinical(request.user, patient_id)
    return _patient_page(request, person)


def _patient_page(
    request: AuthenticatedRequest, person: User, *, feedback_form: FeedbackForm | None = None, status: int = 200
) -> HttpResponse:
    """The patient page; a refused weekly feedback comes back here bound, so nothing typed is lost."""
    record = reads.patient_record(viewer=request.user, patient=person)
    alerts = RiskAlert.objects.filter(patient=person, status=RiskAlert.Status.OPEN)
    templates = selectors.message_templates(request.user)
    if feedback_form is None:
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
        feedback_form = FeedbackForm(initial={"body": chosen.body if chosen else "", "client_id": uuid.uuid4().hex})
    return render(
        request,
        "therapist/patient.html",
        {
            "person": person,
            "alerts": alerts,
            "note_form": NoteForm(),
            "review_form": ReviewForm(),
            "program_review_form": ProgramReviewForm(),
            "templates": templates,
            "feedback_form": feedback_form,
            **record,
        },
        status=status,
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Message to your patient"), widget=forms.Textarea, max_length=8000)
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


@login_required
@require_POST
def send_feedback(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    """Weekly feedback goes into the same secure conversation, through the messaging service."""
    from messaging.errors import MessagingError
    from messaging.services import send_message

    _require_therapist(request)
    person = patient_for_clinical(request.user, patient_id)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            send_message(
                sender=request.user,
                patient=person,
                client_id=form.cleaned_data["client_id"],
                body=form.cleaned_data["body"],
            )
        except MessagingError as exc:
            form.add_error("body" if exc.field == "body" else None, exc.message)
            messages.error(request, _("The message was not sent: %(reason)s") % {"reason": exc})
        else:
            messages.success(request, _("Message sent."))
            return redirect("therapist:patient", patient_id=person.pk)
    else:
        messages.error(request, _("The message was not sent: write up to 8,000 characters."))
    return _patient_page(request, person, feedback_form=form, status=400)


class TemplateForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea, max_length=4000)
    shared = forms.BooleanField(label=gettext_lazy("Share with all therapists (clinical leads)"), required=False)


@login_required
def templates_page(request: AuthenticatedRequest) -> HttpResponse:
    _require_therapist(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_message_template(therapist=request.user, **form.cleaned_data)
        except PermissionDenied:
            form.add_error("shared", _("Only clinical leads share templates."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("therapist:templates")
    return render(
        request, "therapist/templates.html", {"form": form, "templates": selectors.message_templates(request.user)}
    )


@login_required
@require_POST
def add_note(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    _require_therapist(request)
    person = patient_for_clinical(request.user, patient_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.add_clinical_note(therapist=request.user, patient=person, text=form.cleaned_data["text"])
        messages.success(request, _("Note saved."))
    else:
        messages.error(request, _("The note was not saved: write up to 20,000 characters."))
    return redirect("therapist:patient", patient_id=person.pk)


@login_required
@require_POST
def review(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    _require_therapist(request)
    person = patient_for_clinical(request.user, patient_id)
    if not can_tailor(request.user, person):
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.mark_week_reviewed(therapist=request.user, patient=person, minutes=form.cleaned_data["minutes"])
        messages.success(request, _("Marked as reviewed for this week."))
    else:
        messages.error(request, _("Enter the minutes spent, from 1 to 240."))
    return redirect("therapist:patient", patient_id=person.pk)


class ProgramReviewForm(forms.Form):
    what_helps = forms.CharField(label=gettext_lazy("What helps"), widget=forms.Textarea(attrs={"rows": 2}))
    what_gets_in_the_way = forms.CharField(
        label=gettext_lazy("What gets in the way"), widget=forms.Textarea(attrs={"rows": 2})
    )
    patient_words = forms.CharField(
        label=gettext_lazy("In the patient's words"), widget=forms.Textarea(attrs={"rows": 2})
    )
    therapist_words = forms.CharField(
        label=gettext_lazy("Your view (the patient reads this)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(label=gettext_lazy("Shared decision"), choices=ReviewDecision.choices)


@login_required
@require_POST
def program_review(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    """The mid-program review: recorded by the assigned therapist, read by the patient in their plan."""
    from modules.program import selectors as program
    from modules.program.services import record_program_review

    _require_therapist(request)
    person = patient_for_clinical(request.user, patient_id)
    if not can_tailor(request.user, person):
        raise Http404
    enrolment = program.active_enrolment(person)
    if enrolment is None:
        raise Http404
    form = ProgramReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing saved: fill in every part of the review and the decision."))
    else:
        try:
            record_program_review(
                actor=request.user, enrolment=enrolment, scores=selectors.review_snapshot(person), **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The review is saved; the patient sees it in their plan."))
    return redirect("therapist:patient", patient_id=person.pk)


class AssignForm(forms.Form):
    patient = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Patient"))
    therapist = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Therapist"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        patients = User.objects.filter(role=Role.PATIENT, is_active=True).order_by("display_name")
        therapists = User.objects.filter(role=Role.THERAPIST, is_active=True).order_by("display_name")
        self.fields["patient"].queryset = patients  # type: ignore[attr-defined]
        self.fields["therapist"].queryset = therapists  # type: ignore[attr-defined]


@login_required
@never_cache
def console(request: AuthenticatedRequest) -> HttpResponse:
    if not can_manage_accounts(request.user):
        raise Http404
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.assign_patient(
                actor=request.user,
                patient=form.cleaned_data["patient"],
                therapist=form.cleaned_data["therapist"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Assigned."))
            return redirect("therapist:console")
    assigned = CareAssignment.objects.filter(ended_at__isnull=True).values_list("patient_id", flat=True)
    waiting = list(
        User.objects.filter(role=Role.PATIENT, is_active=True).exclude(pk__in=assigned).order_by("date_joined")
    )
    stages = screening_selectors.stages_for([p.pk for p in waiting])
    order = {stage: i for i, stage in enumerate(screening_selectors.STAGE_ORDER)}
    rows = sorted(
        ((p, stages[p.pk], screening_selectors.STAGE_LABELS[stages[p.pk]]) for p in waiting),
        key=lambda row: (order[row[1]], row[0].date_joined),
    )
    therapists = account_services.therapists_with_load()
    return render(
        request,
        "therapist/console.html",
        {
            "form": form,
            "waiting": rows,
            "therapists": therapists,
            "assignable": [t for t in therapists if t.user.is_active and t.is_active_clinician and t.training_verified],
        },
    )


def assignment_history(request: HttpRequest, patient_id: int) -> HttpResponse:
    if not can_manage_accounts(request.user):
        raise Http404
    person = get_object_or_404(User, pk=patient_id, role=Role.PATIENT)
    rows = CareAssignment.objects.filter(patient=person).select_related("therapist", "assigned_by", "ended_by")
    return render(request, "therapist/history.html", {"person": person, "rows": rows})
