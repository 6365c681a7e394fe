"""Readiness and suitability screening: the intake, the therapist's decision, and consent to iCBT.

An intake is what the patient tells us before iCBT is offered (explicit fields, no free-form JSON),
linked to the baseline PHQ-9, GAD-7 and PEG responses saved through the outcomes service. The
platform only *suggests* a suitability; a therapist decides, with a rationale, the patient's goals
and preferences and an explanation the patient sees. Consent texts are versioned and immutable
once published; each consent records the version given and, later, its withdrawal.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paceway.keyring.fields import SealedTextField


class ImmutableError(RuntimeError):
    pass


class YesNoUnsure(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class DeviceAccess(models.TextChoices):
    YES = "yes", _("Yes, a device and internet access I can use privately")
    LIMITED = "limited", _("Sometimes, or only a shared device or patchy internet")
    NO = "no", _("No")


class Intake(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screening_intakes")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Pain
    pain_three_months = models.BooleanField(_("pain for 3 months or more"))
    pain_duration_months = models.PositiveIntegerField(
        _("how long (months)"), null=True, blank=True, validators=[MaxValueValidator(1200)]
    )
    pain_condition = SealedTextField(_("pain condition"), max_length=300, null=True)  # the patient's words, sealed

    # Other care in place (iCBT is part of multidisciplinary care, not instead of it)
    care_family_doctor = models.BooleanField(_("family doctor or nurse practitioner"), default=False)
    care_physiotherapy = models.BooleanField(_("physiotherapy"), default=False)
    care_pain_clinic = models.BooleanField(_("pain clinic"), default=False)
    care_psychology = models.BooleanField(_("psychology or counselling"), default=False)
    care_none = models.BooleanField(_("no other care at the moment"), default=False)
    care_other = SealedTextField(_("other care"), max_length=300, blank=True, null=True)

    # Technology, time, preferences
    device_access = models.CharField(_("device and internet access"), max_length=10, choices=DeviceAccess.choices)
    tech_comfort = models.PositiveSmallIntegerField(
        _("comfort with technology"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    weekly_minutes = models.PositiveIntegerField(
        _("time available each week (minutes)"), validators=[MaxValueValidator(7 * 24 * 60)]
    )
    prefers_in_person = models.CharField(_("prefers in-person care"), max_length=10, choices=YesNoUnsure.choices)
    readiness = models.PositiveSmallIntegerField(
        _("readiness to learn self-management skills"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    # Caution flags (clinical reference, section 2)
    flag_suicidal_plans = models.BooleanField(_("current plans to end one's life"), default=False)
    flag_mania = models.BooleanField(_("mania or very high mood that is not being treated"), default=False)
    flag_substance_use = models.BooleanField(_("alcohol or drug use is a problem now"), default=False)
    flag_psychosis = models.BooleanField(_("psychosis"), default=False)
    flag_ptsd_ocd = models.BooleanField(_("severe PTSD or OCD is the main problem"), default=False)
    flag_cannot_log_in_weekly = models.BooleanField(_("cannot log in at least once a week"), default=False)

    # Baseline questionnaires, saved through the outcomes service (scores and risk alerts there).
    phq9_response = models.ForeignKey(
        "outcomes.QuestionnaireResponse", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    gad7_response = models.ForeignKey(
        "outcomes.QuestionnaireResponse", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    peg_response = models.ForeignKey(
        "outcomes.QuestionnaireResponse", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["submitted_at", "id"]
        indexes = (models.Index(fields=["patient", "submitted_at"]),)
        verbose_name = _("intake")

    def __str__(self) -> str:
        return f"Intake {self.pk}"

    @property
    def baseline_responses(self) -> list[Any]:
        return [r for r in (self.peg_response, self.phq9_response, self.gad7_response) if r is not None]


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Accept into the program")
    REFER = "refer", _("Refer to in-person or multidisciplinary care")
    NOT_NOW = "not_now", _("Not now")


class ScreeningDecision(models.Model):
    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="decision")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    rationale = models.TextField(_("rationale"))
    goals_and_preferences = models.TextField(_("the patient's goals and preferences"))
    explanation = models.TextField(_("explanation for the patient"))
    decided_at = models.DateTimeField(default=timezone.now)
    # Consent in force when the patient was accepted (None for referrals and "not now").
    consent = models.ForeignKey("Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Set once the enrolment exists (at once, or when a therapist is assigned to an unassigned patient).
    enrolment = models.ForeignKey(
        "modules.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["decided_at", "id"]
        verbose_name = _("screening decision")

    def __str__(self) -> str:
        return f"Decision {self.pk} ({self.decision})"


class ConsentText(models.Model):
    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["version"]
        verbose_name = _("consent text")

    def __str__(self) -> str:
        return f"Consent text v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and ConsentText.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ImmutableError("A published consent text cannot change; publish a new version.")
        super().save(*args, **kwargs)


class Consent(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="icbt_consents")
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The flag left on an enrolment that goes on after consent was withdrawn.
    enrolment_at_withdrawal = models.ForeignKey(
        "modules.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["given_at", "id"]
        indexes = (models.Index(fields=["patient", "withdrawn_at"]),)
        verbose_name = _("consent to iCBT")

    def __str__(self) -> str:
        return f"Consent {self.pk} (v{self.consent_text_id})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
