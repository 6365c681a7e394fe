"""Writes for the program: enrolment, completion, exercises, tailoring, choices, preferences.

Keyword-only, atomic, audited. Callers check nothing themselves: every function asks ``access``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway.accounts import hooks
from paceway.accounts.models import User
from paceway.accounts.roles import is_patient
from paceway.audit.services import audit

from . import selectors, tailoring
from .access import can_do_program_work, can_enrol, can_tailor
from .forms import PARENT_KIND, ExerciseForm, form_for
from .models import (
    EndReason,
    Enrolment,
    ExerciseEntry,
    LessonAnswer,
    ModuleKind,
    ModulePlan,
    Program,
    ProgramReview,
    ReminderPreference,
    ReviewDecision,
    Step,
    StepCompletion,
    TailoringAction,
    TailoringEvent,
)
from .quizzes import Quiz

MAX_SECONDS_ON_STEP = 2 * 3600


class StepLocked(ValidationError):
    pass


class StaleEntry(ValidationError):
    pass


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Enrolment ------------------------------------------------------------------------------------------


@transaction.atomic
def enrol_patient(*, actor: User, patient: User, program: Program, start_date: date | None = None) -> Enrolment:
    _require(can_enrol(actor, patient))
    if not is_patient(patient) or not patient.is_active:
        raise ValidationError(_("Only an active patient can be enrolled."))
    if program.published_at is None:
        raise ValidationError(_("This program version is not published."))
    if Enrolment.objects.select_for_update().filter(patient=patient, ended_at__isnull=True).exists():
        raise ValidationError(_("This patient is already enrolled in a program."))
    enrolment = Enrolment.objects.create(
        patient=patient, program=program, start_date=start_date or timezone.localdate(), enrolled_by=actor
    )
    ModulePlan.objects.bulk_create(
        ModulePlan(enrolment=enrolment, module=m, position=m.number * 10, included=m.kind == ModuleKind.CORE)
        for m in program.modules.all()
    )
    audit(actor=actor, action="program.enrol", patient=patient, obj=enrolment)
    return enrolment


@transaction.atomic
def end_enrolment(*, actor: User, enrolment: Enrolment, reason: str, now: Any = None) -> Enrolment:
    """End the patient's program with the reason (one of ``EndReason``). Nothing else changes."""
    _require(can_tailor(actor, enrolment.patient))
    if reason not in EndReason.values:
        raise ValidationError(_("Choose why the program ends."))
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.ended_at is not None:
        raise ValidationError(_("This program has already ended."))
    locked.ended_at = now or timezone.now()
    locked.end_reason = reason
    locked.save(update_fields=["ended_at", "end_reason"])
    audit(actor=actor, action="program.end", patient=locked.patient, obj=locked)
    return locked


REVIEW_TEXT_MAX = 4000


@transaction.atomic
def record_program_review(
    *,
    actor: User,
    enrolment: Enrolment,
    what_helps: str,
    what_gets_in_the_way: str,
    patient_words: str,
    therapist_words: str,
    decision: str,
    scores: list[dict[str, str]] | None = None,
) -> ProgramReview:
    """The mid-program review, with both sides' words and the shared decision (the assigned
    therapist records it; the patient reads it in "Your plan"). ``scores``: the scores gone
    through, as the caller judged them (``ProgramReview.scores``)."""
    _require(can_tailor(actor, enrolment.patient))
    if enrolment.ended_at is not None:
        raise ValidationError(_("This program has ended."))
    texts = {
        "what_helps": (what_helps or "").strip(),
        "what_gets_in_the_way": (what_gets_in_the_way or "").strip(),
        "patient_words": (patient_words or "").strip(),
        "therapist_words": (therapist_words or "").strip(),
    }
    if not all(texts.values()):
        raise ValidationError(_("Write what helps, what gets in the way, and both your words and the patient's."))
    if any(len(t) > REVIEW_TEXT_MAX for t in texts.values()):
        raise ValidationError(_("Each answer can be up to 4,000 characters."))
    if decision not in ReviewDecision.values:
        raise ValidationError(_("Choose the decision you made together."))
    snapshot = [
        {key: str(line.get(key, ""))[:200] for key in ("label", "start", "end", "verdict")} for line in (scores or [])
    ]
    review = ProgramReview.objects.create(
        enrolment=enrolment,
        after_module=selectors.modules_completed(enrolment),
        decision=decision,
        scores=snapshot,
        created_by=actor,
        **texts,
    )
    audit(actor=actor, action="program.review.create", patient=enrolment.patient, obj=review)
    return review


@transaction.atomic
def consent_to_share_summary(*, actor: User, enrolment: Enrolment, share: bool) -> Enrolment:
    """The patient says yes (or no longer) to sending the discharge summary to their family physician."""
    if not (is_patient(actor) and enrolment.patient_id == actor.pk):
        raise PermissionDenied
    enrolment.summary_shared_at = timezone.now() if share else None
    enrolment.save(update_fields=["summary_shared_at"])
    audit(
        actor=actor, action="program.summary_consent." + ("give" if share else "withdraw"), patient=actor, obj=enrolment
    )
    return enrolment


def touch_activity(*, enrolment: Enrolment) -> None:
    """Record that the patient was here (at most one write a minute)."""
    now = timezone.now()
    updated = Enrolment.objects.filter(pk=enrolment.pk, last_active_at__lt=now - timedelta(minutes=1)).update(
        last_active_at=now
    ) or Enrolment.objects.filter(pk=enrolment.pk, last_active_at__isnull=True).update(last_active_at=now)
    if updated:
        enrolment.last_active_at = now


# Steps ----------------------------------------------------------------------------------------------


def _open_state(enrolment: Enrolment, step: Step) -> selectors.ModuleState:
    overview = selectors.program_overview(enrolment)
    state = next((s for s in overview.states if s.module.pk == step.module_id), None)
    if state is None or not state.is_open:
        raise StepLocked(_("This module is not open yet."))
    return state


@transaction.atomic
def complete_step(
    *, actor: User, enrolment: Enrolment, step: Step, seconds_on_step: int = 0
) -> tuple[StepCompletion, bool]:
    """Mark a step done. A retried request finds the existing row: it never counts twice."""
    _require(can_do_program_work(actor, enrolment.patient))
    existing = StepCompletion.objects.filter(enrolment=enrolment, step=step).first()
    if existing is not None:
        return existing, False
    state = _open_state(enrolment, step)
    seconds = max(0, min(int(seconds_on_step or 0), MAX_SECONDS_ON_STEP))
    try:
        with transaction.atomic():
            completion = StepCompletion.objects.create(enrolment=enrolment, step=step, seconds_on_step=seconds)
    except IntegrityError:  # a concurrent retry won the race
        return StepCompletion.objects.get(enrolment=enrolment, step=step), False
    if all(s.pk in state.done_step_ids or s.pk == step.pk for s in state.steps):
        ModulePlan.objects.filter(pk=state.plan.pk, completed_at__isnull=True).update(completed_at=timezone.now())
    touch_activity(enrolment=enrolment)
    audit(actor=actor, action="program.step_complete", patient=enrolment.patient, obj=completion)
    return completion, True


@transaction.atomic
def answer_lesson_questions(
    *, actor: User, enrolment: Enrolment, step: Step, quiz: Quiz, answers: dict[str, str]
) -> int:
    """Keep the patient's picks for the questions at the end of a lesson (none graded); a question
    answered again keeps the new pick. All or nothing: an unknown question or choice, or no answer
    at all, is refused with a message and nothing is saved. Returns how many answers were kept."""
    _require(can_do_program_work(actor, enrolment.patient))
    if step.slug != quiz.step or step.module.slug != quiz.module:
        raise ValidationError(_("These questions belong to another lesson."))
    _open_state(enrolment, step)
    if not answers:
        raise ValidationError(_("Nothing was saved: pick an answer to at least one question."))
    for question_id, choice_id in answers.items():
        question = quiz.question(question_id)
        if question is None or question.choice(choice_id) is None:
            raise ValidationError(_("Nothing was saved: one of the answers is not one of the choices."))
    now = timezone.now()
    for question_id, choice_id in answers.items():
        LessonAnswer.objects.update_or_create(
            enrolment=enrolment, step=step, question=question_id, defaults={"choice": choice_id, "answered_at": now}
        )
    touch_activity(enrolment=enrolment)
    audit(actor=actor, action="program.lesson_answers.saved", patient=enrolment.patient, obj=step)
    return len(answers)


# Exercises ------------------------------------------------------------------------------------------


def _validated(kind: str, payload: Any) -> ExerciseForm:
    form = form_for(kind, payload)
    if not form.is_valid():
        raise ValidationError({k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()})
    return form


def _check_parent(kind: str, patient: User, parent: ExerciseEntry | None) -> None:
    expected_parent = PARENT_KIND.get(kind)  # type: ignore[call-overload]
    if expected_parent:
        if parent is None or parent.patient_id != patient.pk or parent.kind != expected_parent:
            raise ValidationError(_("Choose one of your own entries to log this against."))
    elif parent is not None:
        raise ValidationError(_("This kind of entry is not logged against another."))


@transaction.atomic
def create_entry(
    *,
    actor: User,
    patient: User,
    kind: str,
    data: Mapping[str, Any],
    step: Step | None = None,
    parent: ExerciseEntry | None = None,
    submission_token: str = "",
) -> ExerciseEntry:
    """Store a new exercise entry from plain data (a form post or the API's JSON), validated by the
    kind's form; field errors come back as a ``ValidationError`` keyed by field. All or nothing.

    A repeated ``submission_token`` (a retry after a lost response) returns the entry already
    stored and stores nothing new."""
    _require(can_do_program_work(actor, patient))
    form = _validated(kind, data)
    _check_parent(kind, patient, parent)
    stored = _stored_entry(patient, submission_token)
    if stored is not None:
        return stored
    enrolment = selectors.active_enrolment(patient)
    if step is not None:
        if enrolment is None:
            raise StepLocked(_("You are not enrolled in a program."))
        _open_state(enrolment, step)
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a concurrent retry loses the race cleanly
            entry = ExerciseEntry.objects.create(
                patient=patient,
                kind=kind,
                step=step,
                parent=parent,
                entry_date=form.entry_date(),
                data=form.json_data(),
                created_at=now,
                updated_at=now,
                submission_token=submission_token,
            )
    except IntegrityError:
        stored = _stored_entry(patient, submission_token)
        if stored is None:
            raise
        return stored
    audit(actor=actor, action="exercise.create", patient=patient, obj=entry)
    _screen_free_text(actor, patient, kind, form)
    if step is not None and enrolment is not None:
        complete_step(actor=actor, enrolment=enrolment, step=step)
    elif enrolment is not None:
        touch_activity(enrolment=enrolment)
    return entry


@transaction.atomic
def update_entry(
    *, actor: User, patient: User, entry: ExerciseEntry, data: Mapping[str, Any], revision: int | None
) -> ExerciseEntry:
    """Change an entry from plain data, validated like a new one. ``revision`` is the one the
    editor opened: a form opened before someone else's save is refused, and nothing changes."""
    _require(can_do_program_work(actor, patient))
    if entry.patient_id != patient.pk:
        raise PermissionDenied
    form = _validated(entry.kind, data)
    _check_parent(entry.kind, patient, entry.parent)
    if revision is None:
        raise StaleEntry(_("This entry was changed since you opened it. Reload the page and try again."))
    updated = ExerciseEntry.objects.filter(pk=entry.pk, revision=revision).update(
        entry_date=form.entry_date(), updated_at=timezone.now(), revision=F("revision") + 1
    )
    if not updated:
        raise StaleEntry(_("This entry was changed since you opened it. Reload the page and try again."))
    entry.refresh_from_db()
    entry.data = form.json_data()  # sealed on save (paceway.keyring.fields), so not in update()
    entry.save(update_fields=["data"])
    audit(actor=actor, action="exercise.update", patient=patient, obj=entry)
    _screen_free_text(actor, patient, entry.kind, form)
    return entry


def _stored_entry(patient: User, token: str) -> ExerciseEntry | None:
    """The entry this submission token already stored, if any."""
    if not token:
        return None
    return ExerciseEntry.objects.filter(patient=patient, submission_token=token).first()


def _screen_free_text(actor: User, patient: User, kind: str, form: ExerciseForm) -> None:
    """The patient's own words go to the risk screen (a hook: never blocks the save)."""
    if getattr(actor, "pk", None) == patient.pk:
        texts = [value for value in form.cleaned_data.values() if isinstance(value, str) and value.strip()]
        if texts:
            hooks.free_text_written(patient, kind, texts)


# Tailoring ------------------------------------------------------------------------------------------

THERAPIST_ACTIONS = frozenset(tailoring.HANDLERS)  # the patient_* actions are the patient's own choices


@transaction.atomic
def tailor(
    *, actor: User, enrolment: Enrolment, module_slug: str, action: str, reason: str, note: str = ""
) -> TailoringEvent:
    """The assigned therapist changes one module of one patient's plan; the change is recorded."""
    _require(can_tailor(actor, enrolment.patient))
    if action not in THERAPIST_ACTIONS:
        raise ValidationError(_("Unknown change."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why, in words the patient will read."))
    plan = (
        ModulePlan.objects.select_for_update()
        .select_related("module")
        .filter(enrolment=enrolment, module__slug=module_slug)
        .first()
    )
    if plan is None:
        raise ValidationError(_("This module is not part of the program."))
    fields = tailoring.HANDLERS[action](tailoring.Change(plan, note))
    if fields:
        plan.save(update_fields=fields)
    event = TailoringEvent.objects.create(
        enrolment=enrolment, module=plan.module, actor=actor, action=action, reason=reason
    )
    audit(actor=actor, action="program.tailor", patient=enrolment.patient, obj=event)
    return event


@transaction.atomic
def choose_optional_module(
    *, actor: User, enrolment: Enrolment, module_slug: str, include: bool
) -> TailoringEvent | None:
    """Shared decision-making: the patient adds or drops an optional module; the therapist sees it."""
    _require(can_do_program_work(actor, enrolment.patient))
    plan = (
        ModulePlan.objects.select_for_update()
        .select_related("module")
        .filter(enrolment=enrolment, module__slug=module_slug, module__kind=ModuleKind.OPTIONAL)
        .first()
    )
    if plan is None:
        raise ValidationError(_("Only optional modules can be chosen."))
    if plan.included == include:
        return None  # a repeated click changes nothing
    if not include and StepCompletion.objects.filter(enrolment=enrolment, step__module=plan.module).exists():
        raise ValidationError(_("You have already started this module, so it stays in your plan."))
    plan.included = include
    plan.chosen_by_patient = include
    fields = ["included", "chosen_by_patient"]
    if include:
        plan.position = tailoring.last_position(enrolment.pk) + 10
        fields.append("position")
    plan.save(update_fields=fields)
    action = TailoringAction.PATIENT_CHOSE if include else TailoringAction.PATIENT_DROPPED
    event = TailoringEvent.objects.create(enrolment=enrolment, module=plan.module, actor=actor, action=action)
    audit(actor=actor, action="program.choose_module", patient=enrolment.patient, obj=event)
    touch_activity(enrolment=enrolment)
    return event


# Reminders ------------------------------------------------------------------------------------------


@transaction.atomic
def update_reminder_preference(*, actor: User, patient: User, values: dict[str, Any]) -> ReminderPreference:
    _require(can_do_program_work(actor, patient))
    pref, _created = ReminderPreference.objects.select_for_update().get_or_create(patient=patient)
    for name in ("module_opened", "homework", "inactivity", "questionnaires", "messages", "quiet_start", "quiet_end"):
        if name in values:
            setattr(pref, name, values[name])
    pref.save()
    return pref


__all__ = [
    "StaleEntry",
    "StepLocked",
    "choose_optional_module",
    "complete_step",
    "create_entry",
    "enrol_patient",
    "tailor",
    "touch_activity",
    "update_entry",
    "update_reminder_preference",
]
