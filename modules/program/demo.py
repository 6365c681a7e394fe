"""Demo data for `make run`: Pat is in week 3 with weeks 1-2 done, Sam has just started, Jo waits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .loader import latest_program, load_program, program_folders
from .models import Enrolment, ExerciseEntry, ExerciseKind, ModuleKind, ModulePlan, StepCompletion

DIARY = [
    (14, 7, "Walked to the shop, rested after", 4, 6.0),
    (12, 6, "Gentle stretching, cooked dinner", 5, 6.5),
    (10, 8, "Long car ride, pain flared", 3, 5.0),
    (7, 6, "Paced gardening: 15 minutes, then a break", 6, 7.0),
    (4, 5, "Walk with a friend, 20 minutes", 6, 7.5),
    (2, 5, "Housework in short blocks", 7, 7.0),
]


@transaction.atomic
def load_demo_program(accounts: dict[str, Any]) -> None:
    program = latest_program("chronic-pain")
    if program is None:
        folders = program_folders()
        if not folders:
            return
        program = load_program(folders[0]).program
    today = timezone.localdate()
    therapist = accounts["therapist"]
    for key, start_offset in (("patient", 15), ("patient2", 0)):
        patient = accounts[key]
        if Enrolment.objects.filter(patient=patient, ended_at__isnull=True).exists():
            continue
        enrolment = Enrolment.objects.create(
            patient=patient, program=program, start_date=today - timedelta(days=start_offset), enrolled_by=therapist
        )
        ModulePlan.objects.bulk_create(
            ModulePlan(enrolment=enrolment, module=m, position=m.number * 10, included=m.kind == ModuleKind.CORE)
            for m in program.modules.all()
        )
        if key != "patient":
            continue
        for number, days_ago in ((1, 13), (2, 6)):
            module = program.modules.get(number=number)
            done_at = timezone.now() - timedelta(days=days_ago)
            for step in module.steps.all():
                StepCompletion.objects.create(enrolment=enrolment, step=step, completed_at=done_at, seconds_on_step=240)
            enrolment.plans.filter(module=module).update(completed_at=done_at)
        for days_ago, pain, activity, mood, sleep in DIARY:
            day = today - timedelta(days=days_ago)
            ExerciseEntry.objects.create(
                patient=patient,
                kind=ExerciseKind.PAIN_DIARY,
                entry_date=day,
                data={
                    "date": day.isoformat(),
                    "pain": pain,
                    "activity": activity,
                    "mood": mood,
                    "sleep_hours": sleep,
                    "notes": "",
                },
            )
        goal_day = today - timedelta(days=7)
        ExerciseEntry.objects.create(
            patient=patient,
            kind=ExerciseKind.SMART_GOAL,
            entry_date=goal_day,
            data={
                "goal": "Walk to the park with my daughter",
                "specific": "Walk 10 minutes, three times a week",
                "measurable": "Tick it off in my diary",
                "confidence": 7,
                "relevant": "Time with family",
                "target_date": (today + timedelta(days=21)).isoformat(),
            },
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=timezone.now() - timedelta(days=2))
