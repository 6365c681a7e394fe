"""Input validation for intakes, decisions and consent. Services validate with these too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Decision, DeviceAccess, Intake, YesNoUnsure

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SCALE_1_5 = [(n, str(n)) for n in range(1, 6)]

CARE_FIELDS = ("care_family_doctor", "care_physiotherapy", "care_pain_clinic", "care_psychology")
FLAG_FIELDS = (
    "flag_suicidal_plans",
    "flag_mania",
    "flag_substance_use",
    "flag_psychosis",
    "flag_ptsd_ocd",
    "flag_cannot_log_in_weekly",
)


class IntakeForm(forms.ModelForm[Intake]):
    pain_three_months = forms.TypedChoiceField(
        label=_("Have you had pain for 3 months or more?"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    pain_duration_months = forms.IntegerField(
        label=_("About how many months have you had this pain?"), required=False, min_value=0, max_value=1200
    )
    pain_condition = forms.CharField(label=_("What is your pain condition, in your own words?"), max_length=300)
    care_family_doctor = forms.BooleanField(label=_("A family doctor or nurse practitioner"), required=False)
    care_physiotherapy = forms.BooleanField(label=_("Physiotherapy"), required=False)
    care_pain_clinic = forms.BooleanField(label=_("A pain clinic"), required=False)
    care_psychology = forms.BooleanField(label=_("Psychology or counselling"), required=False)
    care_none = forms.BooleanField(label=_("No other care at the moment"), required=False)
    care_other = forms.CharField(label=_("Other care (optional)"), max_length=300, required=False)
    device_access = forms.ChoiceField(
        label=_("Do you have a computer, tablet or phone and internet access you can use?"),
        choices=DeviceAccess.choices,
        widget=forms.RadioSelect,
    )
    tech_comfort = forms.TypedChoiceField(
        label=_("How comfortable are you using websites and apps? (1 = not at all, 5 = very)"),
        choices=SCALE_1_5,
        coerce=int,
        widget=forms.RadioSelect,
    )
    weekly_minutes = forms.IntegerField(
        label=_("How many minutes a week could you spend on the program?"), min_value=0, max_value=7 * 24 * 60
    )
    prefers_in_person = forms.ChoiceField(
        label=_("Would you rather have care in person than online?"),
        choices=YesNoUnsure.choices,
        widget=forms.RadioSelect,
    )
    readiness = forms.TypedChoiceField(
        label=_("How ready do you feel to learn new skills to manage pain yourself? (1 = not ready, 5 = very ready)"),
        choices=SCALE_1_5,
        coerce=int,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Which language would you like the program in?"), choices=settings.LANGUAGES)
    flag_suicidal_plans = forms.BooleanField(
        label=_("I have current plans to end my life."),
        required=False,
        # A risk answer: the page shows the crisis resources if it cannot be saved (submit-fallback.js).
        widget=forms.CheckboxInput(attrs={"data-risk": ""}),
    )
    flag_mania = forms.BooleanField(
        label=_("I have periods of mania (very high mood or energy) that are not being treated."), required=False
    )
    flag_substance_use = forms.BooleanField(
        label=_("Alcohol or drug use is a problem for me at the moment."), required=False
    )
    flag_psychosis = forms.BooleanField(
        label=_("I have recently had psychosis (for example hearing or seeing things others do not)."), required=False
    )
    flag_ptsd_ocd = forms.BooleanField(
        label=_(
            "Post-traumatic stress (PTSD) or obsessive-compulsive problems (OCD) are my main difficulty, more than pain."
        ),
        required=False,
    )
    flag_cannot_log_in_weekly = forms.BooleanField(
        label=_("I would not be able to log in at least once a week."), required=False
    )

    class Meta:
        model = Intake
        fields = (
            "pain_three_months",
            "pain_duration_months",
            "pain_condition",
            *CARE_FIELDS,
            "care_none",
            "care_other",
            "device_access",
            "tech_comfort",
            "weekly_minutes",
            "prefers_in_person",
            "readiness",
            "language",
            *FLAG_FIELDS,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("pain_three_months") and data.get("pain_duration_months") is None:
            self.add_error("pain_duration_months", _("Say about how many months you have had this pain."))
        chosen = [name for name in CARE_FIELDS if data.get(name)]
        if data.get("care_none") and (chosen or (data.get("care_other") or "").strip()):
            self.add_error("care_none", _("You chose “no other care” and also some care. Please check."))
        if not (chosen or data.get("care_none") or (data.get("care_other") or "").strip()):
            self.add_error("care_none", _("Tell us what other care you have, or choose “no other care”."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale (for the clinical record)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    goals_and_preferences = forms.CharField(
        label=_("The patient's goals and preferences, from your conversation with them"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    explanation = forms.CharField(
        label=_("Explanation the patient will see"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("rationale", "goals_and_preferences", "explanation"):
            if name in data and not data[name].strip():
                self.add_error(name, _("This field is required."))
        return data
