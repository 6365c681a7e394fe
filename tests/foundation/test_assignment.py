"""Assignment rules: training, capacity, one active assignment, history, deactivation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from paceway.accounts import hooks
from paceway.accounts.models import CareAssignment, TherapistProfile
from paceway.accounts.services import assign_patient, deactivate_therapist, end_assignment, verify_training
from tests.conftest import make_therapist, make_user


def test_it_assigns_a_waiting_patient(personas):
    assignment = assign_patient(
        actor=personas.admin, patient=personas.stranger, therapist=personas.unassigned_therapist
    )
    assert assignment.is_active and assignment.assigned_by == personas.admin


def test_only_administrators_assign(personas):
    for actor in (personas.therapist, personas.patient):
        with pytest.raises(PermissionDenied):
            assign_patient(actor=actor, patient=personas.stranger, therapist=personas.therapist)


def test_it_refuses_therapists_without_verified_training(personas):
    unverified = make_therapist("new@example.org", admin=personas.admin, verified=False)
    with pytest.raises(ValidationError, match="not been verified"):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=unverified)


def test_it_refuses_a_full_caseload(personas):
    TherapistProfile.objects.filter(user=personas.therapist).update(caseload_capacity=1)
    with pytest.raises(ValidationError, match="full"):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=personas.therapist)


def test_it_refuses_therapists_on_leave(personas):
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_active_clinician=False)
    with pytest.raises(ValidationError, match="leave"):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=personas.unassigned_therapist)


def test_reassignment_needs_a_reason_and_keeps_history(personas):
    with pytest.raises(ValidationError, match="reason"):
        assign_patient(actor=personas.admin, patient=personas.patient, therapist=personas.unassigned_therapist)
    assign_patient(
        actor=personas.admin, patient=personas.patient, therapist=personas.unassigned_therapist, reason="prefers French"
    )
    history = list(CareAssignment.objects.filter(patient=personas.patient).order_by("assigned_at"))
    assert [a.therapist for a in history] == [personas.therapist, personas.unassigned_therapist]
    assert history[0].ended_at is not None and history[0].ended_by == personas.admin
    assert history[0].end_reason == "prefers French"
    assert history[1].is_active


def test_the_database_allows_one_active_assignment_per_patient(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareAssignment.objects.create(
            patient=personas.patient, therapist=personas.unassigned_therapist, assigned_by=personas.admin
        )


def test_a_therapist_with_patients_cannot_be_deactivated(personas):
    with pytest.raises(ValidationError, match="Reassign"):
        deactivate_therapist(actor=personas.admin, therapist=personas.therapist)
    end_assignment(actor=personas.admin, patient=personas.patient, reason="discharged")
    deactivate_therapist(actor=personas.admin, therapist=personas.therapist)
    personas.therapist.refresh_from_db()
    assert not personas.therapist.is_active


def test_a_therapist_with_open_risk_items_cannot_be_deactivated(personas, monkeypatch):
    monkeypatch.setattr(hooks, "open_risk_item_counters", [lambda therapist: 1])
    with pytest.raises(ValidationError, match="risk"):
        deactivate_therapist(actor=personas.admin, therapist=personas.unassigned_therapist)


def test_verifying_training_records_who_and_when(personas):
    therapist = make_therapist("v@example.org", admin=personas.admin, verified=False)
    profile = verify_training(actor=personas.admin, therapist=therapist, evidence="Certificate 123")
    assert profile.training_verified_by == personas.admin and profile.training_verified_at
    with pytest.raises(PermissionDenied):
        verify_training(actor=therapist, therapist=therapist)


def test_only_patients_can_be_assigned(personas):
    admin2 = make_user("a2@example.org", "administrator")
    with pytest.raises(ValidationError):
        assign_patient(actor=personas.admin, patient=admin2, therapist=personas.therapist)
