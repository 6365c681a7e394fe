"""Questionnaire responses, their scores, and risk alerts.

Responses and scores are immutable once saved: a correction is a new response that ``amends``
the original, with a reason; the original is kept. Risk alerts are only ever closed by a
clinician with a note; a later, lower score never clears one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableError(RuntimeError):
    pass


class QuestionnaireResponse(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questionnaire_responses")
    # The questionnaire filled in: an instrument slug ("phq-9") or a composite ("weekly-check-in").
    questionnaire = models.CharField(max_length=50)
    answers = models.JSONField(help_text="Item code -> answer value")
    language = models.CharField(max_length=8, default="en")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    amendment_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["patient", "submitted_at"])]
        verbose_name = _("questionnaire response")

    def __str__(self) -> str:
        return f"Response {self.pk} ({self.questionnaire})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("A submitted response cannot be changed; amend it instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("Responses are kept.")


class Score(models.Model):
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.PROTECT, related_name="scores")
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=50)
    scale = models.CharField(max_length=50)
    total = models.DecimalField(max_digits=6, decimal_places=2)
    band = models.CharField(max_length=40, blank=True)
    submitted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "scale"], name="one_score_per_scale_per_response")]
        indexes = [models.Index(fields=["patient", "scale", "submitted_at"])]

    def __str__(self) -> str:
        return f"Score {self.scale} of response {self.response_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Scores cannot be changed.")
        super().save(*args, **kwargs)


class RiskAlert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_alerts")
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.PROTECT, related_name="risk_alerts")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The therapist in charge when the alert was raised (None: routed to the fallback queue).
    therapist_at_creation = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    routed_to_fallback = models.BooleanField(default=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(status="resolved") & Q(resolved_by__isnull=False) & Q(resolved_at__isnull=False) & ~Q(resolution_note="")),
                name="resolved_alert_has_clinician_and_note",
            )
        ]
        indexes = [models.Index(fields=["status", "patient"])]

    def __str__(self) -> str:
        return f"Risk alert {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
