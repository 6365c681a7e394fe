from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from modules.program import services
from modules.program.forms import FORMS
from modules.program.models import ExerciseEntry

from .conftest import noon

TODAY = date(2026, 1, 6)

VALID = {
    "pain_diary": {"date": "2026-01-06", "pain": 4, "activity": "Walked", "mood": 6, "sleep_hours": "6.5"},
    "smart_goal": {
        "goal": "Walk",
        "specific": "10 min walk",
        "measurable": "diary",
        "confidence": 7,
        "relevant": "family",
        "target_date": "2026-02-01",
    },
    "goal_review": {"review_date": "2026-01-06", "progress": "some", "what_helped": "timer"},
    "pacing_plan": {"activity": "Walking", "unit": "minutes", "baseline": "10", "weekly_increase": "2"},
    "pacing_log": {"date": "2026-01-06", "amount": "10", "pain_after": 4},
    "relaxation_log": {
        "date": "2026-01-06",
        "technique": "breathing",
        "minutes": 10,
        "tension_before": 7,
        "tension_after": 4,
    },
    "thought_record": {
        "date": "2026-01-06",
        "situation": "s",
        "automatic_thought": "a",
        "emotion": "worry",
        "intensity": 80,
        "evidence_for": "f",
        "evidence_against": "g",
        "balanced_thought": "b",
        "rerated_intensity": 40,
    },
    "pleasant_activity": {"activity": "Coffee with Sam", "planned_date": "2026-01-05", "done": "on", "enjoyment": 8},
    "flare_up_plan": {
        "triggers": "t",
        "warning_signs": "w",
        "what_helps": "h",
        "activity_changes": "a",
        "back_on_track": "b",
        "when_to_seek_care": "c",
    },
    "staying_well_plan": {
        "helpful_skills": "s",
        "goals": "g",
        "warning_signs": "w",
        "action_plan": "a",
        "review_schedule": "monthly",
    },
    "reflection": {"text": "I noticed"},
    "practice_log": {"text": "After dinner"},
    "sleep_diary": {
        "night_of": "2026-01-05",
        "bedtime": "23:00",
        "minutes_to_fall_asleep": "30",
        "wakings": "2",
        "minutes_awake": "60",
        "rise_time": "07:00",
        "quality": "5",
    },
    "problem_solving": {
        "problem": "Groceries hurt",
        "goal": "Shop without a flare",
        "options": "Two trips\nTrolley\nOnline",
        "pros_and_cons": "p",
        "chosen": "Two trips",
        "steps": "Tue and Sat mornings",
        "review_date": "2026-01-20",
    },
}

INVALID = {
    "pain_diary": (
        {"pain": 11, "mood": -1, "sleep_hours": "25", "date": "2026-01-07"},
        ["pain", "mood", "sleep_hours", "date"],
    ),
    "smart_goal": ({"confidence": 12, "target_date": "2025-12-01"}, ["confidence", "target_date", "goal"]),
    "goal_review": ({"progress": "perfect", "review_date": "2026-02-01"}, ["progress", "review_date"]),
    "pacing_plan": ({"baseline": "10", "weekly_increase": "8", "unit": "minutes"}, ["weekly_increase"]),
    "pacing_log": ({"amount": "-1", "pain_after": 15}, ["amount", "pain_after"]),
    "relaxation_log": (
        {"minutes": 0, "tension_before": 11, "technique": "yelling"},
        ["minutes", "tension_before", "technique", "tension_after"],
    ),
    "thought_record": ({"intensity": 101, "rerated_intensity": -5}, ["intensity", "rerated_intensity", "situation"]),
    "pleasant_activity": ({"activity": "x", "planned_date": "2026-01-10", "enjoyment": 5}, ["enjoyment"]),
    "flare_up_plan": ({"triggers": "t"}, ["warning_signs", "what_helps"]),
    "staying_well_plan": ({}, ["helpful_skills", "review_schedule"]),
    "reflection": ({"text": ""}, ["text"]),
    "practice_log": ({"text": "x" * 2001}, ["text"]),
    "sleep_diary": (
        {"night_of": "2026-01-07", "minutes_to_fall_asleep": "-5", "wakings": "31", "quality": "11"},
        ["night_of", "minutes_to_fall_asleep", "wakings", "quality", "bedtime", "rise_time"],
    ),
    "problem_solving": ({"options": "only one idea"}, ["options", "problem", "chosen", "review_date"]),
}


def test_every_kind_has_cases():
    assert set(VALID) == set(FORMS) == set(INVALID)


@pytest.mark.parametrize("kind", sorted(VALID))
@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_valid_entries_are_accepted(kind):
    form = FORMS[kind](VALID[kind])
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("kind", sorted(INVALID))
@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_invalid_entries_get_clear_messages(kind):
    data, fields = INVALID[kind]
    form = FORMS[kind](data)
    assert not form.is_valid()
    for name in fields:
        assert name in form.errors, (name, form.errors)
        assert all(len(m) > 8 for m in form.errors[name])


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_an_out_of_range_diary_is_refused_with_nothing_saved(personas, clients, enrolment):
    response = clients["patient"].post("/program/diary/", {**VALID["pain_diary"], "pain": 12})
    assert response.status_code == 400
    assert "Choose a number from 0 to 10." in response.content.decode()
    assert not ExerciseEntry.objects.exists()
    ok = clients["patient"].post("/program/diary/", VALID["pain_diary"])
    assert ok.status_code == 302
    history = clients["patient"].get("/program/diary/").content.decode()
    assert "Walked" in history


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_logs_go_against_the_patients_own_parent(personas, clients, enrolment):
    mine = services.create_entry(
        actor=personas.patient, patient=personas.patient, kind="pacing_plan", data=VALID["pacing_plan"]
    )
    theirs = ExerciseEntry.objects.create(patient=personas.stranger, kind="pacing_plan", data={})
    bad = clients["patient"].post("/program/exercises/pacing_log/", {**VALID["pacing_log"], "parent": theirs.pk})
    assert bad.status_code == 400
    good = clients["patient"].post("/program/exercises/pacing_log/", {**VALID["pacing_log"], "parent": mine.pk})
    assert good.status_code == 302
    assert ExerciseEntry.objects.get(kind="pacing_log").parent == mine


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_editing_checks_the_revision_and_owner(personas, clients, enrolment):
    entry = services.create_entry(
        actor=personas.patient, patient=personas.patient, kind="pain_diary", data=VALID["pain_diary"]
    )
    url = f"/program/entries/{entry.pk}/"
    assert clients["patient"].get(url).status_code == 200
    ok = clients["patient"].post(url, {**VALID["pain_diary"], "pain": 3, "revision": 1})
    assert ok.status_code == 302
    stale = clients["patient"].post(url, {**VALID["pain_diary"], "pain": 9, "revision": 1})
    assert stale.status_code == 409
    entry.refresh_from_db()
    assert entry.data["pain"] == 3 and entry.revision == 2
    assert clients["stranger"].post(url, {**VALID["pain_diary"], "revision": 2}).status_code == 404
    assert clients["therapist"].get(url).status_code == 404


def test_only_the_patient_writes(personas, enrolment):
    for who in (personas.therapist, personas.stranger, personas.admin):
        with pytest.raises(PermissionDenied):
            services.create_entry(actor=who, patient=personas.patient, kind="reflection", data={"text": "x"})
    with pytest.raises(ValidationError):
        services.create_entry(actor=personas.patient, patient=personas.patient, kind="pain_diary", data={"pain": 3})
    assert not ExerciseEntry.objects.exists()


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_the_api_validates_with_the_same_forms(personas, clients, enrolment):
    url = "/api/v1/program/patients/me/entries"
    bad = clients["patient"].post(
        url, {"kind": "pain_diary", "data": {**VALID["pain_diary"], "pain": 11}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "pain" in bad.json()
    good = clients["patient"].post(
        url, {"kind": "pain_diary", "data": VALID["pain_diary"]}, content_type="application/json"
    )
    assert good.status_code == 201
    listed = clients["therapist"].get(f"/api/v1/program/patients/{personas.patient.pk}/entries")
    assert listed.status_code == 200 and listed.json()[0]["data"]["activity"] == "Walked"
    assert (
        clients["therapist"]
        .post(
            f"/api/v1/program/patients/{personas.patient.pk}/entries",
            {"kind": "reflection", "data": {"text": "x"}},
            content_type="application/json",
        )
        .status_code
        == 403
    )


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_the_exercise_step_saves_and_completes(personas, clients, enrolment):
    response = clients["patient"].post("/program/modules/first/diary/", VALID["pain_diary"])
    assert response.status_code == 302
    entry = ExerciseEntry.objects.get()
    assert entry.step.slug == "diary"
    page = clients["therapist"].get(f"/program/patients/{personas.patient.pk}/").content.decode()
    assert "Walked" in page


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_the_sleep_diary_computes_and_charts_sleep_efficiency(personas, clients, enrolment):
    response = clients["patient"].post("/program/exercises/sleep_diary/", VALID["sleep_diary"])
    assert response.status_code == 302
    entry = ExerciseEntry.objects.get(kind="sleep_diary")
    # 23:00 to 07:00 = 480 min in bed; 480 - 30 - 60 = 390 asleep; 390 / 480 = 81.25%
    assert entry.data["time_in_bed_minutes"] == 480 and entry.data["sleep_minutes"] == 390
    assert entry.data["sleep_efficiency"] == 81.2
    page = clients["patient"].get("/program/exercises/sleep_diary/").content.decode()
    assert "<svg" in page and "Sleep efficiency" in page and "81.2%" in page


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_awake_time_that_does_not_fit_in_the_night_is_refused(personas, clients, enrolment):
    data = {**VALID["sleep_diary"], "bedtime": "23:00", "rise_time": "00:30", "minutes_awake": "120"}
    response = clients["patient"].post("/program/exercises/sleep_diary/", data)
    assert response.status_code == 400 and "do not fit" in response.content.decode()
    assert not ExerciseEntry.objects.exists()


def test_sleep_arithmetic_crosses_midnight_and_handles_edges():
    from datetime import time

    from modules.program.sleep import night

    assert night(time(22, 30), time(6, 30), 0, 0).efficiency == 100
    assert night(time(1, 0), time(9, 0), 60, 60).asleep_minutes == 360
    assert night(time(23, 0), time(7, 0), 30, 60).efficiency == pytest.approx(81.25)
    with pytest.raises(ValueError):
        night(time(23, 0), time(23, 0), 0, 0)
    with pytest.raises(ValueError):
        night(time(23, 0), time(0, 0), 30, 31)


def test_the_program_has_problem_solving_and_the_sleep_module_uses_the_sleep_diary(db):
    from pathlib import Path

    from modules.program.loader import load_program

    program = load_program(
        Path(__file__).resolve().parents[2] / "modules" / "program" / "content" / "chronic-pain"
    ).program
    exercises = {(s.module.slug, s.exercise) for s in program.modules.get(slug="problem-solving").steps.all()}
    assert ("problem-solving", "problem_solving") in exercises
    assert program.modules.get(slug="sleep-and-pain").steps.filter(exercise="sleep_diary").exists()
