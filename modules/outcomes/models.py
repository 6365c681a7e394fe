"""Questionnaire responses, their scores, and risk alerts.

Responses and scores are immutable once saved: a correction is a new response that ``amends``
the original, with a reason; the original is kept. Risk alerts are only ever closed by a
clinician with a note; a later, lower score never clears one.
"""

from __future__ import annotations

from datetime import time
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import clinic as clinic_validators


class ImmutableError(RuntimeError):
    pass


class QuestionnaireResponse(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    # The questionnaire filled in: an instrument slug ("phq-9") or a composite ("weekly-check-in").
    questionnaire = models.CharField(max_length=50)
    answers = models.JSONField(help_text="Item code -> answer value")
    language = models.CharField(max_length=8, default="en")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments")
    amendment_reason = models.CharField(max_length=500, blank=True)
    # The form render's token (paceway.submissions): a retried submission is stored once.
    submission_token = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["submitted_at", "id"]
        indexes = (models.Index(fields=["patient", "submitted_at"]),)
        constraints = (
            models.UniqueConstraint(
                fields=["patient", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="questionnaire_response_submission_once",
            ),
        )
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
        ordering: ClassVar[list[str]] = ["submitted_at", "id"]
        constraints = (models.UniqueConstraint(fields=["response", "scale"], name="one_score_per_scale_per_response"),)
        indexes = (models.Index(fields=["patient", "scale", "submitted_at"]),)

    def __str__(self) -> str:
        return f"Score {self.scale} of response {self.response_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Scores cannot be changed.")
        super().save(*args, **kwargs)


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")


class RiskAlert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    class Kind(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", _("Risk answer in a questionnaire")
        TEXT = "text", _("Possible risk in text")

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_alerts")
    # The questionnaire answers that raised it (None for a "possible risk in text" alert).
    response = models.ForeignKey(
        QuestionnaireResponse, null=True, blank=True, on_delete=models.PROTECT, related_name="risk_alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.QUESTIONNAIRE)
    source = models.CharField(max_length=30, blank=True)  # for text: "message", "diary", ... (never the text)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The therapist in charge when the alert was raised (None: routed to the fallback queue).
    therapist_at_creation = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    routed_to_fallback = models.BooleanField(default=False)
    # The follow-up screener's triage level (C-SSRS screener), once the patient answered it.
    triage_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    screener = models.OneToOneField(
        QuestionnaireResponse, null=True, blank=True, on_delete=models.PROTECT, related_name="screened_alert"
    )
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
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints = (
            models.CheckConstraint(
                condition=Q(status="open")
                | (
                    Q(status="resolved")
                    & Q(resolved_by__isnull=False)
                    & Q(resolved_at__isnull=False)
                    & ~Q(resolution_note="")
                ),
                name="resolved_alert_has_clinician_and_note",
            ),
        )
        indexes = (models.Index(fields=["status", "patient"]),)

    def __str__(self) -> str:
        return f"Risk alert {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ClinicProfile(models.Model):
    """The clinic's crisis resources, hours and escalation ladder, set by administrators.

    Versioned: rows are never changed or deleted; the admin saves every edit as a new row and the
    newest row is the current profile (``clinic.current_profile``). No health data here.
    The one definition of the clinic's hours (time zone, open days, opening and closing times):
    the panel's words (``clinic.hours_text``), the ladder's business minutes and the business days
    of replies, decisions and assignments (``paceway.clinic``) all derive from it. Every save also
    writes a copy of the crisis resources for the 503 page (``clinic.write_snapshot``).
    """

    clinic_name = models.CharField(_("clinic name"), max_length=200)
    contact_phone = models.CharField(_("clinic contact phone"), max_length=60)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Toronto", validators=[clinic_validators.validate_time_zone]
    )
    open_days = models.CharField(
        _("open days"),
        max_length=20,
        default="0,1,2,3,4",
        validators=[clinic_validators.validate_open_days],
        help_text=_("0 = Monday ... 6 = Sunday, separated by commas."),
    )
    opens_at = models.TimeField(_("opens at"), default=time(9))
    closes_at = models.TimeField(_("closes at"), default=time(17))
    contact_within_hours = models.PositiveSmallIntegerField(
        _("patients are contacted within (business hours)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    crisis_lines = models.JSONField(
        _("crisis lines"),
        default=clinic_validators.default_crisis_lines,
        validators=[clinic_validators.validate_crisis_lines],
        help_text=_(
            'A list of lines: {"regions": ["*"] or ["ON", "QC"], "phone": ..., "name_en": ..., "name_fr": ..., '
            '"description_en": ..., "description_fr": ...}. Defaults: 9-8-8 Suicide Crisis Helpline and 911.'
        ),
    )
    # The escalation ladder: the assigned therapist at once; the clinical leads after
    # ``leads_after_minutes`` of business time; every administrator and the on-call list after
    # ``everyone_after_minutes`` of clock time (on call means out of hours too); then again every
    # ``repeat_every_minutes`` until someone acknowledges. A "high" triage level uses the shorter
    # times.
    leads_after_minutes = models.PositiveIntegerField(
        _("clinical leads after (business minutes)"), default=60, validators=[MinValueValidator(1)]
    )
    everyone_after_minutes = models.PositiveIntegerField(
        _("administrators and on-call after (minutes)"), default=240, validators=[MinValueValidator(1)]
    )
    repeat_every_minutes = models.PositiveIntegerField(
        _("repeat every (minutes) until acknowledged"), default=60, validators=[MinValueValidator(5)]
    )
    high_risk_leads_after_minutes = models.PositiveIntegerField(
        _("high risk: clinical leads after (minutes)"), default=15, validators=[MinValueValidator(1)]
    )
    high_risk_everyone_after_minutes = models.PositiveIntegerField(
        _("high risk: administrators and on-call after (minutes)"), default=60, validators=[MinValueValidator(1)]
    )
    on_call = models.JSONField(
        _("on-call list"),
        default=list,
        blank=True,
        help_text=_('A list of {"name": ..., "email": ..., "phone": ...} (staff contacts, no patient data).'),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        verbose_name = _("clinic profile (crisis resources and escalation)")
        verbose_name_plural = _("clinic profiles (every saved version)")

    def __str__(self) -> str:
        return f"{self.clinic_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("A clinic profile version is kept; save a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("Clinic profile versions are kept.")


class ContactDetails(models.Model):
    """How the care team can reach a patient (and whom to call in an emergency), sealed with the
    keyring: the fields live in ``ciphertext`` as JSON, never in plain columns. Every save adds a
    row (the newest is current); reads are audited (see ``contact.contact_details``)."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey("keyring.DataKey", on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-saved_at", "-pk"]
        indexes = (models.Index(fields=["patient", "saved_at"]),)
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        return f"Contact details {self.pk}"


class ContactAttempt(models.Model):
    """One try to reach the patient about an alert: when, how, and whether they were reached."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        VOICEMAIL = "voicemail", _("Phone call, voicemail left")
        TEXT = "text", _("Text message")
        MESSAGE = "message", _("Secure message in Paceway")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        EMERGENCY_CONTACT = "emergency_contact", _("Through the emergency contact")

    alert = models.ForeignKey(RiskAlert, on_delete=models.PROTECT, related_name="attempts")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    reached = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["attempted_at", "pk"]

    def __str__(self) -> str:
        return f"Contact attempt {self.pk} on alert {self.alert_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("A contact attempt is kept as recorded.")
        super().save(*args, **kwargs)


class FollowUpAction(models.TextChoices):
    SAFETY_PLAN = "safety_plan", _("Safety plan reviewed or made")
    CRISIS_REFERRAL = "crisis_referral", _("Referred to a crisis service or emergency department")
    PHYSICIAN_INFORMED = "physician_informed", _("Family physician or nurse practitioner informed")
    EMERGENCY_CONTACT = "emergency_contact", _("Emergency contact used")


class FollowUp(models.Model):
    """The clinician's structured follow-up of an alert. The free text (protective factors, plan,
    hand-over summary) is sealed with the keyring; the rest is structured."""

    alert = models.OneToOneField(RiskAlert, on_delete=models.PROTECT, related_name="follow_up")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    actions = models.JSONField(default=list, blank=True)
    handover_service = models.CharField(max_length=200, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    data_key = models.ForeignKey("keyring.DataKey", on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Follow-up of alert {self.alert_id}"


class AlertNotification(models.Model):
    """One delivery of one escalation step of an alert, to one address on one channel.

    The unique key (alert, step, channel, address) is written before anything is sent, so a step
    happens once however many times the task or the sweep runs. ``claimed_at`` marks a delivery
    in progress: a worker that dies after claiming leaves it claimed, and the sweep sends it again
    once the claim is stale. The address is a staff e-mail or phone (no patient data here).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")

    alert = models.ForeignKey(RiskAlert, on_delete=models.PROTECT, related_name="notifications")
    step = models.CharField(max_length=20)  # "notify", "leads", "everyone", "repeat-1", ...
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=100, blank=True)  # an exception type name only

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]
        constraints = (
            models.UniqueConstraint(
                fields=["alert", "step", "channel", "address"], name="one_delivery_per_step_channel_address"
            ),
        )
        indexes = (models.Index(fields=["sent_at", "alert"]),)

    def __str__(self) -> str:
        return f"Alert {self.alert_id} step {self.step} by {self.channel}"


class SafetyPlan(models.Model):
    """A version of a patient's safety plan (Stanley-Brown structure), built by the patient and
    their therapist together. Every save is a new version; the newest is current. The text is
    sealed with the keyring."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    data_key = models.ForeignKey("keyring.DataKey", on_delete=models.PROTECT, related_name="+")
    ciphertext = models.BinaryField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-version"]
        constraints = (models.UniqueConstraint(fields=["patient", "version"], name="one_safety_plan_version_number"),)

    def __str__(self) -> str:
        return f"Safety plan v{self.version} of {self.patient_id}"
