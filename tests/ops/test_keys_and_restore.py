"""Backups and their keys: a dump restored into a fresh database with the same keys decrypts
and verifies; with the wrong keys, the error names the wrong variable instead of crying tampering."""

from __future__ import annotations

import base64
import io
import os
import sqlite3
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from messaging import selectors
from messaging import services as messaging
from paceway.audit import chain
from paceway.audit.models import AuditKeyCheck
from paceway.audit.services import WrongAuditKeyError
from paceway.keyring import services as keyring
from paceway.keyring.crypto import DecryptionError, WrongKeyError
from tests.foundation.test_settings import _django_setup
from tests.live_servers import ROOT, database_url_for
from therapist.workspace.services import add_clinical_note

MESSAGE = "The flare-up plan helped this week"
NOTE = "Discussed pacing; patient reports better sleep"


def _other_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def recorded_checks(db):
    """The key check rows migrate writes (a flushed test database may have lost them)."""
    keyring._recorded.clear()
    keyring.record_key_checks()
    chain.record_key_fingerprint()


def test_a_wrong_encryption_key_is_named_as_such(personas, settings, recorded_checks):
    messaging.send_message(sender=personas.patient, patient=personas.patient, client_id="c1", body=MESSAGE)
    key_id = str(settings.ENCRYPTION_KEYS).split(":", 1)[0]
    settings.ENCRYPTION_KEYS = f"{key_id}:{_other_key()}"
    with pytest.raises(WrongKeyError, match=f"ENCRYPTION_KEYS key '{key_id}' is not the key") as raised:
        selectors.list_messages(user=personas.therapist, patient=personas.patient)
    assert "tamper" not in str(raised.value).replace("not tampering", "")
    with pytest.raises(CommandError, match="ENCRYPTION_KEYS key"):
        call_command("check_keys", stdout=io.StringIO())
    with pytest.raises(WrongKeyError):  # nothing new is sealed under the wrong key either
        keyring.create_data_key(purpose="test")


def test_a_missing_key_id_is_named(personas, settings, recorded_checks):
    messaging.send_message(sender=personas.patient, patient=personas.patient, client_id="c1", body=MESSAGE)
    settings.ENCRYPTION_KEYS = f"k-other:{_other_key()}"
    with pytest.raises(WrongKeyError, match="ENCRYPTION_KEYS has no key with id"):
        selectors.list_messages(user=personas.therapist, patient=personas.patient)
    with pytest.raises(CommandError, match="ENCRYPTION_KEYS has no key with id"):
        call_command("check_keys", stdout=io.StringIO())


def test_tampered_ciphertext_is_still_tampering(personas, recorded_checks):
    key = keyring.create_data_key(purpose="test")
    key.wrapped = bytes(key.wrapped)[:-1] + bytes([bytes(key.wrapped)[-1] ^ 1])
    with pytest.raises(DecryptionError) as raised:
        keyring.unwrap(key)
    assert not isinstance(raised.value, WrongKeyError)
    out = io.StringIO()
    call_command("check_keys", stdout=out)
    assert "match this database" in out.getvalue()


def test_a_wrong_audit_key_is_named_as_such(personas, settings, recorded_checks):
    add_clinical_note(therapist=personas.therapist, patient=personas.patient, text=NOTE)
    settings.AUDIT_HMAC_KEY = "some-other-audit-key"
    verdict = chain.verify()
    assert verdict.wrong_key and "AUDIT_HMAC_KEY is not the key" in verdict.problem
    with pytest.raises(CommandError, match="AUDIT_HMAC_KEY is not the key") as raised:
        call_command("verify_audit", stdout=io.StringIO())
    assert "broken" not in str(raised.value)
    with pytest.raises(WrongAuditKeyError, match="Nothing was written"):  # the log is not extended either
        add_clinical_note(therapist=personas.therapist, patient=personas.patient, text=NOTE)


def test_a_changed_fingerprint_with_the_right_key_is_reported(personas, recorded_checks):
    add_clinical_note(therapist=personas.therapist, patient=personas.patient, text=NOTE)
    AuditKeyCheck.objects.update(fingerprint="0" * 64)
    verdict = chain.verify()
    assert not verdict.ok and not verdict.wrong_key and "fingerprint row was changed" in verdict.problem


CHECK = f"""
import django; django.setup()
from django.core.management import call_command
from paceway.accounts.models import User
from messaging import selectors
from therapist.workspace.selectors import clinical_notes
patient, therapist = User.objects.get(email="p1@example.org"), User.objects.get(email="t1@example.org")
assert [m["body"] for m in selectors.list_messages(user=therapist, patient=patient).messages] == [{MESSAGE!r}]
assert [text for _, text in clinical_notes(patient)] == [{NOTE!r}]
call_command("check_keys")
call_command("verify_audit")
print("RESTORED-OK")
"""


def _check(database_url: str, **keys: str) -> subprocess.CompletedProcess[str]:
    return _django_setup({"DATABASE_URL": database_url, **keys}, CHECK)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_that_decrypts_and_verifies_with_the_same_keys_only(
    personas, settings, tmp_path, recorded_checks
):
    """Back up, restore into a fresh database, and check it with the same and with wrong keys.
    PostgreSQL: deploy/backup.sh and deploy/restore.sh. SQLite: the online backup API."""
    messaging.send_message(sender=personas.patient, patient=personas.patient, client_id="c1", body=MESSAGE)
    add_clinical_note(therapist=personas.therapist, patient=personas.patient, text=NOTE)
    keys = {"ENCRYPTION_KEYS": str(settings.ENCRYPTION_KEYS), "AUDIT_HMAC_KEY": str(settings.AUDIT_HMAC_KEY)}
    source = settings.DATABASES["default"]
    restored_name = None
    if connection.vendor == "postgresql":
        env = {**os.environ, "DATABASE_URL": database_url_for(source), "BACKUP_DIR": str(tmp_path / "backups")}
        backup = subprocess.run(
            ["sh", str(ROOT / "deploy/backup.sh")], env=env, capture_output=True, text=True, timeout=120
        )
        assert backup.returncode == 0, backup.stderr
        (dump,) = (tmp_path / "backups").glob("paceway-*.dump")
        restored_name = f"{source['NAME']}_restored"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{restored_name}"')
        target = database_url_for({**source, "NAME": restored_name})
        restore = subprocess.run(
            ["sh", str(ROOT / "deploy/restore.sh"), str(dump), target], capture_output=True, text=True, timeout=120
        )
        assert restore.returncode == 0, restore.stderr
        again = subprocess.run(
            ["sh", str(ROOT / "deploy/restore.sh"), str(dump), target], capture_output=True, text=True, timeout=120
        )
        assert again.returncode != 0 and "fresh, empty database" in again.stderr
    else:
        copy = tmp_path / "restored.sqlite3"
        with sqlite3.connect(source["NAME"]) as live, sqlite3.connect(copy) as restored:
            live.backup(restored)
        target = f"sqlite:///{copy}"
    try:
        same = _check(target, **keys)
        assert same.returncode == 0 and "RESTORED-OK" in same.stdout, same.stderr

        key_id = keys["ENCRYPTION_KEYS"].split(":", 1)[0]
        wrong_encryption = _check(target, **{**keys, "ENCRYPTION_KEYS": f"{key_id}:{_other_key()}"})
        assert wrong_encryption.returncode != 0
        assert (
            f"ENCRYPTION_KEYS key '{key_id}' is not the key this database was encrypted with" in wrong_encryption.stderr
        )

        wrong_audit = _check(target, **{**keys, "AUDIT_HMAC_KEY": "not-the-audit-key"})
        assert wrong_audit.returncode != 0
        assert "AUDIT_HMAC_KEY is not the key this audit log was written with" in wrong_audit.stderr
        assert "Audit chain broken" not in wrong_audit.stderr
    finally:
        if restored_name:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
