"""Role boundaries with the five personas."""

import pytest
from django.http import Http404

from paceway.accounts import access
from paceway.accounts.services import assign_patient
from tests.conftest import make_therapist


def test_a_patient_sees_only_their_own_record(personas):
    assert access.can_view_clinical(personas.patient, personas.patient)
    assert not access.can_view_clinical(personas.patient, personas.stranger)


def test_a_therapist_sees_only_patients_assigned_to_them(personas):
    assert access.can_view_clinical(personas.therapist, personas.patient)
    assert not access.can_view_clinical(personas.therapist, personas.stranger)
    assert not access.can_view_clinical(personas.unassigned_therapist, personas.patient)


def test_an_administrator_manages_accounts_but_reads_no_clinical_content(personas):
    assert access.can_manage_accounts(personas.admin)
    assert not access.can_view_clinical(personas.admin, personas.patient)
    assert not access.can_manage_accounts(personas.therapist)
    assert not access.can_manage_accounts(personas.patient)


def test_only_the_assigned_therapist_tailors(personas):
    assert access.can_tailor(personas.therapist, personas.patient)
    assert not access.can_tailor(personas.patient, personas.patient)
    assert not access.can_tailor(personas.unassigned_therapist, personas.patient)


def test_anonymous_and_inactive_users_see_nothing(personas):
    from django.contrib.auth.models import AnonymousUser

    assert not access.can_view_clinical(AnonymousUser(), personas.patient)
    personas.therapist.is_active = False
    personas.therapist.save()
    assert not access.can_view_clinical(personas.therapist, personas.patient)


def test_patient_for_clinical_hides_existence_from_strangers(personas):
    assert access.patient_for_clinical(personas.therapist, personas.patient.pk) == personas.patient
    for user, target in (
        (personas.stranger, personas.patient.pk),
        (personas.unassigned_therapist, personas.patient.pk),
        (personas.admin, personas.patient.pk),
        (personas.therapist, 999999),
        (personas.therapist, "x"),
    ):
        with pytest.raises(Http404):
            access.patient_for_clinical(user, target)


def test_reassignment_moves_access_at_once(personas):
    other = make_therapist("t3@example.org", admin=personas.admin)
    assign_patient(actor=personas.admin, patient=personas.patient, therapist=other, reason="language match")
    assert access.can_view_clinical(other, personas.patient)
    assert not access.can_view_clinical(personas.therapist, personas.patient)
    assert access.caseload_patient_ids(personas.therapist) == []
