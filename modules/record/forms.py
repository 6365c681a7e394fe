from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AccessFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"since": data.get("since"), "until": data.get("until"), "actor_id": data.get("person")}


class BreakGlassForm(forms.Form):
    patient_id = forms.IntegerField(label=_("Patient number"), min_value=1)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you must read this record now. The patient will see it."),
    )
    minutes = forms.IntegerField(label=_("For how many minutes"), min_value=1, initial=60)


class AuditReportForm(forms.Form):
    SUBJECTS = (("patient", _("Every access to one patient's record")), ("user", _("Everything one person accessed")))

    subject = forms.ChoiceField(label=_("Report"), choices=SUBJECTS)
    person_id = forms.IntegerField(label=_("Patient or person number"), min_value=1)
    since = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


OTHER = "other:"


class CorrectionForm(forms.Form):
    about = forms.ChoiceField(label=_("Which part of your record"), required=False)
    item = forms.CharField(
        label=_("What should be corrected"),
        max_length=300,
        required=False,
        help_text=_("Needed when you chose 'Something else'. For example: my name, or the plan change of 6 January."),
    )
    correction = forms.CharField(
        label=_("What it should say, and why"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [(OTHER, _("Something else in my record")), *items]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["about"] = data.get("about") or OTHER
        if data["about"] == OTHER and not (data.get("item") or "").strip():
            self.add_error("item", _("Say what should be corrected."))
        return data

    def request_values(self) -> dict[str, Any]:
        """The service's arguments: which item (kind and id) or the patient's description."""
        data = self.cleaned_data
        kind, _sep, item_id = data["about"].partition(":")
        return {
            "item_kind": kind,
            "item_id": int(item_id) if item_id else None,
            "item": data.get("item", ""),
            "correction": data["correction"],
        }


class CorrectionAnswerForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    text = forms.CharField(
        label=_("The amendment (if you accept) or your reasons (if you refuse)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DisagreementForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement of disagreement"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
