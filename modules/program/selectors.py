"""Reads: a patient's plan, what is open, progress. A fixed number of queries per overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paceway.accounts import hooks
from paceway.accounts.models import User

from .languages import SOURCE_LANGUAGE
from .models import (
    PACING_EXERCISES,
    Enrolment,
    ExerciseEntry,
    LessonAnswer,
    Module,
    ModulePlan,
    Program,
    ProgramReview,
    ReminderPreference,
    Step,
    StepCompletion,
    TailoringEvent,
)
from .quizzes import Choice, Question, Quiz, quiz_for

MODULE_STATUS_LABELS = {
    "complete": _("complete"),
    "open": _("open"),
    "held": _("held"),
    "locked": _("locked"),
}


@dataclass
class ModuleState:
    plan: ModulePlan
    module: Module
    index: int  # 1-based place in this patient's sequence
    opens_on: date
    due_on: date
    is_open: bool
    is_complete: bool
    steps: list[Step]
    done_step_ids: set[int]
    paused: str | None = None  # why the whole program is paused (consent), shown when locked

    @property
    def status(self) -> str:
        if self.is_complete:
            return "complete"
        if self.is_open:
            return "open"
        if self.plan.held:
            return "held"
        return "locked"

    @property
    def status_label(self) -> str:
        return str(MODULE_STATUS_LABELS[self.status])

    @property
    def shows_red_flags(self) -> bool:
        """The "when to call your doctor now" box: in week 1 (the first module) and beside every
        pacing exercise, since graded activity starts there."""
        return self.index == 1 or any(s.exercise in PACING_EXERCISES for s in self.steps)

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.pk in self.done_step_ids)

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.pk not in self.done_step_ids), None)

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / len(self.steps)) if self.steps else 100


@dataclass
class Overview:
    enrolment: Enrolment
    today: date
    states: list[ModuleState]
    not_included: list[ModulePlan]
    steps_total: int
    steps_done: int
    by_slug: dict[str, ModuleState] = field(default_factory=dict)
    paused: str | None = None
    program: Program | None = None  # the enrolment's program, its text in the reader's language

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def modules_done(self) -> int:
        return sum(1 for s in self.states if s.is_complete)

    @property
    def current(self) -> ModuleState | None:
        """The first open, unfinished module; else the next one still to open."""
        for state in self.states:
            if state.is_open and not state.is_complete:
                return state
        return next((s for s in self.states if not s.is_complete), None)

    @property
    def finished(self) -> bool:
        return bool(self.states) and all(s.is_complete for s in self.states)


def review_after_module() -> int:
    """After how many completed modules the mid-program review is due (3 unless configured)."""
    return int(getattr(settings, "PROGRAM_REVIEW_AFTER_MODULE", 3))


def modules_completed(enrolment: Enrolment) -> int:
    """Included modules marked complete (what the dashboard counts, and what a review is after)."""
    return enrolment.plans.filter(included=True, completed_at__isnull=False).count()


def program_reviews(enrolment: Enrolment) -> list[ProgramReview]:
    return list(enrolment.reviews.select_related("created_by"))


def review_due(modules_done: int, reviews_after: list[int], *, after: int | None = None) -> bool:
    """Pure: due once ``after`` modules are complete and no review has been recorded since."""
    after = review_after_module() if after is None else after
    return modules_done >= after and not any(n >= after for n in reviews_after)


def active_enrolment(patient: User) -> Enrolment | None:
    return (
        Enrolment.objects.filter(patient_id=patient.pk, ended_at__isnull=True)
        .select_related("program", "patient")
        .first()
    )


def program_overview(enrolment: Enrolment, *, today: date | None = None, language: str = SOURCE_LANGUAGE) -> Overview:
    """Apply the opening rules to this patient's plan (a constant number of queries, whatever
    the history). A paused program (``hooks.program_pause_reason``: consent withdrawn, or a new
    consent version not yet agreed to) opens nothing new: only finished modules stay open.
    Modules and steps carry their text in ``language`` (the reader's); progress is the step's,
    so switching language keeps every completion."""
    today = today or timezone.localdate()
    paused = hooks.program_pause_reason(enrolment.patient)
    program = enrolment.program
    plans = list(enrolment.plans.select_related("module").order_by("position", "module__number"))
    for plan in plans:
        plan.module = plan.module.in_language(language)
    steps_by_module: dict[int, list[Step]] = {}
    for step in Step.objects.filter(module__program_id=program.pk).order_by("module_id", "order"):
        steps_by_module.setdefault(step.module_id, []).append(step.in_language(language))
    done = set(StepCompletion.objects.filter(enrolment=enrolment).values_list("step_id", flat=True))

    states: list[ModuleState] = []
    not_included: list[ModulePlan] = []
    offset_days = 0
    previous_complete = True
    index = 0
    for plan in plans:
        if not plan.included:
            not_included.append(plan)
            continue
        index += 1
        steps = steps_by_module.get(plan.module_id, [])
        opens_on = enrolment.start_date + timedelta(days=program.days_between_modules * (index - 1) + offset_days)
        offset_days += plan.extra_days
        due_on = opens_on + timedelta(days=program.days_between_modules + plan.extra_days)
        complete = bool(steps) and all(s.pk in done for s in steps)
        if complete:
            is_open = True
        elif paused or plan.held:
            is_open = False
        elif plan.open_early:
            is_open = True
        else:
            is_open = today >= opens_on and (previous_complete or not program.require_previous_complete)
        states.append(ModuleState(plan, plan.module, index, opens_on, due_on, is_open, complete, steps, done, paused))
        previous_complete = complete
    steps_total = sum(len(s.steps) for s in states)
    steps_done = sum(s.steps_done for s in states)
    overview = Overview(
        enrolment,
        today,
        states,
        not_included,
        steps_total,
        steps_done,
        paused=paused,
        program=program.in_language(language),
    )
    overview.by_slug = {s.module.slug: s for s in states}
    return overview


def tailoring_history(
    enrolment: Enrolment, *, language: str = SOURCE_LANGUAGE, limit: int = 200
) -> list[TailoringEvent]:
    """The latest changes to the plan, module titles in ``language``."""
    events = list(enrolment.tailoring_events.select_related("module", "actor")[:limit])
    for event in events:
        event.module = event.module.in_language(language)
    return events


def entries_for(patient: User, *, kind: str | None = None, limit: int = 200) -> list[ExerciseEntry]:
    qs = ExerciseEntry.objects.filter(patient_id=patient.pk)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.select_related("parent").order_by("-entry_date", "-pk")[:limit])


def reminder_preference(patient: User) -> ReminderPreference:
    pref = ReminderPreference.objects.filter(patient_id=patient.pk).first()
    return pref or ReminderPreference(patient_id=patient.pk)


def unread_message_count(patient: User) -> int:
    """The patient's unread secure messages (for the program home page), counted by the messaging
    app through ``accounts.hooks``: messaging depends on the program app, not the reverse."""
    return hooks.unread_messages(patient)


# Questions at the end of a lesson ------------------------------------------------------------------


@dataclass(frozen=True)
class AnsweredQuestion:
    """One question at the end of a lesson with what this patient picked (None: not answered)."""

    question: Question
    picked: Choice | None
    answered_at: Any = None


def lesson_questions(enrolment: Enrolment, step: Step, quiz: Quiz) -> list[AnsweredQuestion]:
    """The questions in order, each with the patient's kept answer (one query)."""
    kept = {a.question: a for a in LessonAnswer.objects.filter(enrolment=enrolment, step=step)}
    rows = []
    for question in quiz.questions:
        answer = kept.get(question.id)
        picked = question.choice(answer.choice) if answer else None
        rows.append(AnsweredQuestion(question, picked, answer.answered_at if answer and picked else None))
    return rows


@dataclass(frozen=True)
class LessonAnswers:
    """A module's questions as the therapist reads them, for the patient's answers."""

    module: Module
    answers: list[AnsweredQuestion]


def lesson_answers(enrolment: Enrolment, *, language: str) -> list[LessonAnswers]:
    """Every answered question of this enrolment, by module in program order, in ``language``
    (two queries). Answers to questions no longer in the content are left out."""
    by_step: dict[int, dict[str, LessonAnswer]] = {}
    steps: dict[int, Step] = {}
    for answer in LessonAnswer.objects.filter(enrolment=enrolment).select_related("step__module"):
        by_step.setdefault(answer.step_id, {})[answer.question] = answer
        steps[answer.step_id] = answer.step
    out = []
    for step in sorted(steps.values(), key=lambda s: (s.module.number, s.order)):
        quiz = quiz_for(enrolment.program.slug, step.module.slug, language)
        if quiz is None or quiz.step != step.slug:
            continue
        answered = []
        for question in quiz.questions:
            kept = by_step[step.pk].get(question.id)
            picked = question.choice(kept.choice) if kept else None
            if kept and picked:
                answered.append(AnsweredQuestion(question, picked, kept.answered_at))
        if answered:
            out.append(LessonAnswers(step.module.in_language(language), answered))
    return out
