"""A diary or exercise form sent again after a lost response (issue 15) is stored once: every
render carries a fresh submission token, and the retry re-sends the same one."""

from __future__ import annotations

import re

import time_machine

from modules.program.models import ExerciseEntry

from .conftest import noon
from .test_exercises import VALID


def _token(page: bytes) -> str:
    found = re.search(rb'name="submission_token" value="([^"]+)"', page)
    assert found, "the form carries a submission token"
    return found.group(1).decode()


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_diary_sent_twice_with_one_token_is_stored_once(personas, clients, enrolment):
    token = _token(clients["patient"].get("/program/diary/").content)
    first = clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "submission_token": token})
    retry = clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "submission_token": token})
    assert first.status_code == retry.status_code == 302
    assert ExerciseEntry.objects.filter(patient=personas.patient).count() == 1
    next_token = _token(clients["patient"].get("/program/diary/").content)
    assert next_token != token  # a new render is a new entry
    clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "submission_token": next_token})
    assert ExerciseEntry.objects.filter(patient=personas.patient).count() == 2


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_an_exercise_step_sent_twice_with_one_token_is_stored_once(personas, clients, enrolment):
    url = "/program/modules/first/diary/"
    token = _token(clients["patient"].get(url).content)
    for _ in range(2):
        assert clients["patient"].post(url, {**VALID["pain_diary"], "submission_token": token}).status_code == 302
    assert ExerciseEntry.objects.filter(patient=personas.patient).count() == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_refused_form_keeps_its_token_so_the_corrected_send_is_the_same_submission(personas, clients, enrolment):
    token = _token(clients["patient"].get("/program/diary/").content)
    bad = clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "pain": 12, "submission_token": token})
    assert bad.status_code == 400 and _token(bad.content) == token
    assert not ExerciseEntry.objects.exists()
    assert (
        clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "submission_token": token}).status_code
        == 302
    )
    assert ExerciseEntry.objects.count() == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_another_patients_token_does_not_swallow_a_strangers_entry(personas, clients, enrolment):
    token = "same-token-0001"
    clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "submission_token": token})
    clients["stranger"].post("/program/diary/", {**VALID["pain_diary"], "submission_token": token})
    assert ExerciseEntry.objects.filter(patient=personas.patient).count() == 1
    assert ExerciseEntry.objects.filter(patient=personas.stranger).count() == 1


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_a_form_without_a_token_still_saves(personas, clients, enrolment):
    assert clients["patient"].post("/program/diary/", VALID["pain_diary"]).status_code == 302
    assert clients["patient"].post("/program/diary/", VALID["pain_diary"]).status_code == 302
    assert ExerciseEntry.objects.count() == 2
