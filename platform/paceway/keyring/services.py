"""Data keys: create, use, rotate the master key over them, destroy."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from .crypto import DecryptionError, WrongKeyError, master_keys, new_key_material, seal, unseal
from .models import DataKey, MasterKeyCheck

CHECK_VALUE = b"paceway-master-key-check"
_recorded: set[tuple[str, bytes]] = set()


def _check_context(key_id: str) -> bytes:
    return f"paceway-keycheck|{key_id}".encode()


def record_key_checks() -> None:
    """Seal the check value under every configured master key that has none yet (run after
    migrations and before a key is first used)."""
    keys = master_keys()
    missing = [key_id for key_id in keys.keys if (key_id, keys.keys[key_id]) not in _recorded]
    if not missing:
        return
    known = set(MasterKeyCheck.objects.filter(key_id__in=missing).values_list("key_id", flat=True))
    MasterKeyCheck.objects.bulk_create(
        [
            MasterKeyCheck(key_id=key_id, sealed=seal(keys.get(key_id), CHECK_VALUE, _check_context(key_id)))
            for key_id in missing
            if key_id not in known
        ],
        ignore_conflicts=True,
    )
    _recorded.update((key_id, keys.keys[key_id]) for key_id in missing)


def wrong_master_key(key_id: str) -> bool | None:
    """True if the configured key ``key_id`` cannot open its check value (the wrong key), False
    if it can, None if there is no check value to tell (or no such key configured)."""
    keys = master_keys()
    check = MasterKeyCheck.objects.filter(key_id=key_id).first()
    if check is None or key_id not in keys.keys:
        return None
    try:
        unseal(keys.get(key_id), bytes(check.sealed), _check_context(key_id))
    except DecryptionError:
        return True
    return False


def check_keys() -> list[str]:
    """Problems with ENCRYPTION_KEYS for this database, each naming the variable; empty if none."""
    keys = master_keys()
    problems = []
    used = set(DataKey.objects.filter(destroyed_at__isnull=True).values_list("master_key_id", flat=True).distinct())
    for key_id in sorted(used - set(keys.keys)):
        problems.append(
            f"ENCRYPTION_KEYS has no key with id {key_id!r}, which data keys in this database are wrapped with"
        )
    for key_id in sorted(set(keys.keys) & (used | set(MasterKeyCheck.objects.values_list("key_id", flat=True)))):
        if wrong_master_key(key_id):
            problems.append(
                f"ENCRYPTION_KEYS key {key_id!r} is not the key this database was encrypted with "
                "(its stored check value does not open)"
            )
    return problems


def _wrap_context(data_key: DataKey) -> bytes:
    return f"paceway-datakey|{data_key.pk}|{data_key.purpose}".encode()


def _ensure_primary_key_is_right() -> None:
    """Never wrap new data under a wrong key (a restored database with other ENCRYPTION_KEYS):
    checked once per process and key."""
    keys = master_keys()
    if (keys.primary_id, keys.keys[keys.primary_id]) in _recorded:
        return
    if wrong_master_key(keys.primary_id):
        raise WrongKeyError(
            f"ENCRYPTION_KEYS key {keys.primary_id!r} is not the key this database was encrypted with: "
            "configure the ENCRYPTION_KEYS that belong with this database (a configuration error, not tampering)"
        )
    record_key_checks()


def create_data_key(*, purpose: str) -> DataKey:
    keys = master_keys()
    _ensure_primary_key_is_right()
    data_key = DataKey(purpose=purpose, master_key_id=keys.primary_id)
    data_key.wrapped = seal(keys.get(keys.primary_id), new_key_material(), _wrap_context(data_key))
    data_key.save()
    return data_key


def unwrap(data_key: DataKey) -> bytes:
    if data_key.destroyed_at is not None:
        raise DecryptionError("this data key was destroyed")
    master = master_keys().get(data_key.master_key_id)
    try:
        return unseal(master, bytes(data_key.wrapped), _wrap_context(data_key))
    except DecryptionError:
        if wrong_master_key(data_key.master_key_id):
            raise WrongKeyError(
                f"ENCRYPTION_KEYS key {data_key.master_key_id!r} is not the key this database was encrypted with: "
                "configure the ENCRYPTION_KEYS that belong with this database (a configuration error, not tampering)"
            ) from None
        raise


def encrypt(data_key: DataKey, plaintext: str, *, context: str) -> bytes:
    """Seal text under a data key; ``context`` names the row it belongs to."""
    return seal(unwrap(data_key), plaintext.encode(), context.encode())


def decrypt(data_key: DataKey, sealed: bytes, *, context: str) -> str:
    return unseal(unwrap(data_key), sealed, context.encode()).decode()


def rotate_master_key(*, batch_size: int = 500) -> int:
    """Re-wrap every live data key under the primary master key. Ciphertext is untouched."""
    keys = master_keys()
    _ensure_primary_key_is_right()
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
    _material_cache.pop(data_key.pk, None)


def data_key_for(purpose: str) -> DataKey:
    """The single live key for a deployment-wide purpose (e.g. MFA secrets), made on first use."""
    with transaction.atomic():
        existing = DataKey.objects.filter(purpose=purpose, destroyed_at__isnull=True).order_by("created_at").first()
        return existing or create_data_key(purpose=purpose)


# A patient's own key ---------------------------------------------------------------------------

PATIENT_PURPOSE = "patient-free-text"
_KEY_CACHE_SECONDS = 60.0
_KEY_CACHE_SIZE = 10_000
_material_cache: dict[Any, tuple[bytes, float]] = {}


def patient_data_key(patient_id: int) -> DataKey:
    """The patient's data key, made on first use (a concurrent first use keeps one)."""
    from django.db import IntegrityError

    from .models import PatientKey

    found = PatientKey.objects.filter(patient_id=patient_id).select_related("data_key").first()
    if found is not None:
        return found.data_key
    try:
        with transaction.atomic():
            data_key = create_data_key(purpose=f"{PATIENT_PURPOSE}:{patient_id}")
            PatientKey.objects.create(patient_id=patient_id, data_key=data_key)
            return data_key
    except IntegrityError:
        return PatientKey.objects.select_related("data_key").get(patient_id=patient_id).data_key


def key_material(data_key_id: Any) -> bytes:
    """The unwrapped material of a data key, kept a minute in this process so a page of rows
    costs one lookup. ``destroy_patient_key`` forgets it here at once; another process forgets
    it within the minute (by then the destroyed rows are gone too)."""
    now = time.monotonic()
    cached = _material_cache.get(data_key_id)
    if cached is not None and now - cached[1] < _KEY_CACHE_SECONDS:
        return cached[0]
    data_key = DataKey.objects.filter(pk=data_key_id).first()
    if data_key is None:
        raise DecryptionError("no such data key")
    material = unwrap(data_key)
    if len(_material_cache) >= _KEY_CACHE_SIZE:
        _material_cache.clear()  # a bounded cache: simple, and the next page refills it
    _material_cache[data_key_id] = (material, now)
    return material


def forget_cached_keys() -> None:
    _material_cache.clear()


def destroy_patient_key(patient_id: int) -> bool:
    """Crypto-shred the patient's free text: their data key is destroyed (False if they had none)."""
    from .models import PatientKey

    found = PatientKey.objects.filter(patient_id=patient_id).select_related("data_key").first()
    if found is None:
        return False
    destroy_data_key(found.data_key)
    _material_cache.pop(found.data_key_id, None)
    return True
