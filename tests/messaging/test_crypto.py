from __future__ import annotations

import base64
import os

import pytest

from messaging import errors, sealing, selectors, services
from messaging.models import Conversation, Message
from paceway.keyring.crypto import DecryptionError
from paceway.keyring.models import DataKey
from paceway.keyring.services import rotate_master_key, unwrap

from .helpers import send


def test_it_stores_no_plaintext(personas):
    message = send(personas.patient, personas.patient, body="Plaintext-marker 123")
    stored = bytes(Message.objects.get(pk=message.pk).ciphertext)
    assert b"Plaintext-marker" not in stored and len(stored) > 28


def test_each_conversation_has_its_own_data_key(personas):
    from paceway.accounts.services import assign_patient

    assign_patient(actor=personas.admin, patient=personas.stranger, therapist=personas.therapist)
    send(personas.patient, personas.patient)
    send(personas.stranger, personas.stranger)
    keys = set(Conversation.objects.values_list("data_key_id", flat=True))
    assert len(keys) == 2


def test_tampered_ciphertext_raises(personas):
    message = send(personas.patient, personas.patient, body="do not change me")
    raw = bytearray(bytes(message.ciphertext))
    raw[-1] ^= 0x01
    Message.objects.filter(pk=message.pk).update(ciphertext=bytes(raw))
    with pytest.raises(DecryptionError):
        selectors.list_messages(user=personas.patient, patient=personas.patient)


def test_ciphertext_moved_to_another_row_raises(personas):
    first = send(personas.patient, personas.patient, body="first")
    second = send(personas.therapist, personas.patient, body="second")
    Message.objects.filter(pk=second.pk).update(ciphertext=bytes(first.ciphertext))
    conversation = Conversation.objects.get(patient=personas.patient)
    key = unwrap(conversation.data_key)
    assert sealing.open_message(key, Message.objects.get(pk=first.pk)) == "first"
    with pytest.raises(DecryptionError):
        sealing.open_message(key, Message.objects.get(pk=second.pk))


def test_erasing_a_conversation_shreds_its_key(personas):
    message = send(personas.patient, personas.patient, body="gone soon")
    ciphertext = bytes(message.ciphertext)
    assert services.erase_conversation(patient=personas.patient, actor=personas.admin)
    conversation = Conversation.objects.get(patient=personas.patient)
    assert conversation.erased_at is not None
    data_key = DataKey.objects.get(pk=conversation.data_key_id)
    assert bytes(data_key.wrapped) == b"" and data_key.destroyed_at is not None
    with pytest.raises(DecryptionError):
        unwrap(data_key)
    with pytest.raises(errors.ConversationClosed):
        selectors.list_messages(user=personas.patient, patient=personas.patient)
    with pytest.raises(errors.ConversationClosed):
        send(personas.patient, personas.patient)
    # The row stays, and it is noise now.
    assert bytes(Message.objects.get(pk=message.pk).ciphertext) == ciphertext


def test_master_key_rotation_rewraps_without_touching_messages(personas, settings):
    send(personas.patient, personas.patient, body="before rotation")
    old_spec = str(settings.ENCRYPTION_KEYS)
    stored = bytes(Message.objects.get().ciphertext)
    new_key = base64.b64encode(os.urandom(32)).decode()
    settings.ENCRYPTION_KEYS = f"rot2:{new_key},{old_spec}"
    assert rotate_master_key() >= 1
    conversation = Conversation.objects.select_related("data_key").get(patient=personas.patient)
    assert conversation.data_key.master_key_id == "rot2"
    assert bytes(Message.objects.get().ciphertext) == stored
    # Only the new master key configured: still readable.
    settings.ENCRYPTION_KEYS = f"rot2:{new_key}"
    page = selectors.list_messages(user=personas.therapist, patient=personas.patient)
    assert [m["body"] for m in page.messages] == ["before rotation"]
    send(personas.therapist, personas.patient, body="after rotation")
    page = selectors.list_messages(user=personas.patient, patient=personas.patient)
    assert [m["body"] for m in page.messages] == ["before rotation", "after rotation"]
