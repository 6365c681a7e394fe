from __future__ import annotations

from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import Role


def zone_or_default(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Refused: nobody is a superuser (an administrator's admin permissions come from the
        role, ``paceway.accounts.permissions``). Use ``manage.py create_first_admin``."""
        raise ValueError("Paceway has no superusers: use manage.py create_first_admin")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PATIENT)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    # Set at sign-up from the language the person was reading in (accounts.adapters), switchable.
    preferred_language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    # An IANA zone name; blank means the clinic's (settings.TIME_ZONE). Every date and time this
    # person sees is shown in it (paceway.accounts.middleware.UserTimeZoneMiddleware).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def name(self) -> str:
        return self.name_from(self.display_name, self.email)

    @staticmethod
    def name_from(display_name: str, email: str) -> str:
        """How a person is shown to others (also for rows read without the model)."""
        return display_name or email.split("@")[0]

    @property
    def zone(self) -> ZoneInfo:
        """This person's time zone, the clinic's when unset or no longer known."""
        return zone_or_default(self.time_zone)


class TherapistProfile(models.Model):
    """What an administrator needs to know before assigning patients to a therapist."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="therapist_profile", verbose_name=_("person")
    )
    training_title = models.CharField(_("chronic-pain training"), max_length=200, blank=True)
    training_completed_on = models.DateField(_("training completed on"), null=True, blank=True)
    training_evidence = models.TextField(_("evidence"), blank=True)
    training_verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("training verified by")
    )
    training_verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("training verified at"))
    caseload_capacity = models.PositiveIntegerField(_("caseload capacity"), default=25)
    languages = models.CharField(
        _("languages"), max_length=100, default="en", help_text=_("Comma-separated codes, e.g. en,fr")
    )
    is_active_clinician = models.BooleanField(_("active (not on leave)"), default=True)
    is_clinical_lead = models.BooleanField(_("clinical lead"), default=False)
    # What patients read about their therapist once assigned (written by the therapist).
    public_profile = models.TextField(
        _("about you, for your patients"),
        max_length=1000,
        blank=True,
        help_text=_("A few sentences your patients see: your background and how you work."),
    )
    welcome_message = models.TextField(
        _("welcome message"),
        max_length=2000,
        blank=True,
        help_text=_("Shown to each new patient once you are their therapist."),
    )

    class Meta:
        verbose_name = _("therapist profile")

    def __str__(self) -> str:
        return gettext("Therapist profile of %(name)s") % {"name": self.user}

    @property
    def training_verified(self) -> bool:
        return self.training_verified_at is not None


class CareAssignment(models.Model):
    """A patient in a therapist's care. Ended rows are the history; at most one is open."""

    patient = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="care_assignments", verbose_name=_("patient")
    )
    therapist = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="caseload_assignments", verbose_name=_("therapist")
    )
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(default=timezone.now, verbose_name=_("assigned at"))
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("ended by")
    )
    end_reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason for ending"))

    class Meta:
        verbose_name = _("care assignment")
        verbose_name_plural = _("care assignments")
        constraints = (
            models.UniqueConstraint(
                fields=["patient"], condition=Q(ended_at__isnull=True), name="one_active_assignment_per_patient"
            ),
        )
        indexes = (models.Index(fields=["therapist", "ended_at"]),)
        ordering: ClassVar[list[str]] = ["-assigned_at"]

    def __str__(self) -> str:
        return f"{self.patient} -> {self.therapist}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Invitation(models.Model):
    """A one-time, expiring link for a therapist or administrator to join."""

    email = models.EmailField(verbose_name=_("e-mail address"))
    role = models.CharField(
        max_length=20,
        choices=[
            (Role.THERAPIST, Role.THERAPIST.label),
            (Role.ADMINISTRATOR, Role.ADMINISTRATOR.label),
            (Role.PRIVACY_OFFICER, Role.PRIVACY_OFFICER.label),
        ],
        verbose_name=_("role"),
    )
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token (hashed)"))
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("account created")
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return gettext("Invitation for %(email)s (%(role)s)") % {"email": self.email, "role": self.get_role_display()}

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class MfaReset(models.Model):
    """An administrator removed a person's second factors (lost phone): who, for whom, why.

    Made only through ``services.reset_mfa`` (the admin's "add" form): the reason is required, the
    person is told by e-mail, and the reset is in the audit chain. Kept as it was."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mfa_resets", verbose_name=_("person"))
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("reset by"))
    reason = models.CharField(_("reason"), max_length=500)
    authenticators_removed = models.PositiveIntegerField(default=0, verbose_name=_("authenticators removed"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        verbose_name = _("MFA reset")

    def __str__(self) -> str:
        return gettext("MFA reset of %(name)s at %(time)s") % {
            "name": self.user,
            "time": f"{self.created_at:%Y-%m-%d %H:%M}",
        }


class BreakGlassAccess(models.Model):
    """Time-limited read access to one patient's clinical data for someone outside the care team
    (an administrator or a clinical lead), opened with a reason. The patient's therapist and the
    privacy contact are told; the patient sees it on "Who has seen my record". It ends by itself
    at ``expires_at`` (``access.can_view_clinical`` compares with the clock) or when closed."""

    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="break_glass_accesses", verbose_name=_("opened by")
    )
    patient = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="break_glass_on_record", verbose_name=_("patient")
    )
    reason = models.CharField(_("reason"), max_length=500)
    opened_at = models.DateTimeField(default=timezone.now, verbose_name=_("opened at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at"]
        indexes = (models.Index(fields=["actor", "patient", "expires_at"]),)
        verbose_name = _("break-glass access")

    def __str__(self) -> str:
        return f"break-glass {self.actor_id} -> {self.patient_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_open(self, now: Any = None) -> bool:
        return self.closed_at is None and self.expires_at > (now or timezone.now())
