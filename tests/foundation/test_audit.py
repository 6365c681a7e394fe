"""The audit chain detects an edit, a deletion and a reordering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from paceway.audit.chain import verify
from paceway.audit.models import AppendOnlyError, AuditEvent
from paceway.audit.services import audit


@pytest.fixture
def chain(personas):
    AuditEvent.objects.all().update()  # no-op; fixtures may already have written events
    for n in range(5):
        audit(
            actor=personas.therapist,
            action="diary.read",
            patient=personas.patient,
            object_type="DiaryEntry",
            object_id=n,
        )
    return list(AuditEvent.objects.order_by("id"))


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_intact_chain_verifies(chain):
    verdict = verify()
    assert verdict.ok and verdict.checked >= 5
    call_command("verify_audit")


def test_it_records_who_whose_what_and_never_health_data(chain, personas):
    event = chain[-1]
    assert (event.actor_id, event.actor_role, event.patient_id, event.action) == (
        personas.therapist.pk,
        "therapist",
        personas.patient.pk,
        "diary.read",
    )
    assert {f.name for f in AuditEvent._meta.fields} == {
        "id",
        "created_at",
        "actor_id",
        "actor_role",
        "patient_id",
        "action",
        "object_type",
        "object_id",
        "client_ip",
        "request_id",
        "chain",
        "mac",
    }


def test_the_model_refuses_edits_and_deletes(chain):
    with pytest.raises(AppendOnlyError):
        chain[0].save()
    with pytest.raises(AppendOnlyError):
        chain[0].delete()


def test_an_edited_row_is_found(chain):
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s", ["diary.write", chain[2].pk])
    assert verify().first_bad_id == chain[2].pk
    with pytest.raises(CommandError, match=f"row {chain[2].pk}"):
        call_command("verify_audit")


def test_a_deleted_row_is_found(chain):
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [chain[2].pk])
    assert verify().first_bad_id == chain[3].pk


def test_a_deleted_last_row_is_found(chain):
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [chain[-1].pk])
    assert not verify().ok


def test_reordered_rows_are_found(chain):
    a, b = chain[1], chain[3]
    table = AuditEvent._meta.db_table
    _raw(f"UPDATE {table} SET object_id = %s, mac = %s WHERE id = %s", [b.object_id, b.mac, a.pk])
    _raw(f"UPDATE {table} SET object_id = %s, mac = %s WHERE id = %s", [a.object_id, a.mac, b.pk])
    assert verify().first_bad_id == a.pk


def test_requests_are_audited_with_address_and_request_id(clients, personas):
    clients["patient"].get("/healthz", HTTP_X_REQUEST_ID="req-12345678")
    audit_from_request = AuditEvent.objects.filter(action="auth.login").last()
    assert audit_from_request is not None


def test_when_the_audit_write_fails_no_health_data_is_served(clients, personas, monkeypatch):
    from therapist.workspace.services import add_clinical_note

    add_clinical_note(therapist=personas.therapist, patient=personas.patient, text="Sleep is improving")

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("paceway.audit.services._move_heads", broken)
    client = clients["therapist"]
    client.raise_request_exception = False
    response = client.get(f"/therapist/patients/{personas.patient.pk}/")
    assert response.status_code == 500
    assert b"Sleep is improving" not in response.content


def test_parallel_chains_each_detect_tampering(personas):
    for n in range(3):
        for patient in (personas.patient, personas.stranger):
            audit(actor=personas.therapist, action="diary.read", patient=patient, object_id=n)
    events = list(AuditEvent.objects.filter(patient_id=personas.stranger.pk).order_by("id"))
    assert len({e.chain for e in AuditEvent.objects.filter(action="diary.read")}) == 2
    assert verify().ok
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    assert verify().first_bad_id == events[2].pk
