"""The chains' heads copied outside the database: a tail cut together with a rewritten head,
which the chain alone cannot notice, is found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from paceway.audit import tasks, witness
from paceway.audit.chain import verify
from paceway.audit.models import AuditChainHead, AuditEvent
from paceway.audit.services import audit


@pytest.fixture
def events(personas):
    for n in range(4):
        audit(actor=personas.therapist, action="diary.read", patient=personas.patient, object_id=n)
    return list(AuditEvent.objects.filter(patient_id=personas.patient.pk).order_by("id"))


def _cut_tail_and_rewrite_head(events) -> None:
    """What an attacker with database access does: delete the newest rows of a chain and move
    its head back, so that the chain is consistent again."""
    last, keep = events[-1], events[-3]
    table, heads = AuditEvent._meta.db_table, AuditChainHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN (%s, %s)", [events[-1].pk, events[-2].pk])
        cursor.execute(
            f"UPDATE {heads} SET last_event_id = %s, mac = %s WHERE id = %s", [keep.pk, keep.mac, last.chain + 1]
        )


def test_the_scheduled_task_appends_a_signed_line(events):
    path = Path(settings.AUDIT_WITNESS_PATH)
    tasks.export_heads()
    tasks.export_heads()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 2
    chain = str(events[-1].chain)
    assert lines[-1]["heads"][chain] == [events[-1].pk, events[-1].mac]
    assert witness.check().ok and witness.check().checked
    assert "audit-export-heads" in settings.CELERY_BEAT_SCHEDULE


def test_a_cut_tail_with_a_rewritten_head_is_found_only_with_the_copy(events):
    witness.export_heads()
    _cut_tail_and_rewrite_head(events)
    assert verify().ok  # the chain alone is fooled
    verdict = witness.check()
    assert not verdict.ok and f"row {events[-1].pk}" in verdict.problem
    with pytest.raises(CommandError, match="truncated"):
        call_command("verify_audit")


def test_a_forged_witness_line_is_found(events):
    path = Path(settings.AUDIT_WITNESS_PATH)
    witness.export_heads()
    line = json.loads(path.read_text())
    line["heads"][str(events[0].chain)] = [events[0].pk, events[0].mac]
    path.write_text(json.dumps(line) + "\n")
    assert "altered" in witness.check().problem


def test_events_after_the_copy_are_fine(events, personas, capsys):
    witness.export_heads()
    audit(actor=personas.therapist, action="diary.read", patient=personas.patient)
    call_command("verify_audit")
    assert "heads copied outside the database are all present" in capsys.readouterr().out
