"""The health-data reads behind the program pages and API, each audited in its own transaction
(``paceway.audit.reads``). Access is decided by the caller before it asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from paceway.accounts.models import User
from paceway.audit.reads import audited_read
from paceway.audit.services import audit

from . import selectors
from .forms import labelled_fields
from .models import Enrolment, ExerciseEntry, Step


@audited_read("program.home.read", obj_arg="enrolment")
def home_overview(*, viewer: User, patient: User, enrolment: Enrolment, language: str) -> selectors.Overview:
    return selectors.program_overview(enrolment, language=language)


@audited_read("program.progress.read", obj_arg="enrolment")
def progress(*, viewer: User, patient: User, enrolment: Enrolment, language: str) -> selectors.Overview:
    return selectors.program_overview(enrolment, language=language)


@audited_read("program.module.read", obj=lambda state: state.plan)
def open_module(*, viewer: User, patient: User, state: selectors.ModuleState) -> selectors.ModuleState:
    """An open module's content is shown: recorded (a locked one shows only its title, unaudited)."""
    return state


@audited_read("program.step.read", obj_arg="step")
def step_entries(*, viewer: User, patient: User, step: Step, kind: str | None) -> list[ExerciseEntry]:
    """A step's page with the patient's recent entries of its exercise (none for a lesson)."""
    return selectors.entries_for(patient, kind=kind, limit=20) if kind else []


@audited_read("exercise.list.read", object_type="ExerciseEntry")
def entries(*, viewer: User, patient: User, kind: str | None = None) -> list[ExerciseEntry]:
    return selectors.entries_for(patient, kind=kind)


@audited_read("exercise.read", obj_arg="entry")
def entry_values(*, viewer: User, patient: User, entry: ExerciseEntry) -> dict[str, Any]:
    """An entry's saved values, to edit them."""
    return dict(entry.data)


@dataclass(frozen=True)
class Plan:
    overview: selectors.Overview
    history: list[Any]
    reviews: list[Any]


@audited_read("program.plan.read", obj_arg="enrolment")
def plan(*, viewer: User, patient: User, enrolment: Enrolment, language: str) -> Plan:
    return Plan(
        overview=selectors.program_overview(enrolment, language=language),
        history=list(selectors.tailoring_history(enrolment, language=language)),
        reviews=list(selectors.program_reviews(enrolment)),
    )


def patient_work(*, viewer: User, patient: User, enrolment: Enrolment | None, language: str) -> dict[str, Any]:
    """What the therapist reads on the patient's program page: plan, tailoring history, lesson
    answers and every entry (labelled), in one audited transaction."""
    work: dict[str, Any] = {}
    with transaction.atomic():
        if enrolment is not None:
            work["overview"] = selectors.program_overview(enrolment, language=language)
            work["history"] = selectors.tailoring_history(enrolment, language=language)
            work["lesson_answers"] = selectors.lesson_answers(enrolment, language=language)
        work["entries"] = [(e, labelled_fields(e.kind, e.data)) for e in selectors.entries_for(patient, limit=300)]
        audit(
            actor=viewer,
            action="program.patient_work.read",
            patient=patient,
            object_type="ExerciseEntry",
            savepoint=False,
        )
    return work
