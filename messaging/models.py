"""Conversations between a patient and their care team, sealed at rest.

The database is the source of truth: every message has a per-conversation sequence number
assigned under a row lock on its conversation, and readers page by ``seq``. The channel layer
only rings a doorbell (conversation id + seq); it never carries text.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paceway.keyring.models import DataKey


class Conversation(models.Model):
    """One per patient, shared with whoever is their assigned therapist at the time."""

    patient = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversation")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")

    def __str__(self) -> str:
        return f"Conversation {self.pk} (patient {self.patient_id})"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["conversation", "seq"]
        constraints = (
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(fields=["conversation", "sender", "client_id"], name="message_client_id_unique"),
        )

    def __str__(self) -> str:
        return f"Message {self.conversation_id}#{self.seq}"

    @property
    def context(self) -> str:
        """Associated data binding the ciphertext to its row."""
        return message_context(self.conversation_id, self.seq, self.sender_id, self.client_id)


def message_context(conversation_id: int, seq: int, sender_id: int, client_id: str) -> str:
    return f"msg|v1|{conversation_id}|{seq}|{sender_id}|{client_id}"


class ReadReceipt(models.Model):
    """How far a participant has read a conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["conversation", "user"], name="one_receipt_per_participant"),)

    def __str__(self) -> str:
        return f"{self.user_id} read {self.conversation_id} up to {self.last_read_seq}"


class NotificationSent(models.Model):
    """One 'a secure message is waiting' e-mail, recorded before it is sent (idempotency key)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(help_text="Highest message seq this e-mail covers")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["conversation", "recipient", "seq"], name="one_notification_per_watermark"),
        )

    def __str__(self) -> str:
        return f"Notified {self.recipient_id} about {self.conversation_id} up to {self.seq}"
