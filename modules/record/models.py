from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountClosure(models.Model):
    """A patient closed their account. The record is kept for the clinic's retention period after
    the last contact (``RECORD_RETENTION_YEARS``), then destroyed by a scheduled task
    (``services.destroy_due``): data keys destroyed, rows deleted, the account anonymised, the
    audit events (which hold no content) kept."""

    patient = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    last_contact_at = models.DateTimeField()
    destroy_after = models.DateTimeField(db_index=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account closure")

    def __str__(self) -> str:
        return f"closure of {self.patient_id}, destroy after {self.destroy_after:%Y-%m-%d}"


class CorrectionRequest(models.Model):
    """A patient asks for something in their record to be corrected (PHIPA s. 55). A clinician
    on the care team accepts it (an amendment is recorded; the original stays as it was) or
    refuses it with reasons; after a refusal the patient may attach a statement of disagreement,
    which travels with the item in every export. The clinic answers within 30 days (``due_at``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Corrected")
        REFUSED = "refused", _("Refused")

    class ItemKind(models.TextChoices):
        """What the request is about, so the answer and any disagreement travel with that item
        (``selectors.item_choices`` lists a patient's items; ``item_id`` is that row's id)."""

        EXERCISE = "exercise", _("A diary or exercise entry")
        QUESTIONNAIRE = "questionnaire", _("A questionnaire")
        MESSAGE = "message", _("A message")
        CONTACT = "contact", _("Contact details")
        INTAKE = "intake", _("The intake")
        OTHER = "other", _("Something else in my record")

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item_kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.OTHER)
    item_id = models.PositiveBigIntegerField(null=True, blank=True)
    item = models.CharField(_("what should be corrected"), max_length=300)
    correction = models.TextField(_("what it should say"), max_length=4000)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    amendment = models.TextField(_("amendment"), blank=True, max_length=4000)
    refusal_reason = models.TextField(_("reasons for refusal"), blank=True, max_length=4000)
    disagreement = models.TextField(_("statement of disagreement"), blank=True, max_length=4000)
    disagreement_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]
        indexes = (models.Index(fields=["patient", "item_kind", "item_id"]),)
        verbose_name = _("correction request")

    def __str__(self) -> str:
        return f"correction request {self.pk} ({self.status})"
