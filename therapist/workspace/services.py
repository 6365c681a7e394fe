"""Writes of the therapist workspace: private notes and weekly reviews."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paceway.accounts.access import can_tailor
from paceway.accounts.models import User
from paceway.audit.services import audit
from paceway.keyring.services import create_data_key, encrypt

from .models import ClinicalNote, MessageTemplate, WeeklyReview

NOTE_MAX = 20_000


def week_start(day: date | None = None) -> date:
    day = day or timezone.localdate()
    return day - timedelta(days=day.weekday())


def note_context(note: ClinicalNote) -> str:
    return f"clinical-note|{note.patient_id}|{note.author_id}|{note.created_at.isoformat()}"


@transaction.atomic
def add_clinical_note(*, therapist: User, patient: User, text: str) -> ClinicalNote:
    if not can_tailor(therapist, patient):
        raise PermissionDenied
    text = text.strip()
    if not text or len(text) > NOTE_MAX:
        raise ValidationError(_("Write a note of up to 20,000 characters."))
    note = ClinicalNote(patient=patient, author=therapist, data_key=create_data_key(purpose="clinical-note"))
    note.ciphertext = encrypt(note.data_key, text, context=note_context(note))
    note.save()
    audit(actor=therapist, action="clinical_note.create", patient=patient, obj=note)
    return note


@transaction.atomic
def mark_week_reviewed(*, therapist: User, patient: User, minutes: int) -> WeeklyReview:
    if not can_tailor(therapist, patient):
        raise PermissionDenied
    if not 1 <= minutes <= 240:
        raise ValidationError(_("Minutes spent must be between 1 and 240."))
    review, _created = WeeklyReview.objects.update_or_create(
        patient=patient,
        week_start=week_start(),
        defaults={"therapist": therapist, "minutes": minutes, "reviewed_at": timezone.now()},
    )
    audit(actor=therapist, action="weekly_review.save", patient=patient, obj=review)
    return review


def save_message_template(*, therapist: User, title: str, body: str, shared: bool = False) -> MessageTemplate:
    """Any therapist may add personal templates; shared ones are for the clinical lead to write."""
    from paceway.accounts.access import is_clinical_lead
    from paceway.accounts.roles import is_therapist

    if not is_therapist(therapist):
        raise PermissionDenied
    if shared and not is_clinical_lead(therapist):
        raise PermissionDenied
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("A template needs a title and some text."))
    return MessageTemplate.objects.create(owner=None if shared else therapist, title=title[:120], body=body[:4000])
