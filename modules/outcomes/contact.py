"""A patient's contact details: validate (phone numbers with ``phonenumbers``), seal, audit.

Read by the patient and by the clinicians who may act for them (``can_see_contact``): the care
team, and a clinical lead an alert reached. Every read writes an audit event; the audit event and
the logs never carry the details themselves.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from paceway.accounts.access import can_view_clinical
from paceway.accounts.roles import is_patient
from paceway.audit.services import audit
from paceway.keyring.services import create_data_key, decrypt, encrypt
from paceway.provinces import PROVINCES

from .models import ContactDetails

DEFAULT_REGION = "CA"  # numbers written without a country code are Canadian (or US: same plan)


def normalise_phone(value: str) -> str:
    """E.164 (``+14165550123``) or ValidationError. Empty stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a phone number, for example 416-555-0123.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This is not a valid phone number. Check the area code and the number of digits."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    number = phonenumbers.parse(e164, DEFAULT_REGION)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        return normalise_phone(super().clean(value))


class ContactForm(forms.Form):
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)
    phone = PhoneField(label=_("Phone number"), max_length=40)
    voicemail_ok = forms.BooleanField(label=_("It is safe to leave a voicemail"), required=False)
    text_ok = forms.BooleanField(label=_("It is safe to send a text message"), required=False)
    safe_times = forms.CharField(
        label=_("Safe times to call"), max_length=200, required=False, help_text=_("For example: weekdays after 5 pm")
    )
    emergency_name = forms.CharField(label=_("Emergency contact: name"), max_length=100)
    emergency_relationship = forms.CharField(label=_("Emergency contact: relationship to you"), max_length=60)
    emergency_phone = PhoneField(label=_("Emergency contact: phone number"), max_length=40)
    physician_name = forms.CharField(label=_("Family physician or nurse practitioner"), max_length=100, required=False)
    physician_clinic = forms.CharField(label=_("Their clinic"), max_length=150, required=False)
    province = forms.ChoiceField(label=_("Province or territory where you live"), choices=[("", "---"), *PROVINCES])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and "\x00" in value:
                self.add_error(name, _("This field contains a character that is not allowed."))
        return data


@dataclass(frozen=True)
class Contact:
    preferred_name: str = ""
    phone: str = ""
    voicemail_ok: bool = False
    text_ok: bool = False
    safe_times: str = ""
    emergency_name: str = ""
    emergency_relationship: str = ""
    emergency_phone: str = ""
    physician_name: str = ""
    physician_clinic: str = ""
    province: str = ""

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def emergency_phone_display(self) -> str:
        return display_phone(self.emergency_phone)


FIELDS = tuple(Contact.__dataclass_fields__)


def _context(row: ContactDetails) -> str:
    return f"outcomes.contact|{row.patient_id}|{row.data_key_id}"


def can_see_contact(user: Any, patient: Any, *, alert: Any = None) -> bool:
    """The patient, their care team, or a clinician who may act on one of their alerts."""
    if can_view_clinical(user, patient):
        return True
    if alert is not None and alert.patient_id == patient.pk:
        from .access import can_act_on_alert

        return can_act_on_alert(user, alert)
    return False


INTAKE_PREFIX = "contact"  # the intake's contact step: fields named contact-phone, ...


def contact_form_for(patient: Any, data: Any = None, *, prefix: str | None = None) -> ContactForm:
    """A bound form (``data``), or one filled in with the patient's saved details (their own read,
    audited), or an empty one."""
    if data is not None:
        return ContactForm(data, prefix=prefix)
    current = contact_details(viewer=patient, patient=patient)
    if current is None:
        return ContactForm(prefix=prefix)
    initial = {**asdict(current), "phone": current.phone_display, "emergency_phone": current.emergency_phone_display}
    return ContactForm(initial=initial, prefix=prefix)


@transaction.atomic
def save_contact_details(*, actor: Any, patient: Any, data: Any, prefix: str | None = None) -> Contact:
    """Validate and save the patient's own details (``prefix``: the intake's field names).
    Raises ValidationError (nothing saved)."""
    if not (is_patient(actor) and actor.pk == patient.pk):
        raise PermissionDenied
    form = ContactForm(data, prefix=prefix)
    if not form.is_valid():
        raise ValidationError(
            {name: [e["message"] for e in errs] for name, errs in form.errors.get_json_data().items()}
        )
    contact = Contact(
        **{name: form.cleaned_data.get(name, Contact.__dataclass_fields__[name].default) for name in FIELDS}
    )
    row = ContactDetails(patient=patient, saved_by=actor, data_key=create_data_key(purpose="contact-details"))
    row.ciphertext = encrypt(row.data_key, json.dumps(asdict(contact)), context=_context(row))
    row.save()
    audit(actor=actor, action="outcomes.contact.save", patient=patient, obj=row)
    return contact


def contact_details(*, viewer: Any, patient: Any, alert: Any = None) -> Contact | None:
    """The current details, or None if none saved. Audited. PermissionDenied if not allowed."""
    if not can_see_contact(viewer, patient, alert=alert):
        raise PermissionDenied
    with transaction.atomic():
        row = ContactDetails.objects.filter(patient_id=patient.pk).select_related("data_key").first()
        if row is None:
            return None
        audit(actor=viewer, action="outcomes.contact.read", patient=patient, obj=row)
        values = opened(row)
    return Contact(**{k: v for k, v in values.items() if k in FIELDS})


def opened(row: ContactDetails) -> dict[str, Any]:
    """The decrypted fields of one saved version. The caller has audited the read."""
    return dict(json.loads(decrypt(row.data_key, bytes(row.ciphertext), context=_context(row))))


def province_of(patient: Any) -> str:
    """The patient's province or territory, for their own crisis lines ("" when not known yet).
    The patient reading their own details: audited like any read."""
    from paceway.keyring.crypto import DecryptionError

    try:
        details = contact_details(viewer=patient, patient=patient)
    except (PermissionDenied, DecryptionError):
        return ""
    return details.province if details is not None else ""


def has_contact_details(patient: Any) -> bool:
    return ContactDetails.objects.filter(patient_id=patient.pk).exists()
