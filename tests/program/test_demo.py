from __future__ import annotations

from django.core.management import call_command

from modules.program import selectors
from modules.program.demo import load_demo_program
from modules.program.models import Enrolment, ExerciseEntry


def test_the_demo_loader_enrols_pat_and_sam_and_is_idempotent(personas, db):
    call_command("load_content", verbosity=0)
    from tests.conftest import make_user

    sam = make_user("sam@example.org", "patient")
    jo = make_user("jo@example.org", "patient")
    accounts = {"patient": personas.patient, "patient2": sam, "patient3": jo, "therapist": personas.therapist}
    load_demo_program(accounts)
    load_demo_program(accounts)
    pat = selectors.program_overview(selectors.active_enrolment(personas.patient))
    assert pat.modules_done == 2 and pat.current.index == 3 and pat.current.is_open
    sam_overview = selectors.program_overview(selectors.active_enrolment(sam))
    assert sam_overview.current.index == 1 and sam_overview.steps_done == 0
    assert not Enrolment.objects.filter(patient=jo).exists()
    assert ExerciseEntry.objects.filter(patient=personas.patient, kind="pain_diary").count() == 6
