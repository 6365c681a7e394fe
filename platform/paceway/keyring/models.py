from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class DataKey(models.Model):
    """A random 256-bit key for one purpose (a conversation, notes, MFA secrets), stored wrapped
    by a master key that never enters the database. Destroying it shreds its ciphertext."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=80, db_index=True)
    master_key_id = models.CharField(max_length=40)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} ({self.master_key_id})"


class MasterKeyCheck(models.Model):
    """A fixed value sealed under each master key when that key is first used. When a data key
    will not unwrap and this will not open either, the configured key is the wrong one
    (ENCRYPTION_KEYS, e.g. after restoring a backup), not tampered data."""

    key_id = models.CharField(max_length=40, unique=True)
    sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"check value for master key {self.key_id}"


class PatientKey(models.Model):
    """The data key a patient's free text is sealed under (diary notes, exercise text, intake
    text; ``paceway.keyring.fields``). One per patient, made on first use; destroying its data
    key when the record is destroyed makes every copy of that text unreadable."""

    patient = models.OneToOneField("accounts.User", on_delete=models.PROTECT, related_name="+")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"data key of patient {self.patient_id}"
