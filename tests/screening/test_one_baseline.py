"""Issue 11, one baseline: the intake's PHQ-9, GAD-7 and PEG are the program's baseline, and the
week-1 check-in does not ask them again within the two-week window the program sets."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from modules.outcomes import selectors
from modules.outcomes.models import QuestionnaireResponse
from paceway.accounts.services import assign_patient
from tests.conftest import client_for
from therapist.screening import services
from therapist.screening.models import Intake

from .helpers import decision_data, intake_data


def _journey_to_week_1(personas, start):
    with time_machine.travel(start, tick=False):
        patient = client_for(personas.stranger)
        assert patient.post("/screening/", intake_data()).status_code == 200
        assert patient.post("/screening/consent/", {"action": "give", "version": "1"}).status_code == 302
        profile = personas.unassigned_therapist.therapist_profile
        profile.is_clinical_lead = True
        profile.save()
        intake = Intake.objects.get(patient=personas.stranger)
        services.decide(actor=personas.unassigned_therapist, intake_id=intake.pk, **decision_data("accept"))
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assign_patient(actor=personas.admin, patient=personas.stranger, therapist=personas.unassigned_therapist)
        services.enrol_accepted_patient(patient_id=personas.stranger.pk)


def test_it_never_asks_the_intake_questions_again_from_sign_up_to_week_1(personas, program):
    start = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0)
    _journey_to_week_1(personas, start)
    asked = QuestionnaireResponse.objects.filter(patient=personas.stranger).count()
    assert asked == 3  # PEG, PHQ-9, GAD-7 at intake

    for day in (2, 3, 8, 10):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            patient = client_for(personas.stranger)
            progress = patient.get("/outcomes/").content.decode()
            due = (
                progress.split("Questionnaires to fill in", 1)[1].split("</section>", 1)[0]
                if "Questionnaires to fill in" in progress
                else ""
            )
            for asked_at_intake in ("/q/baseline/", "/q/weekly-check-in/", "/q/phq-9/", "/q/gad-7/", "/q/peg/"):
                assert asked_at_intake not in due, (day, asked_at_intake)  # the rest of the baseline may be due
            items = {d.key: d for d in selectors.due_questionnaires(personas.stranger)}
            assert items["baseline"].status == "done" and items["week-1"].status == "done", day
            page = patient.get("/outcomes/q/weekly-check-in/").content.decode()
            assert 'id="already-answered"' in page and 'name="' not in page.split('id="already-answered"')[1]
            assert 'id="already-answered"' in patient.get("/outcomes/q/baseline/").content.decode()
    assert QuestionnaireResponse.objects.filter(patient=personas.stranger).count() == asked

    with time_machine.travel(start + timedelta(days=16), tick=False):  # week 2: asked, as planned
        patient = client_for(personas.stranger)
        items = {d.key: d for d in selectors.due_questionnaires(personas.stranger)}
        assert items["week-2"].status == "due"
        assert 'id="already-answered"' not in patient.get("/outcomes/q/weekly-check-in/").content.decode()


def test_it_asks_the_baseline_again_when_the_intake_is_older_than_the_window(personas, program):
    start = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0) - timedelta(days=40)
    _journey_to_week_1(personas, start)
    from modules.program.models import Enrolment

    Enrolment.objects.filter(patient=personas.stranger).update(
        start_date=timezone.localdate(), enrolled_at=timezone.now()
    )
    items = {d.key: d for d in selectors.due_questionnaires(personas.stranger)}
    assert items["baseline"].status == "due"
