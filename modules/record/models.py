from __future__ import annotations

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
