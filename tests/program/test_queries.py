from __future__ import annotations

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.program.models import ExerciseEntry, StepCompletion

from .conftest import noon


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(noon(2026, 3, 1), tick=False)
def test_query_count_does_not_grow_with_history(clients, personas, enrolment):
    def add(n):
        ExerciseEntry.objects.bulk_create(
            ExerciseEntry(patient=personas.patient, kind="pain_diary", data={"pain": 3}) for _ in range(n)
        )

    add(5)
    small = (_count(clients["patient"], "/program/"), _count(clients["patient"], "/program/modules/first/"))
    add(495)
    StepCompletion.objects.bulk_create(
        StepCompletion(enrolment=enrolment, step=s) for s in enrolment.program.modules.get(number=1).steps.all()
    )
    large = (_count(clients["patient"], "/program/"), _count(clients["patient"], "/program/modules/first/"))
    assert small == large


def test_the_openapi_schema_builds(clients):
    response = clients["therapist"].get("/api/schema/")  # staff only (paceway.api_schema)
    assert response.status_code == 200
    assert b"/api/v1/program/patients/" in response.content
