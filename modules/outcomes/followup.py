"""The structured follow-up of a risk alert: forms, the sealed text, and what is still missing.

An alert is resolved only when its record is complete (``missing`` is empty): at least one
contact attempt; the clinician's assessment (level, protective factors, plan); at least one action
taken; a hand-over to a named service with a written summary when risk is high or the patient was
referred to a crisis service or emergency department; and a follow-up date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paceway.audit.services import audit
from paceway.keyring.services import decrypt

from .models import ContactAttempt, FollowUp, FollowUpAction, RiskAlert, RiskLevel

TEXT_FIELDS = ("protective_factors", "plan", "handover_summary")
CLOCK_SKEW = timedelta(minutes=5)


def no_null_bytes(value: str) -> None:
    if "\x00" in (value or ""):
        raise forms.ValidationError(gettext_lazy("This field contains a character that is not allowed."))


class AttemptForm(forms.Form):
    attempted_at = forms.DateTimeField(
        label=gettext_lazy("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=ContactAttempt.Method.choices)
    reached = forms.TypedChoiceField(
        label=gettext_lazy("Reached the patient?"),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, alert: RiskAlert | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alert = alert

    def clean_attempted_at(self) -> datetime:
        value: datetime = self.cleaned_data["attempted_at"]
        if value > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(gettext_lazy("An attempt cannot be in the future."))
        if self.alert is not None and value < self.alert.created_at - CLOCK_SKEW:
            raise forms.ValidationError(gettext_lazy("An attempt cannot be before the alert was raised."))
        return value


class FollowUpForm(forms.Form):
    risk_level = forms.ChoiceField(
        label=gettext_lazy("Your risk assessment"), choices=[("", "---"), *RiskLevel.choices], required=False
    )
    protective_factors = forms.CharField(
        label=gettext_lazy("Protective factors"),
        widget=forms.Textarea,
        max_length=4000,
        required=False,
        validators=[no_null_bytes],
    )
    plan = forms.CharField(
        label=gettext_lazy("Plan"), widget=forms.Textarea, max_length=4000, required=False, validators=[no_null_bytes]
    )
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("Actions taken"),
        choices=FollowUpAction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    handover_service = forms.CharField(
        label=gettext_lazy("Handed over to (named service)"), max_length=200, required=False, validators=[no_null_bytes]
    )
    handover_summary = forms.CharField(
        label=gettext_lazy("Hand-over summary (printable)"),
        widget=forms.Textarea,
        max_length=8000,
        required=False,
        validators=[no_null_bytes],
    )
    follow_up_on = forms.DateField(
        label=gettext_lazy("Follow-up date"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def clean_follow_up_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("follow_up_on")
        if value is not None and value < timezone.localdate() - timedelta(days=1):
            raise forms.ValidationError(gettext_lazy("The follow-up date cannot be in the past."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("handover_summary") and not data.get("handover_service"):
            self.add_error("handover_service", gettext_lazy("Name the service the summary is for."))
        return data


@dataclass
class Record:
    """The follow-up as the pages show it (text decrypted)."""

    alert: RiskAlert
    attempts: list[ContactAttempt]
    risk_level: str = ""
    protective_factors: str = ""
    plan: str = ""
    actions: list[str] = field(default_factory=list)
    handover_service: str = ""
    handover_summary: str = ""
    follow_up_on: date | None = None
    updated_by: Any = None
    updated_at: datetime | None = None

    @property
    def risk_level_label(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""

    @property
    def action_labels(self) -> list[str]:
        return [str(FollowUpAction(a).label) for a in self.actions if a in FollowUpAction.values]

    @property
    def needs_handover(self) -> bool:
        return self.risk_level == RiskLevel.HIGH or FollowUpAction.CRISIS_REFERRAL in self.actions

    def initial(self) -> dict[str, Any]:
        return {
            "risk_level": self.risk_level,
            "protective_factors": self.protective_factors,
            "plan": self.plan,
            "actions": self.actions,
            "handover_service": self.handover_service,
            "handover_summary": self.handover_summary,
            "follow_up_on": self.follow_up_on,
        }


def text_context(row: FollowUp) -> str:
    return f"outcomes.follow_up|{row.alert_id}|{row.data_key_id}"


def missing(record: Record) -> list[str]:
    """What the record still needs before the alert can be resolved (empty: complete)."""
    out = []
    if record.alert.kind == RiskAlert.Kind.TEXT:  # possible risk in text: the clinician's judgement
        if not record.risk_level:
            out.append(_("Record your risk assessment level."))
        return out
    if not record.attempts:
        out.append(_("Record at least one contact attempt."))
    if not record.risk_level:
        out.append(_("Record your risk assessment level."))
    if not record.protective_factors.strip():
        out.append(_("Record the protective factors."))
    if not record.plan.strip():
        out.append(_("Record the plan."))
    if not record.actions:
        out.append(_("Tick at least one action taken."))
    if record.needs_handover and not (record.handover_service.strip() and record.handover_summary.strip()):
        out.append(_("High risk or a crisis referral: write the hand-over summary and name the service."))
    if record.follow_up_on is None:
        out.append(_("Set a follow-up date."))
    return out


def load(alert: RiskAlert) -> Record:
    """The record of an alert, decrypted. Not audited: callers audit (``read_record``)."""
    record = Record(alert=alert, attempts=list(alert.attempts.select_related("recorded_by")))
    row = FollowUp.objects.filter(alert_id=alert.pk).select_related("data_key", "updated_by").first()
    if row is not None:
        text = json.loads(decrypt(row.data_key, bytes(row.ciphertext), context=text_context(row)))
        record.risk_level, record.actions = row.risk_level, list(row.actions)
        record.handover_service, record.follow_up_on = row.handover_service, row.follow_up_on
        record.updated_by, record.updated_at = row.updated_by, row.updated_at
        for name in TEXT_FIELDS:
            setattr(record, name, str(text.get(name, "")))
    return record


def read_record(*, viewer: Any, alert: RiskAlert) -> Record:
    """Audited read of the follow-up record (callers check ``can_act_on_alert`` first)."""
    with transaction.atomic():
        record = load(alert)
        audit(actor=viewer, action="outcomes.follow_up.read", patient=alert.patient, obj=alert)
    return record
