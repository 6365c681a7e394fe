"""Envelope encryption: round trip, tampering, wrong context, rotation, shredding."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from paceway.keyring.crypto import DecryptionError, parse_master_keys
from paceway.keyring.models import DataKey
from paceway.keyring.services import create_data_key, decrypt, destroy_data_key, encrypt, rotate_master_key


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_it_round_trips(db):
    key = create_data_key(purpose="test")
    sealed = encrypt(key, "I slept badly", context="row|1")
    assert b"slept" not in sealed
    assert decrypt(key, sealed, context="row|1") == "I slept badly"


def test_tampered_ciphertext_is_refused(db):
    key = create_data_key(purpose="test")
    sealed = bytearray(encrypt(key, "hello", context="row|1"))
    sealed[-1] ^= 1
    with pytest.raises(DecryptionError):
        decrypt(key, bytes(sealed), context="row|1")


def test_wrong_associated_data_raises(db):
    key = create_data_key(purpose="test")
    sealed = encrypt(key, "hello", context="row|1")
    with pytest.raises(DecryptionError):
        decrypt(key, sealed, context="row|2")


def test_a_wrong_data_key_raises(db):
    sealed = encrypt(create_data_key(purpose="a"), "hello", context="row|1")
    with pytest.raises(DecryptionError):
        decrypt(create_data_key(purpose="a"), sealed, context="row|1")


def test_rotation_rewraps_data_keys_and_keeps_ciphertext_readable(db, settings):
    old = settings.ENCRYPTION_KEYS
    key = create_data_key(purpose="test")
    sealed = encrypt(key, "hello", context="row|1")
    settings.ENCRYPTION_KEYS = f"k-new:{_key()},{old}"
    assert rotate_master_key() >= 1
    key.refresh_from_db()
    assert key.master_key_id == "k-new"
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS.split(",")[0]  # the old key is gone
    assert decrypt(key, sealed, context="row|1") == "hello"


def test_a_missing_master_key_raises(db, settings):
    key = create_data_key(purpose="test")
    sealed = encrypt(key, "hello", context="row|1")
    settings.ENCRYPTION_KEYS = f"other:{_key()}"
    with pytest.raises(DecryptionError):
        decrypt(key, sealed, context="row|1")


def test_destroying_a_data_key_shreds_its_ciphertext(db):
    key = create_data_key(purpose="test")
    sealed = encrypt(key, "hello", context="row|1")
    destroy_data_key(key)
    with pytest.raises(DecryptionError):
        decrypt(DataKey.objects.get(pk=key.pk), sealed, context="row|1")


def test_malformed_master_keys_fail_loudly():
    for spec in (
        "",
        "nocolon",
        "k1:not-base64!!",
        f"k1:{base64.b64encode(b'short').decode()}",
        f"k1:{_key()},k1:{_key()}",
    ):
        with pytest.raises(ImproperlyConfigured):
            parse_master_keys(spec)
