"""Patient pages (this week, module reader, steps, exercises, diary, plan, settings) and the
therapist's read/tailor page. Thin: parse input, call services or selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from paceway import submissions
from paceway.accounts.access import active_therapist_of, can_manage_accounts, patient_for_clinical
from paceway.accounts.models import TherapistProfile, User
from paceway.accounts.roles import Role, is_patient
from paceway.typing import AuthenticatedRequest

from . import quizzes, reads, selectors, services
from .access import can_enrol, can_tailor
from .forms import (
    FORMS,
    PARENT_KIND,
    EndForm,
    EnrolForm,
    ReminderPreferenceForm,
    TailoringForm,
    form_for,
    labelled_fields,
)
from .languages import content_language
from .loader import latest_program
from .models import PACING_EXERCISES, ExerciseEntry, ExerciseKind, Step, StepKind
from .sleep import efficiency_svg

TIMER_SALT = "modules.step-opened"


def patient_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in, and a patient; anyone else is told nothing (404)."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_patient(request.user) or not request.user.is_active:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _reading_language(request: HttpRequest) -> str:
    """The program is shown in the language the page is in (the account's language once signed
    in, or the one just switched to): "fr-ca" reads the French content."""
    return content_language(getattr(request, "LANGUAGE_CODE", None) or get_language())


def _not_enrolled(request: HttpRequest) -> HttpResponse:
    return render(request, "modules/not_enrolled.html")


def _state_or_404(overview: selectors.Overview, module_slug: str) -> selectors.ModuleState:
    state = overview.by_slug.get(module_slug)
    if state is None:
        raise Http404
    return state


def _locked(request: HttpRequest, state: selectors.ModuleState) -> HttpResponse:
    return render(request, "modules/locked.html", {"state": state}, status=403)


def _questionnaire_url(step: Step) -> str | None:
    """Hook for the outcomes app: where this step's questionnaire is taken, if it exists yet."""
    try:
        return reverse("outcomes:questionnaire", args=[step.instrument])
    except NoReverseMatch:
        return None


# Patient pages ------------------------------------------------------------------------------------


def _journey_url() -> str | None:
    """Where a patient who is not enrolled yet sees their steps to week 1 (the screening app)."""
    try:
        return reverse("screening:status")
    except NoReverseMatch:
        return None


@patient_only
def home(request: AuthenticatedRequest) -> HttpResponse:
    enrolment = selectors.active_enrolment(request.user)
    if enrolment is None:
        journey = _journey_url()
        return redirect(journey) if journey else _not_enrolled(request)
    overview = reads.home_overview(
        viewer=request.user, patient=request.user, enrolment=enrolment, language=_reading_language(request)
    )
    current = overview.current
    therapist = active_therapist_of(request.user)
    return render(
        request,
        "modules/home.html",
        {
            "overview": overview,
            "current": current,
            "next_step": current.next_step if current and current.is_open else None,
            "unread_messages": selectors.unread_message_count(request.user),
            "recent_diary": selectors.entries_for(request.user, kind=ExerciseKind.PAIN_DIARY, limit=3),
            "therapist": therapist,
            "therapist_profile": TherapistProfile.objects.filter(user=therapist).first() if therapist else None,
        },
    )


@patient_only
def module_detail(request: AuthenticatedRequest, module: str) -> HttpResponse:
    enrolment = selectors.active_enrolment(request.user)
    if enrolment is None:
        return _not_enrolled(request)
    overview = selectors.program_overview(enrolment, language=_reading_language(request))
    state = _state_or_404(overview, module)
    if not state.is_open:
        return _locked(request, state)
    reads.open_module(viewer=request.user, patient=request.user, state=state)
    return render(request, "modules/module.html", {"state": state, "overview": overview})


@patient_only
@require_http_methods(["GET", "POST"])
def step_detail(request: AuthenticatedRequest, module: str, step: str) -> HttpResponse:
    enrolment = selectors.active_enrolment(request.user)
    if enrolment is None:
        return _not_enrolled(request)
    overview = selectors.program_overview(enrolment, language=_reading_language(request))
    state = _state_or_404(overview, module)
    step_obj = next((s for s in state.steps if s.slug == step), None)
    if step_obj is None:
        raise Http404
    if not state.is_open:
        return _locked(request, state)
    kind = step_obj.exercise
    form = None
    lesson_quiz = _lesson_quiz(enrolment, state, step_obj, _reading_language(request))
    quiz_error = ""
    if kind in FORMS and kind not in PARENT_KIND:
        form = form_for(kind, request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.create_entry(
                        actor=request.user,
                        patient=request.user,
                        kind=kind,
                        data=request.POST,
                        step=step_obj,
                        submission_token=submissions.posted_token(request.POST),
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Saved. Your therapist can see this."))
                    return redirect(_after_step(state, step_obj))
            else:
                form.add_error(None, _("Nothing was saved. Please correct the errors below."))
    elif request.method == "POST":
        if lesson_quiz is None:
            raise Http404
        quiz = lesson_quiz[0]
        picked = {q.id: request.POST[f"q-{q.id}"] for q in quiz.questions if request.POST.get(f"q-{q.id}")}
        try:
            services.answer_lesson_questions(
                actor=request.user, enrolment=enrolment, step=step_obj, quiz=quiz, answers=picked
            )
        except ValidationError as exc:
            quiz_error = " ".join(exc.messages)
        else:
            messages.success(request, _("Your answers are kept. Your therapist can see them."))
            return redirect(reverse("modules:step", args=[module, step]) + "#lesson-questions")
    entries = reads.step_entries(viewer=request.user, patient=request.user, step=step_obj, kind=kind)
    services.touch_activity(enrolment=enrolment)
    index = state.steps.index(step_obj)
    return render(
        request,
        "modules/step.html",
        {
            "state": state,
            "step": step_obj,
            "form": form,
            "entries": [(e, labelled_fields(e.kind, e.data)) for e in entries],
            "done": step_obj.pk in state.done_step_ids,
            "timer": signing.dumps(int(timezone.now().timestamp()), salt=TIMER_SALT),
            "previous_step": state.steps[index - 1] if index > 0 else None,
            "next_step": state.steps[index + 1] if index + 1 < len(state.steps) else None,
            "questionnaire_url": _questionnaire_url(step_obj) if step_obj.kind == StepKind.QUESTIONNAIRE else None,
            "submission_token": submissions.token_for_render(request.POST if request.method == "POST" else None),
            "lesson_quiz": lesson_quiz,
            "quiz_error": quiz_error,
        },
        status=400 if (form is not None and form.errors) or quiz_error else 200,
    )


def _lesson_quiz(
    enrolment: Any, state: selectors.ModuleState, step: Step, language: str
) -> tuple[quizzes.Quiz, list[selectors.AnsweredQuestion]] | None:
    """The questions at the end of this lesson (in the page's language), with the patient's kept
    answers, if it has any. They are answered on the lesson's own page (a POST to it)."""
    quiz = quizzes.quiz_for(enrolment.program.slug, state.module.slug, language)
    if quiz is None or quiz.step != step.slug:
        return None
    return quiz, selectors.lesson_questions(enrolment, step, quiz)


def _after_step(state: selectors.ModuleState, step: Step) -> str:
    index = state.steps.index(step)
    if index + 1 < len(state.steps):
        following = state.steps[index + 1]
        return reverse("modules:step", args=[state.module.slug, following.slug])
    return reverse("modules:module", args=[state.module.slug])


def _seconds_from_timer(value: str) -> int:
    try:
        opened = signing.loads(value, salt=TIMER_SALT, max_age=services.MAX_SECONDS_ON_STEP * 4)
    except (signing.BadSignature, TypeError):
        return 0
    return max(0, int(timezone.now().timestamp()) - int(opened))


@patient_only
@require_POST
def step_complete(request: AuthenticatedRequest, module: str, step: str) -> HttpResponse:
    enrolment = selectors.active_enrolment(request.user)
    if enrolment is None:
        raise Http404
    step_obj = get_object_or_404(Step, module__program=enrolment.program, module__slug=module, slug=step)
    try:
        _c, created = services.complete_step(
            actor=request.user,
            enrolment=enrolment,
            step=step_obj,
            seconds_on_step=_seconds_from_timer(request.POST.get("timer", "")),
        )
    except services.StepLocked as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("modules:home")
    if created:
        messages.success(request, _("Step done."))
    # Back to the step that was done: the notice, the "Done" mark and the link to the next step
    # are on one page (the next step's page would show a notice about a step it is not).
    return redirect("modules:step", module=module, step=step)


@patient_only
@require_http_methods(["GET", "POST"])
def exercise_list(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    """Diary and other logs: history plus a form for a new entry (diary, logs against a plan...)."""
    if kind not in FORMS:
        raise Http404
    parent_kind = PARENT_KIND.get(kind)  # type: ignore[call-overload]
    parents = selectors.entries_for(request.user, kind=parent_kind) if parent_kind else []
    form = form_for(kind, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        parent = None
        if parent_kind:
            parent = ExerciseEntry.objects.filter(
                pk=_int(request.POST.get("parent")) or 0, patient_id=request.user.pk, kind=parent_kind
            ).first()
            if parent is None:
                form.add_error(None, _("Choose one of your own entries to log this against."))
        if not form.errors and form.is_valid():
            try:
                services.create_entry(
                    actor=request.user,
                    patient=request.user,
                    kind=kind,
                    data=request.POST,
                    parent=parent,
                    submission_token=submissions.posted_token(request.POST),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved. Your therapist can see this."))
                return redirect("modules:exercises", kind=kind)
        if form.is_bound and not form.non_field_errors():
            form.add_error(None, _("Nothing was saved. Please correct the errors below."))
    entries = reads.entries(viewer=request.user, patient=request.user, kind=kind)
    return render(
        request,
        "modules/exercise_list.html",
        {
            "kind": kind,
            "kind_label": ExerciseKind(kind).label,
            "red_flags": kind in PACING_EXERCISES,
            "form": form,
            "parents": parents,
            "entries": [(e, labelled_fields(e.kind, e.data)) for e in entries],
            "chart": [e for e in entries if kind == ExerciseKind.PAIN_DIARY][:14],
            "sleep_chart": efficiency_svg(entries) if kind == ExerciseKind.SLEEP_DIARY and entries else None,
            "sleep_rows": [e for e in entries if kind == ExerciseKind.SLEEP_DIARY][:14],
            "submission_token": submissions.token_for_render(request.POST if request.method == "POST" else None),
        },
        status=400 if form.errors else 200,
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@patient_only
@require_http_methods(["GET", "POST"])
def entry_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = ExerciseEntry.objects.filter(pk=pk, patient_id=request.user.pk).first()
    if entry is None:
        raise Http404
    if request.method == "POST":
        form = form_for(entry.kind, request.POST)
        status = 400
        if form.is_valid():
            try:
                services.update_entry(
                    actor=request.user,
                    patient=request.user,
                    entry=entry,
                    data=request.POST,
                    revision=_int(request.POST.get("revision")),
                )
            except services.StaleEntry as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("modules:exercises", kind=entry.kind)
    else:
        form = form_for(entry.kind, initial=reads.entry_values(viewer=request.user, patient=request.user, entry=entry))
        status = 200
    return render(request, "modules/entry_edit.html", {"entry": entry, "form": form}, status=status)


@patient_only
@require_http_methods(["GET", "POST"])
def plan(request: AuthenticatedRequest) -> HttpResponse:
    enrolment = selectors.active_enrolment(request.user)
    if enrolment is None:
        return _not_enrolled(request)
    if request.method == "POST":
        try:
            services.choose_optional_module(
                actor=request.user,
                enrolment=enrolment,
                module_slug=request.POST.get("module", ""),
                include=request.POST.get("include") == "1",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your plan is updated. Your therapist will see your choice."))
        return redirect("modules:plan")
    page = reads.plan(
        viewer=request.user, patient=request.user, enrolment=enrolment, language=_reading_language(request)
    )
    context = {"overview": page.overview, "history": page.history, "reviews": page.reviews}
    return render(request, "modules/plan.html", context)


@patient_only
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedRequest) -> HttpResponse:
    pref = selectors.reminder_preference(request.user)
    form = ReminderPreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        services.update_reminder_preference(actor=request.user, patient=request.user, values=form.cleaned_data)
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("modules:settings")
    return render(request, "modules/settings.html", {"form": form}, status=400 if form.errors else 200)


# Therapist pages ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def patient_program(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    """The assigned therapist reads the patient's program work and tailors the plan."""
    patient = patient_for_clinical(request.user, patient_id)
    if not can_tailor(request.user, patient):
        raise Http404
    enrolment = selectors.active_enrolment(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "enrolment": enrolment,
        "enrol_form": EnrolForm(initial={"start_date": timezone.localdate()}),
    }
    context.update(
        reads.patient_work(
            viewer=request.user, patient=patient, enrolment=enrolment, language=_reading_language(request)
        )
    )
    if enrolment is not None:
        context.update(tailoring_form=TailoringForm(), end_form=EndForm())
    return render(request, "modules/therapist_patient.html", context)


@login_required
@require_POST
def patient_tailor(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_clinical(request.user, patient_id)
    if not can_tailor(request.user, patient):
        raise Http404
    enrolment = selectors.active_enrolment(patient)
    if enrolment is None:
        raise Http404
    form = TailoringForm(request.POST)
    if form.is_valid():
        try:
            services.tailor(
                actor=request.user,
                enrolment=enrolment,
                module_slug=form.cleaned_data["module"],
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The plan is changed and the patient can see why."))
    else:
        messages.error(request, _("Nothing changed: give a reason the patient can read."))
    return redirect("modules:patient", patient_id=patient.pk)


@login_required
@require_POST
def patient_end(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    """The assigned therapist ends the active program, with the reason (for the evaluation)."""
    patient = patient_for_clinical(request.user, patient_id)
    if not can_tailor(request.user, patient):
        raise Http404
    enrolment = selectors.active_enrolment(patient)
    if enrolment is None:
        raise Http404
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing changed: choose why the program ends."))
    else:
        try:
            services.end_enrolment(actor=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The program has ended."))
    return redirect("modules:patient", patient_id=patient.pk)


@login_required
@require_POST
def patient_enrol(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    """The assigned therapist, or an administrator (who is then sent back to the console)."""
    if can_manage_accounts(request.user):
        patient = get_object_or_404(User, pk=patient_id, role=Role.PATIENT, is_active=True)
    else:
        patient = patient_for_clinical(request.user, patient_id)
    if not can_enrol(request.user, patient):
        raise Http404
    form = EnrolForm(request.POST)
    program = latest_program("chronic-pain") or latest_program()
    if program is None:
        messages.error(request, _("No program is loaded yet."))
    elif form.is_valid():
        try:
            services.enrol_patient(
                actor=request.user, patient=patient, program=program, start_date=form.cleaned_data["start_date"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Enrolled."))
    else:
        messages.error(request, _("Enter a valid start date."))
    if not can_tailor(request.user, patient):
        return redirect("home")
    return redirect("modules:patient", patient_id=patient.pk)
