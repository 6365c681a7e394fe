"""The safety plan: the seven parts of the Stanley-Brown plan, built by the patient and their
therapist together, versioned (every save a new row), sealed, every read audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from paceway.accounts.access import can_change_clinical, can_view_clinical
from paceway.audit.services import audit
from paceway.keyring.services import create_data_key, decrypt, encrypt

from .followup import no_null_bytes
from .models import SafetyPlan

PARTS = (
    ("warning_signs", _("1. Warning signs that a crisis may be developing")),
    ("coping_strategies", _("2. Things I can do on my own to take my mind off my problems")),
    ("distraction", _("3. People and places that help me take my mind off things")),
    ("help_people", _("4. People I can ask for help")),
    ("professionals", _("5. Professionals and crisis lines I can contact (9-8-8, 911, my clinic)")),
    ("safe_environment", _("6. Making my environment safer")),
    ("reasons_for_living", _("7. My reasons for living")),
)
PART_NAMES = tuple(name for name, _label in PARTS)


class SafetyPlanForm(forms.Form):
    # The version the writer started from: two people build the plan, so a save over a newer
    # version than the one on screen is refused (with the text kept) instead of erasing it.
    base_version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in PARTS:
            self.fields[name] = forms.CharField(
                label=label,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=3000,
                required=False,
                validators=[no_null_bytes],
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(str(data.get(name, "")).strip() for name in PART_NAMES):
            raise forms.ValidationError(_("Write at least one part of the plan."))
        return data


@dataclass(frozen=True)
class Plan:
    version: int
    saved_by: Any
    saved_at: Any
    parts: list[tuple[str, str, str]]  # (name, label, text)

    def initial(self) -> dict[str, str]:
        return {name: text for name, _label, text in self.parts}


def _context(row: SafetyPlan) -> str:
    return f"outcomes.safety_plan|{row.patient_id}|{row.version}|{row.data_key_id}"


def can_edit(user: Any, patient: Any) -> bool:
    """The patient and the therapist on their care team build it together."""
    return can_change_clinical(user, patient)


@transaction.atomic
def save_plan(*, actor: Any, patient: Any, data: Any) -> SafetyPlan:
    if not can_edit(actor, patient):
        raise PermissionDenied
    form = SafetyPlanForm(data)
    if not form.is_valid():
        raise ValidationError(
            {name: [e["message"] for e in errs] for name, errs in form.errors.get_json_data().items()}
        )
    latest = SafetyPlan.objects.select_related("saved_by").filter(patient_id=patient.pk).order_by("-version").first()
    base = form.cleaned_data.get("base_version")
    if latest is not None and base is not None and base != latest.version:
        raise ValidationError(
            _(
                "%(who)s saved a newer version (version %(v)s) while you were writing. Nothing was saved: "
                "your text is still below; compare it with the current plan and save again."
            ),
            params={"who": latest.saved_by, "v": latest.version},
            code="stale",
        )
    row = SafetyPlan(
        patient=patient,
        version=(latest.version + 1) if latest else 1,
        saved_by=actor,
        data_key=create_data_key(purpose="safety-plan"),
    )
    row.ciphertext = encrypt(
        row.data_key, json.dumps({n: form.cleaned_data[n].strip() for n in PART_NAMES}), context=_context(row)
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(_("The plan was just changed by someone else; reload to see it.")) from None
    audit(actor=actor, action="outcomes.safety_plan.save", patient=patient, obj=row)
    return row


def current_plan(*, viewer: Any, patient: Any) -> Plan | None:
    """The newest version, decrypted and audited; None if there is none yet."""
    if not can_view_clinical(viewer, patient):
        raise PermissionDenied
    with transaction.atomic():
        row = SafetyPlan.objects.filter(patient_id=patient.pk).select_related("data_key", "saved_by").first()
        if row is None:
            return None
        audit(actor=viewer, action="outcomes.safety_plan.read", patient=patient, obj=row)
        text = json.loads(decrypt(row.data_key, bytes(row.ciphertext), context=_context(row)))
    return Plan(row.version, row.saved_by, row.saved_at, [(n, str(label), str(text.get(n, ""))) for n, label in PARTS])


def versions(patient: Any) -> list[SafetyPlan]:
    """Version metadata only (no text)."""
    return list(SafetyPlan.objects.filter(patient_id=patient.pk).select_related("saved_by").defer("ciphertext"))
