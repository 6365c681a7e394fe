"""One Django form per exercise kind: the schema of ExerciseEntry.data, with clear messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import EndReason, ExerciseKind, ReminderPreference, TailoringAction
from .sleep import night

TEXT = {"max_length": 2000}


def _scale(label: Any, top: int = 10, **kw: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=top,
        widget=forms.NumberInput(attrs={"min": 0, "max": top}),
        error_messages={
            "min_value": _("Choose a number from 0 to %(top)s.") % {"top": top},
            "max_value": _("Choose a number from 0 to %(top)s.") % {"top": top},
            "required": _("Choose a number from 0 to %(top)s.") % {"top": top},
        },
        **kw,
    )


def _text(label: Any, *, required: bool = True, long: bool = True, help_text: Any = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput()
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text, max_length=2000 if long else 200
    )


class _DateInput(forms.DateInput):
    input_type = "date"


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=_DateInput(format="%Y-%m-%d"))


class ExerciseForm(forms.Form):
    """Base: ``entry_date_field`` names the field used as the entry's date."""

    entry_date_field: str | None = None
    no_future_dates: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Today" is the patient's today: the request activates their time zone.
        if self.entry_date_field and not self.is_bound:
            self.initial.setdefault(self.entry_date_field, timezone.localdate())
        for name in self.no_future_dates:
            if name in self.fields:
                self.fields[name].widget.attrs.setdefault("max", timezone.localdate().isoformat())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for name in self.no_future_dates:
            value = data.get(name)
            if value and value > today:
                self.add_error(
                    name,
                    _(
                        "This date is after today (%(today)s in your time zone, %(zone)s). Choose today or an earlier day."
                    )
                    % {"today": today.isoformat(), "zone": timezone.get_current_timezone_name()},
                )
        return data

    def entry_date(self) -> dt.date:
        value = self.cleaned_data.get(self.entry_date_field) if self.entry_date_field else None
        return value or timezone.localdate()

    def json_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, dt.date | dt.time):
                out[name] = value.isoformat()
            elif isinstance(value, Decimal):
                out[name] = float(value)
            else:
                out[name] = value
        return out


class PainDiaryForm(ExerciseForm):
    entry_date_field = "date"
    no_future_dates = ("date",)
    date = _date(_("Date"))
    pain = _scale(_("Pain today (0 = no pain, 10 = worst pain imaginable)"))
    activity = _text(_("What did you do today?"), long=False)
    mood = _scale(_("Mood today (0 = very low, 10 = very good)"))
    sleep_hours = forms.DecimalField(
        label=_("Hours of sleep last night"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        max_digits=3,
        error_messages={"min_value": _("Enter hours from 0 to 24."), "max_value": _("Enter hours from 0 to 24.")},
    )
    notes = _text(_("Notes (optional)"), required=False)


class SmartGoalForm(ExerciseForm):
    goal = _text(_("My goal"), long=False)
    specific = _text(_("Specific: what exactly will I do?"))
    measurable = _text(_("Measurable: how will I know I have done it?"))
    confidence = _scale(_("Achievable: how confident am I that I can do it? (0 to 10)"))
    relevant = _text(_("Relevant: why does this matter to me?"))
    target_date = _date(_("Time-bound: by when?"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target_date") and data["target_date"] < timezone.localdate():
            self.add_error("target_date", _("Choose a date from today onward."))
        return data


class GoalReviewForm(ExerciseForm):
    entry_date_field = "review_date"
    no_future_dates = ("review_date",)
    PROGRESS = (
        ("not_started", _("Not started yet")),
        ("some", _("Some progress")),
        ("most", _("Most of the way")),
        ("achieved", _("Achieved")),
    )
    review_date = _date(_("Date of review"))
    progress = forms.ChoiceField(label=_("How far did I get?"), choices=PROGRESS)
    what_helped = _text(_("What helped or got in the way?"))
    next_step = _text(_("My next step"), required=False)


class PacingPlanForm(ExerciseForm):
    activity = _text(_("Activity"), long=False)
    unit = forms.ChoiceField(
        label=_("Measured in"),
        choices=[("minutes", _("minutes")), ("repetitions", _("repetitions")), ("metres", _("metres"))],
    )
    baseline = forms.DecimalField(
        label=_("Baseline (what I can do on a good or bad day)"),
        min_value=Decimal("0.1"),
        max_value=10000,
        decimal_places=1,
        max_digits=6,
    )
    weekly_increase = forms.DecimalField(
        label=_("Increase each week"), min_value=0, max_value=10000, decimal_places=1, max_digits=6
    )
    notes = _text(_("How I will pace it (breaks, timer, reminders)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        base, inc = data.get("baseline"), data.get("weekly_increase")
        if base is not None and inc is not None and inc > base * Decimal("0.5"):
            self.add_error("weekly_increase", _("Build up slowly: increase by no more than half your baseline a week."))
        return data


class PacingLogForm(ExerciseForm):
    entry_date_field = "date"
    no_future_dates = ("date",)
    date = _date(_("Date"))
    amount = forms.DecimalField(label=_("How much I did"), min_value=0, max_value=10000, decimal_places=1, max_digits=6)
    pain_after = _scale(_("Pain afterwards (0 to 10)"))
    notes = _text(_("Notes (optional)"), required=False)


class RelaxationLogForm(ExerciseForm):
    entry_date_field = "date"
    no_future_dates = ("date",)
    TECHNIQUES = (
        ("breathing", _("Slow breathing")),
        ("pmr", _("Progressive muscle relaxation")),
        ("imagery", _("Guided imagery")),
        ("body_scan", _("Body scan or mindfulness")),
        ("other", _("Something else")),
    )
    date = _date(_("Date"))
    technique = forms.ChoiceField(label=_("Technique"), choices=TECHNIQUES)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=180,
        error_messages={"min_value": _("Enter 1 to 180 minutes."), "max_value": _("Enter 1 to 180 minutes.")},
    )
    tension_before = _scale(_("Tension before (0 to 10)"))
    tension_after = _scale(_("Tension after (0 to 10)"))
    notes = _text(_("What did you notice? (optional)"), required=False)


class ThoughtRecordForm(ExerciseForm):
    entry_date_field = "date"
    no_future_dates = ("date",)
    date = _date(_("Date"))
    situation = _text(_("Situation: where were you, what was happening?"))
    automatic_thought = _text(_("Automatic thought: what went through your mind?"))
    emotion = _text(_("Emotion"), long=False)
    intensity = _scale(_("How strong was the emotion? (0 to 100)"), top=100)
    evidence_for = _text(_("Evidence for the thought"))
    evidence_against = _text(_("Evidence against the thought"))
    balanced_thought = _text(_("A more balanced thought"))
    rerated_intensity = _scale(_("How strong is the emotion now? (0 to 100)"), top=100)


class PleasantActivityForm(ExerciseForm):
    entry_date_field = "planned_date"
    activity = _text(_("Activity"), long=False)
    planned_date = _date(_("Planned for"))
    planned_time = forms.TimeField(
        label=_("Time (optional)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    done = forms.BooleanField(label=_("I did it"), required=False)
    enjoyment = _scale(_("Enjoyment afterwards (0 to 10, optional)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("enjoyment") is not None and not data.get("done"):
            self.add_error("enjoyment", _("Rate your enjoyment once you have done the activity."))
        if data.get("done") and data.get("planned_date") and data["planned_date"] > timezone.localdate():
            self.add_error("done", _("An activity planned for a later date cannot be done yet."))
        return data


class FlareUpPlanForm(ExerciseForm):
    triggers = _text(_("My usual triggers"))
    warning_signs = _text(_("My early warning signs"))
    what_helps = _text(_("What helps me during a flare-up"))
    activity_changes = _text(_("How I will adjust my activities"))
    back_on_track = _text(_("How I will get back on track"))
    when_to_seek_care = _text(_("When I will contact my doctor or seek care"))
    support_people = _text(_("People who can help"), required=False)


class StayingWellPlanForm(ExerciseForm):
    helpful_skills = _text(_("The skills that help me most"))
    goals = _text(_("My goals for the next three months"))
    warning_signs = _text(_("Warning signs that I am slipping back"))
    action_plan = _text(_("What I will do if they show up"))
    support_people = _text(_("People who support me"), required=False)
    review_schedule = _text(_("When I will review this plan"), long=False)


def _minutes(label: Any, top: int) -> forms.IntegerField:
    message = _("Enter minutes from 0 to %(top)s.") % {"top": top}
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=top,
        error_messages={"min_value": message, "max_value": message, "required": message},
    )


class SleepDiaryForm(ExerciseForm):
    """One night. Sleep efficiency is computed (``modules.program.sleep``) and saved with the entry."""

    entry_date_field = "night_of"
    no_future_dates = ("night_of",)
    night_of = _date(_("The night starting on"))
    bedtime = forms.TimeField(
        label=_("When I went to bed"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes_to_fall_asleep = _minutes(_("Minutes it took to fall asleep"), 600)
    wakings = forms.IntegerField(
        label=_("Times I woke in the night"),
        min_value=0,
        max_value=30,
        error_messages={"min_value": _("Enter 0 to 30."), "max_value": _("Enter 0 to 30.")},
    )
    minutes_awake = _minutes(_("Minutes awake in the night, in total"), 900)
    rise_time = forms.TimeField(
        label=_("When I got up"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quality = _scale(_("How well I slept (0 = very badly, 10 = very well)"))
    notes = _text(_("Notes (optional)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needed = ("bedtime", "rise_time", "minutes_to_fall_asleep", "minutes_awake")
        if all(data.get(k) is not None for k in needed):
            try:
                result = night(
                    data["bedtime"], data["rise_time"], data["minutes_to_fall_asleep"], data["minutes_awake"]
                )
            except ValueError:
                self.add_error(None, _("The minutes awake do not fit between your bedtime and the time you got up."))
            else:
                self.night = result
        return data

    def json_data(self) -> dict[str, Any]:
        out = super().json_data()
        result = getattr(self, "night", None)
        if result is not None:
            out |= {
                "time_in_bed_minutes": result.in_bed_minutes,
                "sleep_minutes": result.asleep_minutes,
                "sleep_efficiency": round(result.efficiency, 1),
            }
        return out


class ProblemSolvingForm(ExerciseForm):
    """The classic steps: define the problem, a goal, options, pros and cons, choose, plan, review."""

    problem = _text(_("The problem, as specifically as I can put it"))
    goal = _text(_("What I want to be different (a realistic goal)"), long=False)
    options = _text(
        _("Every possible solution I can think of, one per line (do not judge them yet)"),
        help_text=_("Aim for at least three, even ones that seem unlikely."),
    )
    pros_and_cons = _text(_("For the best two or three: pros and cons of each"))
    chosen = _text(_("The solution I will try"), long=False)
    steps = _text(_("My plan: the steps, and when and where I will do each one"))
    obstacles = _text(_("What might get in the way, and what I will do then"), required=False)
    review_date = _date(_("When I will check how it went"))
    outcome = _text(_("How it went (fill in afterwards)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        options = [line for line in (data.get("options") or "").splitlines() if line.strip()]
        if data.get("options") and len(options) < 2:
            self.add_error("options", _("List at least two possible solutions, one per line."))
        return data


class ReflectionForm(ExerciseForm):
    text = _text(_("Your answer"), help_text=_("Your therapist can read this."))


FORMS: dict[str, type[ExerciseForm]] = {
    ExerciseKind.PAIN_DIARY: PainDiaryForm,
    ExerciseKind.SMART_GOAL: SmartGoalForm,
    ExerciseKind.GOAL_REVIEW: GoalReviewForm,
    ExerciseKind.PACING_PLAN: PacingPlanForm,
    ExerciseKind.PACING_LOG: PacingLogForm,
    ExerciseKind.RELAXATION_LOG: RelaxationLogForm,
    ExerciseKind.THOUGHT_RECORD: ThoughtRecordForm,
    ExerciseKind.PLEASANT_ACTIVITY: PleasantActivityForm,
    ExerciseKind.FLARE_UP_PLAN: FlareUpPlanForm,
    ExerciseKind.STAYING_WELL_PLAN: StayingWellPlanForm,
    ExerciseKind.REFLECTION: ReflectionForm,
    ExerciseKind.PRACTICE_LOG: ReflectionForm,
    ExerciseKind.SLEEP_DIARY: SleepDiaryForm,
    ExerciseKind.PROBLEM_SOLVING: ProblemSolvingForm,
}

# Kinds that are logged against a parent entry of another kind.
PARENT_KIND = {ExerciseKind.GOAL_REVIEW: ExerciseKind.SMART_GOAL, ExerciseKind.PACING_LOG: ExerciseKind.PACING_PLAN}


def form_for(
    kind: str, data: Any = None, *, initial: dict[str, Any] | None = None, prefix: str | None = None
) -> ExerciseForm:
    try:
        form_class = FORMS[kind]
    except KeyError:
        raise ValueError(f"unknown exercise kind {kind!r}") from None
    return form_class(data, initial=initial, prefix=prefix)


def labelled_fields(kind: str, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) pairs to show a saved entry."""
    form_class = FORMS.get(kind)
    if form_class is None:
        return []
    rows = []
    for name, fld in form_class.base_fields.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if isinstance(fld, forms.ChoiceField):
            value = dict(fld.choices).get(value, value)  # type: ignore[arg-type]
        elif isinstance(fld, forms.BooleanField):
            value = _("Yes") if value else _("No")
        rows.append((str(fld.label), value))
    return rows


class ReminderPreferenceForm(forms.ModelForm[ReminderPreference]):
    class Meta:
        model = ReminderPreference
        fields = ("module_opened", "homework", "inactivity", "questionnaires", "messages", "quiet_start", "quiet_end")
        widgets: ClassVar[dict[str, Any]] = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise ValidationError(_("Set both the start and the end of your quiet hours, or neither."))
        return data


class TailoringForm(forms.Form):
    module = forms.SlugField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[(a.value, a.label) for a in TailoringAction if not a.value.startswith("patient_")],
    )
    reason = forms.CharField(
        label=_("Why (the patient sees this)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("Personal note or assignment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EnrolForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=_DateInput(format="%Y-%m-%d"))


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the program ends"), choices=EndReason.choices)
