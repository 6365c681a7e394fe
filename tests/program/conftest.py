from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from modules.program import services
from modules.program.loader import load_program

MINI = Path(__file__).parent / "content" / "mini"


@pytest.fixture
def program(db: None):
    return load_program(MINI).program


@pytest.fixture
def enrolment(personas, program):
    return services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=date(2026, 1, 5)
    )


def noon(year: int, month: int, day: int) -> datetime:
    """Midday UTC: the same calendar day in the project's time zone (America/Toronto)."""
    return datetime(year, month, day, 17, 0, tzinfo=UTC)
