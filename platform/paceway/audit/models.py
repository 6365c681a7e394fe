from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEvent(models.Model):
    """Who did what to whose data, when and from where. Never the health data itself.

    Rows are chained: ``mac`` is an HMAC over the previous row's ``mac`` (in the same chain) and
    this row's fields, keyed outside the database, so an edit, deletion or reordering is
    detectable. There are a few parallel chains, chosen by patient, so that audited writes for
    different patients do not all queue on one lock.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("time"))
    actor_id = models.BigIntegerField(null=True, verbose_name=_("actor"))
    actor_role = models.CharField(max_length=20, blank=True, verbose_name=_("actor role"))
    patient_id = models.BigIntegerField(null=True, db_index=True, verbose_name=_("patient"))
    action = models.CharField(max_length=80, verbose_name=_("action"))
    object_type = models.CharField(max_length=80, blank=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    client_ip = models.CharField(max_length=45, blank=True, verbose_name=_("client IP address"))
    request_id = models.CharField(max_length=64, blank=True, verbose_name=_("request id"))
    chain = models.PositiveSmallIntegerField(default=0, verbose_name=_("chain"))
    mac = models.CharField(max_length=64, verbose_name=_("MAC"))

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit events cannot be deleted")


class AuditChainHead(models.Model):
    """One row per chain (pk = chain + 1) holding its latest MAC; locking it serialises appends
    to that chain, and it lets verification notice rows cut from the end."""

    last_event_id = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain head at {self.last_event_id}"


class AuditKeyCheck(models.Model):
    """One row: an HMAC of a fixed text under AUDIT_HMAC_KEY. A different key gives a different
    fingerprint, so verification can say "wrong AUDIT_HMAC_KEY" instead of "tampering"."""

    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "audit key fingerprint"
