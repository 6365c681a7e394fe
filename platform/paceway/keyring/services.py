"""Data keys: create, use, rotate the master key over them, destroy."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .crypto import DecryptionError, master_keys, new_key_material, seal, unseal
from .models import DataKey


def _wrap_context(data_key: DataKey) -> bytes:
    return f"paceway-datakey|{data_key.pk}|{data_key.purpose}".encode()


def create_data_key(*, purpose: str) -> DataKey:
    keys = master_keys()
    data_key = DataKey(purpose=purpose, master_key_id=keys.primary_id)
    data_key.wrapped = seal(keys.get(keys.primary_id), new_key_material(), _wrap_context(data_key))
    data_key.save()
    return data_key


def unwrap(data_key: DataKey) -> bytes:
    if data_key.destroyed_at is not None:
        raise DecryptionError("this data key was destroyed")
    master = master_keys().get(data_key.master_key_id)
    return unseal(master, bytes(data_key.wrapped), _wrap_context(data_key))


def encrypt(data_key: DataKey, plaintext: str, *, context: str) -> bytes:
    """Seal text under a data key; ``context`` names the row it belongs to."""
    return seal(unwrap(data_key), plaintext.encode(), context.encode())


def decrypt(data_key: DataKey, sealed: bytes, *, context: str) -> str:
    return unseal(unwrap(data_key), sealed, context.encode()).decode()


def rotate_master_key(*, batch_size: int = 500) -> int:
    """Re-wrap every live data key under the primary master key. Ciphertext is untouched."""
    keys = master_keys()
    rewrapped = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .filter(destroyed_at__isnull=True)
                .exclude(master_key_id=keys.primary_id)[:batch_size]
            )
            if not batch:
                return rewrapped
            for data_key in batch:
                material = unwrap(data_key)
                data_key.wrapped = seal(keys.get(keys.primary_id), material, _wrap_context(data_key))
                data_key.master_key_id = keys.primary_id
                data_key.rotated_at = timezone.now()
                data_key.save(update_fields=["wrapped", "master_key_id", "rotated_at"])
            rewrapped += len(batch)


def destroy_data_key(data_key: DataKey) -> None:
    """Crypto-shredding: without the key material, every copy of the ciphertext is noise."""
    data_key.wrapped = b""
    data_key.destroyed_at = timezone.now()
    data_key.save(update_fields=["wrapped", "destroyed_at"])


def data_key_for(purpose: str) -> DataKey:
    """The single live key for a deployment-wide purpose (e.g. MFA secrets), made on first use."""
    with transaction.atomic():
        existing = DataKey.objects.filter(purpose=purpose, destroyed_at__isnull=True).order_by("created_at").first()
        return existing or create_data_key(purpose=purpose)
