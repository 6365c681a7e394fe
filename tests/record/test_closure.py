"""Closing an account, retention, and destruction with a frozen clock: keys destroyed, the
patient's rows deleted, the account anonymised, and nothing else touched."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import connection

from messaging import selectors
from messaging import services as messaging
from messaging.models import Conversation, Message
from modules.outcomes import services as outcomes
from modules.outcomes.models import ContactDetails, FollowUp, QuestionnaireResponse, RiskAlert, Score
from modules.program import services as program_services
from modules.program.models import Enrolment, ExerciseEntry
from modules.record import services
from modules.record.models import AccountClosure
from paceway.accounts.models import CareAssignment, User
from paceway.audit.models import AuditEvent
from paceway.keyring.crypto import DecryptionError
from paceway.keyring.fields import open_sealed
from paceway.keyring.models import DataKey, PatientKey
from paceway.keyring.services import forget_cached_keys
from tests.outcomes.helpers import weekly
from therapist.screening.models import Consent, Intake
from therapist.workspace.models import ClinicalNote, WeeklyReview

from .conftest import DIARY


def _close(clients) -> AccountClosure:
    client = clients["patient"]
    assert client.post("/record/close/", {}).status_code == 400  # not confirmed: nothing happens
    response = client.post("/record/close/", {"confirm": "close"})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    return AccountClosure.objects.get()


def _others_data(personas):
    """Another patient's data, which destruction must not touch."""
    s = personas.stranger
    program_services.create_entry(actor=s, patient=s, kind="pain_diary", data=DIARY)
    outcomes.submit_response(actor=s, patient=s, questionnaire="weekly-check-in", answers=list(weekly(1).items()))
    messaging.send_message(sender=s, patient=s, client_id="s-1", body="the stranger's message")


def _snapshot(patient_id: int) -> dict[str, int]:
    return {
        "exercises": ExerciseEntry.objects.filter(patient_id=patient_id).count(),
        "responses": QuestionnaireResponse.objects.filter(patient_id=patient_id).count(),
        "scores": Score.objects.filter(patient_id=patient_id).count(),
        "messages": Message.objects.filter(conversation__patient_id=patient_id).count(),
    }


def test_closing_deactivates_now_and_keeps_the_record_for_the_retention_period(clients, full_record, settings):
    settings.RECORD_RETENTION_YEARS = 10
    closure = _close(clients)
    patient = User.objects.get(pk=full_record.pk)
    assert not patient.is_active
    assert closure.destroy_after.year == closure.last_contact_at.year + 10
    assert AuditEvent.objects.filter(action="record.closure.request", patient_id=patient.pk).count() == 1
    assert services.destroy_due() == []  # nothing is due yet
    assert ExerciseEntry.objects.filter(patient=patient).exists()


def test_destruction_with_a_frozen_clock_destroys_keys_and_rows_and_nothing_else(clients, full_record, personas):
    p = full_record
    _others_data(personas)
    others_before = _snapshot(personas.stranger.pk)
    closure = _close(clients)
    conversation_key = Conversation.objects.get(patient_id=p.pk).data_key_id
    note_keys = list(ClinicalNote.objects.filter(patient_id=p.pk).values_list("data_key_id", flat=True))
    assert note_keys
    # The risk follow-up's sealed text (issue 10) goes the same way as the notes.
    note_keys += list(FollowUp.objects.filter(alert__patient_id=p.pk).values_list("data_key_id", flat=True))
    note_keys.append(PatientKey.objects.get(patient_id=p.pk).data_key_id)  # their free text
    # So do the contact details given in the intake's contact step.
    note_keys += list(ContactDetails.objects.filter(patient_id=p.pk).values_list("data_key_id", flat=True))
    audit_before = AuditEvent.objects.filter(patient_id=p.pk).count()
    live_keys_before = DataKey.objects.filter(destroyed_at__isnull=True).count()

    with time_machine.travel(closure.destroy_after - timedelta(minutes=1), tick=False):
        assert services.destroy_due() == []
    assert ExerciseEntry.objects.filter(patient_id=p.pk).exists()

    with time_machine.travel(closure.destroy_after + timedelta(seconds=1), tick=False):
        assert services.destroy_due() == [p.pk]
        assert services.destroy_due() == []  # once

    # Keys destroyed: the patient's own, the conversation's and each note's, and no other.
    for key in DataKey.objects.filter(pk__in=[conversation_key, *note_keys]):
        assert key.destroyed_at is not None and bytes(key.wrapped) == b""
    assert DataKey.objects.filter(destroyed_at__isnull=True).count() == live_keys_before - 1 - len(note_keys)
    # The patient's rows are gone.
    for model, field in (
        (ExerciseEntry, "patient_id"),
        (QuestionnaireResponse, "patient_id"),
        (Score, "patient_id"),
        (RiskAlert, "patient_id"),
        (Intake, "patient_id"),
        (Consent, "patient_id"),
        (Enrolment, "patient_id"),
        (ClinicalNote, "patient_id"),
        (WeeklyReview, "patient_id"),
        (CareAssignment, "patient_id"),
        (Message, "conversation__patient_id"),
    ):
        assert not model.objects.filter(**{field: p.pk}).exists(), model.__name__
    anonymous = User.objects.get(pk=p.pk)
    assert anonymous.email == f"closed-{p.pk}@invalid" and anonymous.display_name == ""
    assert not anonymous.has_usable_password() and not anonymous.is_active
    # Kept: the audit events (plus the destruction's own), which still verify.
    assert AuditEvent.objects.filter(patient_id=p.pk).count() >= audit_before + 1
    assert AuditEvent.objects.filter(action="record.destroyed", patient_id=p.pk).count() == 1
    call_command("verify_audit")
    # Nothing else was touched.
    assert _snapshot(personas.stranger.pk) == others_before
    assert selectors.list_messages(user=personas.stranger, patient=personas.stranger).messages[0]["body"] == (
        "the stranger's message"
    )
    assert User.objects.filter(pk=personas.therapist.pk, is_active=True).exists()


def test_only_a_patient_closes_their_own_account(clients, personas):
    for who in ("therapist", "admin", "unassigned_therapist"):
        assert clients[who].post("/record/close/", {"confirm": "close"}).status_code == 404
    assert not AccountClosure.objects.exists()
    assert User.objects.get(pk=personas.patient.pk).is_active


def _raw(model, column: str, patient_id: int) -> list[bytes]:
    """What a database backup holds: the column's stored bytes, as they are on disk."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE patient_id = %s ORDER BY id", [patient_id])
        return [bytes(row[0]) for row in cursor.fetchall() if row[0] is not None]


def test_free_text_is_sealed_and_unreadable_everywhere_after_destruction(clients, full_record, personas):
    p = full_record
    _others_data(personas)
    entry_field, intake_field = ExerciseEntry._meta.get_field("data"), Intake._meta.get_field("pain_condition")
    backup = {
        "entries": _raw(ExerciseEntry, "data", p.pk),
        "intake": _raw(Intake, "pain_condition", p.pk),
    }
    stranger_before = _raw(ExerciseEntry, "data", personas.stranger.pk)
    assert backup["entries"] and backup["intake"] and stranger_before
    # At rest the words are not there; read through the model they are.
    for raw in backup["entries"] + backup["intake"]:
        assert b"Flare-up" not in raw and b"Low back pain" not in raw
    assert open_sealed(entry_field, backup["entries"][0]).decode().find("Flare-up") >= 0
    assert Intake.objects.get(patient_id=p.pk).pain_condition == "Low back pain since a fall"

    closure = _close(clients)
    with time_machine.travel(closure.destroy_after + timedelta(seconds=1), tick=False):
        assert services.destroy_due() == [p.pk]

    forget_cached_keys()  # as in a fresh process restoring the copy
    for raw in backup["entries"]:
        with pytest.raises(DecryptionError):
            open_sealed(entry_field, raw)
    for raw in backup["intake"]:
        with pytest.raises(DecryptionError):
            open_sealed(intake_field, raw)
    # The other patient's sealed rows are as they were, and still read.
    assert _raw(ExerciseEntry, "data", personas.stranger.pk) == stranger_before
    [entry] = ExerciseEntry.objects.filter(patient=personas.stranger)
    assert entry.data["notes"] == DIARY["notes"]
    assert PatientKey.objects.get(patient_id=personas.stranger.pk).data_key.destroyed_at is None


def test_sealed_columns_refuse_bulk_updates(personas):
    program_services.create_entry(actor=personas.patient, patient=personas.patient, kind="pain_diary", data=DIARY)
    with pytest.raises(TypeError):
        ExerciseEntry.objects.filter(patient=personas.patient).update(data={"notes": "plain"})


def test_a_restored_backup_has_its_due_records_destroyed_by_the_command(clients, full_record):
    closure = _close(clients)
    out = io.StringIO()
    with time_machine.travel(closure.destroy_after + timedelta(seconds=1), tick=False):
        call_command("destroy_due_records", stdout=out)
    assert out.getvalue().strip() == "1 record(s) destroyed."
    assert not ExerciseEntry.objects.filter(patient_id=full_record.pk).exists()
