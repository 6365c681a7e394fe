"""Ending a program with its reason: the assigned therapist only; bad input changes nothing."""

from __future__ import annotations

import pytest

from modules.program.models import Enrolment


def test_it_ends_the_program_with_the_reason(clients, personas, enrolment):
    response = clients["therapist"].post(f"/program/patients/{personas.patient.pk}/end/", {"reason": "no_time"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.ended_at is not None and enrolment.end_reason == "no_time"


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "patient", "admin"])
def test_a_stranger_is_refused(clients, personas, enrolment, who):
    assert clients[who].post(f"/program/patients/{personas.patient.pk}/end/", {"reason": "no_time"}).status_code == 404
    assert Enrolment.objects.get(pk=enrolment.pk).ended_at is None


def test_an_unknown_reason_changes_nothing(clients, personas, enrolment):
    response = clients["therapist"].post(f"/program/patients/{personas.patient.pk}/end/", {"reason": "bored"})
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).ended_at is None
    page = clients["therapist"].get(f"/program/patients/{personas.patient.pk}/").content.decode()
    assert "choose why the program ends" in page


def test_the_form_is_on_the_therapists_page(clients, personas, enrolment):
    page = clients["therapist"].get(f"/program/patients/{personas.patient.pk}/").content.decode()
    assert f"/program/patients/{personas.patient.pk}/end/" in page and 'value="stepped_up"' in page
