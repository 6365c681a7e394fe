"""The CBT program: versioned content, enrolment, progress, tailoring, exercises, reminders."""

from __future__ import annotations

import copy
from datetime import time
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paceway.keyring.fields import SealedJSONField

from .languages import SOURCE_LANGUAGE, content_language


class ModuleKind(models.TextChoices):
    CORE = "core", _("Core")
    OPTIONAL = "optional", _("Optional")


class StepKind(models.TextChoices):
    LESSON = "lesson", _("Lesson")
    EXERCISE = "exercise", _("Exercise")
    REFLECTION = "reflection", _("Reflection")
    PRACTICE_LOG = "practice_log", _("Practice log")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")


class ExerciseKind(models.TextChoices):
    PAIN_DIARY = "pain_diary", _("Pain and activity diary")
    SMART_GOAL = "smart_goal", _("SMART goal")
    GOAL_REVIEW = "goal_review", _("Goal review")
    PACING_PLAN = "pacing_plan", _("Pacing plan")
    PACING_LOG = "pacing_log", _("Pacing log")
    RELAXATION_LOG = "relaxation_log", _("Relaxation practice")
    THOUGHT_RECORD = "thought_record", _("Thought record")
    PLEASANT_ACTIVITY = "pleasant_activity", _("Pleasant activity")
    FLARE_UP_PLAN = "flare_up_plan", _("Flare-up plan")
    STAYING_WELL_PLAN = "staying_well_plan", _("Staying-well plan")
    REFLECTION = "reflection", _("Reflection")
    PRACTICE_LOG = "practice_log", _("Practice plan")
    SLEEP_DIARY = "sleep_diary", _("Sleep diary")
    PROBLEM_SOLVING = "problem_solving", _("Problem solving")


# Activity increases: the "when to call your doctor now" box is shown with every one of them.
PACING_EXERCISES = {"pacing_plan", "pacing_log"}

# Kinds a content step may name in `exercise:` (the others are created from a parent entry).
STEP_EXERCISES = {
    "pain_diary",
    "smart_goal",
    "pacing_plan",
    "relaxation_log",
    "thought_record",
    "pleasant_activity",
    "flare_up_plan",
    "staying_well_plan",
    "sleep_diary",
    "problem_solving",
}


class PublishedContentError(ValidationError):
    pass


class _ImmutableOncePublished(models.Model):
    """Content rows refuse to change once their program is published."""

    # Human text in the languages other than English, written by the loader with the row:
    # {"fr": {"title": ..., ...}} for the names in TRANSLATED_FIELDS. English stays in the columns.
    translations = models.JSONField(default=dict, blank=True)
    TRANSLATED_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_display_copy", False) or (self.pk and self._program_published()):
            raise PublishedContentError(_("Published program content cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_display_copy", False) or self._program_published():
            raise PublishedContentError(_("Published program content cannot be deleted."))
        return super().delete(*args, **kwargs)

    def _program_published(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def in_language(self, language: str | None) -> Self:
        """This row as a person reading ``language`` sees it: the same row (same pk, so progress,
        links and completions are the step's, whatever the language) with its human text
        translated. English, or a language this row has no text for, gives the row itself.
        The copy is for display: saving or deleting it is refused."""
        wanted = content_language(language)
        text = (self.translations or {}).get(wanted)
        if not text:
            return self
        shown = copy.copy(self)
        for name in self.TRANSLATED_FIELDS:
            if name in text:
                setattr(shown, name, text[name])
        shown._display_copy = True  # type: ignore[attr-defined]
        shown._shown_language = wanted  # type: ignore[attr-defined]
        return shown

    @property
    def shown_language(self) -> str:
        """The language of the text this row carries (for ``lang=``: screen readers and "Listen"
        pronounce a lesson in its own language, even one shown in English on a French page)."""
        return str(getattr(self, "_shown_language", SOURCE_LANGUAGE))


class Program(_ImmutableOncePublished):
    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    days_between_modules = models.PositiveIntegerField(default=7)
    require_previous_complete = models.BooleanField(default=True)
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    TRANSLATED_FIELDS = ("title", "summary")

    class Meta:
        constraints = (models.UniqueConstraint(fields=["slug", "version"], name="program_slug_version_unique"),)
        ordering: ClassVar[list[str]] = ["slug", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def _program_published(self) -> bool:
        return Program.objects.filter(pk=self.pk, published_at__isnull=False).exists()


class Module(_ImmutableOncePublished):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="modules")
    slug = models.SlugField(max_length=80)
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ModuleKind.choices, default=ModuleKind.CORE)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    estimated_minutes = models.PositiveIntegerField(default=30)
    homework = models.JSONField(default=list, blank=True)

    TRANSLATED_FIELDS = ("title", "summary", "homework")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["program", "slug"], name="module_slug_unique"),
            models.UniqueConstraint(fields=["program", "number"], name="module_number_unique"),
        )
        ordering: ClassVar[list[str]] = ["program", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def is_optional(self) -> bool:
        return self.kind == ModuleKind.OPTIONAL

    def _program_published(self) -> bool:
        return Program.objects.filter(pk=self.program_id, published_at__isnull=False).exists()


class Step(_ImmutableOncePublished):
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="steps")
    slug = models.SlugField(max_length=80)
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    title = models.CharField(max_length=200)
    exercise = models.CharField(max_length=30, choices=ExerciseKind.choices, blank=True)
    instrument = models.CharField(max_length=80, blank=True)
    prompt = models.TextField(blank=True)
    body_markdown = models.TextField(blank=True)
    body_html = models.TextField(blank=True)

    TRANSLATED_FIELDS = ("title", "prompt", "body_markdown", "body_html")

    class Meta:
        constraints = (models.UniqueConstraint(fields=["module", "slug"], name="step_slug_unique"),)
        ordering: ClassVar[list[str]] = ["module", "order"]

    def __str__(self) -> str:
        return self.title

    def _program_published(self) -> bool:
        return Program.objects.filter(modules__pk=self.module_id, published_at__isnull=False).exists()


class EndReason(models.TextChoices):
    """Why a patient's program ended (IMMPACT: reasons for stopping), for the evaluation report."""

    COMPLETED = "completed", _("Completed the program")
    NO_TIME = "no_time", _("No time or energy for the program")
    NOT_HELPFUL = "not_helpful", _("Did not find it helpful")
    FEELING_BETTER = "better", _("Felt better and did not need it")
    HEALTH = "health", _("Health problems or a medical reason")
    UNWANTED_EFFECTS = "unwanted_effects", _("Unwanted effects of the program")
    TECHNICAL = "technical", _("Technical problems")
    STEPPED_UP = "stepped_up", _("Moved to in-person or multidisciplinary care")
    LOST_CONTACT = "lost_contact", _("Stopped responding")
    OTHER = "other", _("Another reason")


class Enrolment(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments")
    start_date = models.DateField()
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    # The patient agreed that their discharge summary may go to their family physician.
    summary_shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["patient"], condition=Q(ended_at__isnull=True), name="one_active_enrolment_per_patient"
            ),
        )

    def __str__(self) -> str:
        return f"Enrolment {self.pk}"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue as planned")
    ADJUST = "adjust", _("Adjust the plan")
    ADD_MODULE = "add_module", _("Add a module")
    STEP_UP = "step_up", _("Step up to in-person or multidisciplinary care")
    PAUSE = "pause", _("Pause the program")


class ProgramReview(models.Model):
    """The mid-program review the therapist and patient do together (after module 3 by default,
    ``settings.PROGRAM_REVIEW_AFTER_MODULE``): what helps, what gets in the way, both sides' words
    and the shared decision. The patient sees it in "Your plan"."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reviews")
    after_module = models.PositiveIntegerField()
    what_helps = models.TextField(_("What helps"))
    what_gets_in_the_way = models.TextField(_("What gets in the way"))
    patient_words = models.TextField(_("In the patient's words"))
    therapist_words = models.TextField(_("The therapist's view"))
    decision = models.CharField(_("Shared decision"), max_length=20, choices=ReviewDecision.choices)
    # The scores gone through together, as they stood when the review was recorded: a list of
    # {"label", "start", "end", "verdict"} strings (mood and worry judged by the paired rule), so
    # the patient reads in "Your plan" what was discussed, even after later scores.
    scores = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Review {self.pk} of enrolment {self.enrolment_id}"


class ModulePlan(models.Model):
    """One module in one patient's plan: its place, whether it is in, and the therapist's changes."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="plans")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    included = models.BooleanField(default=True)
    chosen_by_patient = models.BooleanField(default=False)
    open_early = models.BooleanField(default=False)
    held = models.BooleanField(default=False)
    extra_days = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["enrolment", "module"], name="plan_module_unique"),)
        ordering: ClassVar[list[str]] = ["enrolment", "position"]

    def __str__(self) -> str:
        return f"Plan {self.enrolment_id}/{self.module_id}"


class TailoringAction(models.TextChoices):
    OPEN_EARLY = "open_early", _("Opened early")
    HOLD = "hold", _("Put on hold")
    RELEASE = "release", _("Hold lifted")
    EXTEND = "extend", _("Extended by a week")
    ADD = "add", _("Added to your plan")
    SKIP = "skip", _("Taken out of your plan")
    MOVE_UP = "move_up", _("Moved earlier")
    MOVE_DOWN = "move_down", _("Moved later")
    NOTE = "note", _("Personal note")
    PATIENT_CHOSE = "patient_chose", _("You chose this module")
    PATIENT_DROPPED = "patient_dropped", _("You removed this module")


class TailoringEvent(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="tailoring_events")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=TailoringAction.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.module_id}"


class StepCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)
    seconds_on_step = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["enrolment", "step"], name="step_completed_once"),)

    def __str__(self) -> str:
        return f"Completion {self.enrolment_id}/{self.step_id}"


class ExerciseEntry(models.Model):
    """One saved exercise (diary day, goal, plan, record...). ``data`` is validated by a form per
    kind and sealed under the patient's key (diary notes and every other word they write)."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exercise_entries")
    kind = models.CharField(max_length=30, choices=ExerciseKind.choices)
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    entry_date = models.DateField(default=timezone.localdate)
    data = SealedJSONField(default=dict, null=True)  # null only in the database: sealed bytes
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The form render's token (paceway.submissions): a retried submission is stored once.
    submission_token = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["-entry_date", "-pk"]
        indexes = (models.Index(fields=["patient", "kind", "-entry_date"]),)
        constraints = (
            models.UniqueConstraint(
                fields=["patient", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="exercise_entry_submission_once",
            ),
        )
        verbose_name_plural = "exercise entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class ReminderReason(models.TextChoices):
    MODULE_OPENED = "module_opened", _("A new module has opened")
    HOMEWORK = "homework", _("Mid-week homework reminder")
    INACTIVITY = "inactivity", _("A nudge when I have not visited for a week")
    QUESTIONNAIRES = "questionnaires", _("A short check-in is waiting")


class ReminderPreference(models.Model):
    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    module_opened = models.BooleanField(_("E-mail me when a new module opens"), default=True)
    homework = models.BooleanField(_("Send me a mid-week homework reminder"), default=True)
    inactivity = models.BooleanField(_("Nudge me if I have not visited for a week"), default=True)
    questionnaires = models.BooleanField(_("E-mail me when a short check-in is waiting"), default=True)
    messages = models.BooleanField(_("E-mail me when my therapist sends a secure message"), default=True)
    quiet_start = models.TimeField(_("Quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("Quiet hours end"), null=True, blank=True)

    def __str__(self) -> str:
        return f"Reminder preferences of {self.patient_id}"

    def wants(self, reason: str) -> bool:
        return bool(getattr(self, reason, False))

    def is_quiet(self, local_time: time) -> bool:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local_time < self.quiet_end
        return local_time >= self.quiet_start or local_time < self.quiet_end


class ReminderSent(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=ReminderReason.choices)
    period = models.CharField(max_length=60)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["patient", "reason", "period"], name="reminder_once_per_period"),
        )

    def __str__(self) -> str:
        return f"{self.reason} {self.period}"


class LessonAnswer(models.Model):
    """A patient's answer to one question at the end of a core lesson (``modules/program/quizzes.py``).
    Never graded: kept so the patient sees their answer and feedback again and their therapist can
    talk it over. One row per question: answering again replaces the choice."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_answers")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    question = models.SlugField(max_length=80)
    choice = models.SlugField(max_length=80)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["enrolment", "step", "question"], name="lesson_answer_once_per_question"),
        )
        ordering: ClassVar[list[str]] = ["enrolment", "step", "id"]

    def __str__(self) -> str:
        return f"Answer {self.enrolment_id}/{self.step_id}/{self.question}"
