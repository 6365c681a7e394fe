"""Envelope encryption with AES-256-GCM.

Master keys come from ``ENCRYPTION_KEYS`` as ``id:base64key`` pairs, comma-separated, the first
being the one new data keys are wrapped with. Data keys are wrapped with associated data naming
the key and its purpose; every sealed value carries associated data binding it to its row. Any
tampering, wrong key or wrong associated data raises ``DecryptionError``; nothing falls back to
returning stored bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """Ciphertext was tampered with, the key is wrong or destroyed, or the context differs."""


class WrongKeyError(DecryptionError):
    """The configured ENCRYPTION_KEYS are not the ones this database was encrypted with (a
    configuration error, e.g. a backup restored with other keys), as opposed to tampering."""


@dataclass(frozen=True)
class MasterKeys:
    primary_id: str
    keys: dict[str, bytes]

    def get(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise WrongKeyError(
                f"ENCRYPTION_KEYS has no key with id {key_id!r}, which this database's data is encrypted under: "
                "configure the ENCRYPTION_KEYS that belong with this database (a configuration error, not tampering)"
            ) from None


def parse_master_keys(spec: str) -> MasterKeys:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured("ENCRYPTION_KEYS entries look like id:base64key")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"ENCRYPTION_KEYS key {key_id!r} is not valid base64") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(f"ENCRYPTION_KEYS key {key_id!r} must be 32 bytes (256 bits)")
        if key_id in keys:
            raise ImproperlyConfigured(f"ENCRYPTION_KEYS repeats the key id {key_id!r}")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("ENCRYPTION_KEYS holds no key")
    return MasterKeys(order[0], keys)


@lru_cache(maxsize=4)
def _master_keys_for(spec: str) -> MasterKeys:
    return parse_master_keys(spec)


def master_keys() -> MasterKeys:
    return _master_keys_for(str(settings.ENCRYPTION_KEYS))


def new_key_material() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, FORMAT_VERSION + associated_data)


def unseal(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    sealed = bytes(sealed)
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT_VERSION:
        raise DecryptionError("not a sealed value of a known format")
    nonce = sealed[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[1 + NONCE_BYTES :], FORMAT_VERSION + associated_data)
    except InvalidTag:
        raise DecryptionError("authentication failed") from None
