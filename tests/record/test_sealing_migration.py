"""The data migration seals the free text rows written before sealing existed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("modules", "0004_enrolment_end_review_sleep_problem_solving")]
AFTER = [("modules", "0005_seal_exercise_entries")]


@pytest.mark.django_db(transaction=True)
def test_existing_exercise_entries_are_sealed_and_read_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Entry = old_apps.get_model("modules", "ExerciseEntry")
    from paceway.accounts.models import User  # the accounts tables are as they are now

    patient = User.objects.create_user("old@example.org", None, role="patient")
    Entry.objects.create(patient_id=patient.pk, kind="pain_diary", data={"notes": "written before sealing"})

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from modules.program.models import ExerciseEntry
    from paceway.keyring.models import PatientKey

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM modules_exerciseentry WHERE patient_id = %s", [patient.pk])
        [(raw,)] = cursor.fetchall()
    assert b"written before sealing" not in bytes(raw)
    assert ExerciseEntry.objects.get(patient_id=patient.pk).data == {"notes": "written before sealing"}
    assert PatientKey.objects.filter(patient_id=patient.pk).exists()
