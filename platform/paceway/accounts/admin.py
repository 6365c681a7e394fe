"""Django admin for accounts, invitations, therapist verification and assignments.

Writes go through the services so the rules (training, capacity, history, MFA resets with a
reason) hold here too, and each is in the audit chain. Besides the services' own events, every
entry of Django's admin log is copied into the audit chain (``paceway.audit.signals``), and the
bulk "delete selected" action, which would bypass both, is off site-wide.

E-mail addresses and authenticators are read-only here: an administrator who could change a
clinician's e-mail or delete their authenticator could take over the account. Second factors
are reset through "MFA resets" (a reason, an e-mail to the person).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from paceway.typing import signed_in

from . import services
from .models import CareAssignment, Invitation, MfaReset, TherapistProfile, User
from .roles import Role

admin.site.disable_action("delete_selected")


class UserAdminForm(forms.ModelForm[User]):
    actor: Any = None

    class Meta:
        model = User
        fields = ("display_name", "preferred_language", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = self.instance
        if user.pk and user.is_active and data.get("is_active") is False:
            if self.actor is not None and self.actor.pk == user.pk:
                raise ValidationError(_("You cannot deactivate your own account."))
            if user.role == Role.THERAPIST:
                refusal = services.deactivation_refusal(user)
                if refusal:
                    raise ValidationError(refusal)
        return data


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("email", "display_name", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("email", "display_name")
    form = UserAdminForm
    fields = ("email", "display_name", "role", "preferred_language", "is_active", "date_joined", "last_login")
    readonly_fields = ("email", "role", "date_joined", "last_login")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        current = User.objects.get(pk=obj.pk)  # ``obj`` already carries the form's values
        services.update_account(
            actor=signed_in(request),
            user=current,
            display_name=data["display_name"],
            preferred_language=data["preferred_language"],
            is_active=data["is_active"],
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # staff join by invitation, patients sign up

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TherapistProfileForm(forms.ModelForm[TherapistProfile]):
    class Meta:
        model = TherapistProfile
        fields = services.PROFILE_FIELDS_FOR_ADMINISTRATORS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        profile = self.instance
        if profile.pk and profile.is_active_clinician and data.get("is_active_clinician") is False:
            refusal = services.deactivation_refusal(profile.user)
            if refusal:
                raise ValidationError(refusal)
        return data


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin[TherapistProfile]):
    form = TherapistProfileForm
    list_display = ("user", "training_title", "verified", "caseload", "languages", "is_active_clinician")
    list_filter = ("is_active_clinician",)
    fields = ("user", *services.PROFILE_FIELDS_FOR_ADMINISTRATORS, "training_verified_by", "training_verified_at")
    readonly_fields = ("user", "training_verified_by", "training_verified_at")
    actions = ("verify_training",)

    def save_model(self, request: HttpRequest, obj: TherapistProfile, form: Any, change: bool) -> None:
        try:
            services.update_therapist_profile(
                actor=signed_in(request),
                therapist=obj.user,
                values={f: form.cleaned_data[f] for f in services.PROFILE_FIELDS_FOR_ADMINISTRATORS},
            )
        except ValidationError as exc:  # a race with the form's check: say so, change nothing
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a profile comes with the therapist's account

    def get_queryset(self, request: HttpRequest) -> QuerySet[TherapistProfile]:
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(
                active_load=Count(
                    "user__caseload_assignments", filter=Q(user__caseload_assignments__ended_at__isnull=True)
                )
            )
        )

    @admin.display(description=_("verified"), boolean=True)
    def verified(self, obj: TherapistProfile) -> bool:
        return obj.training_verified

    @admin.display(description=_("caseload (active / capacity)"))
    def caseload(self, obj: Any) -> str:
        return f"{obj.active_load} / {obj.caseload_capacity}"

    @admin.action(description=_("Verify chronic-pain training of the selected therapists"))
    def verify_training(self, request: HttpRequest, queryset: QuerySet[TherapistProfile]) -> None:
        for profile in queryset:
            try:
                services.verify_training(actor=signed_in(request), therapist=profile.user)
            except ValidationError as exc:
                self.message_user(request, f"{profile.user}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{profile.user}: {_('training verified')}")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssignmentForm(forms.ModelForm[CareAssignment]):
    class Meta:
        model = CareAssignment
        fields = ("patient", "therapist", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Viewing a past row (no change permission), the fields are read-only and not in the form.
        if "patient" in self.fields:
            self.fields["patient"].queryset = User.objects.filter(role=Role.PATIENT, is_active=True)  # type: ignore[attr-defined]
        if "therapist" in self.fields:
            self.fields["therapist"].queryset = User.objects.filter(role=Role.THERAPIST, is_active=True)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        """A reassignment ends the current row inside the service, so skip the model check."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        therapist = data.get("therapist")
        if therapist is not None:
            refusal = services.assignment_refusal(therapist)
            if refusal:
                raise ValidationError(refusal)
        return data


@admin.register(CareAssignment)
class CareAssignmentAdmin(admin.ModelAdmin[CareAssignment]):
    form = AssignmentForm
    list_display = ("patient", "therapist", "assigned_at", "assigned_by", "ended_at", "reason")
    list_filter = ("ended_at",)
    search_fields = ("patient__email", "therapist__email")

    def save_model(self, request: HttpRequest, obj: CareAssignment, form: Any, change: bool) -> None:
        assignment = services.assign_patient(
            actor=signed_in(request),
            patient=obj.patient,
            therapist=obj.therapist,
            reason=obj.reason,
        )
        obj.pk = assignment.pk

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # history is kept as it was

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InvitationForm(forms.ModelForm[Invitation]):
    class Meta:
        model = Invitation
        fields = ("email", "role")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    form = InvitationForm
    list_display = ("email", "role", "created_at", "expires_at", "accepted_at")

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        from django.conf import settings
        from django.core.mail import send_mail
        from django.db import transaction

        invitation, token = services.invite(actor=signed_in(request), email=obj.email, role=obj.role)
        obj.pk = invitation.pk
        link = settings.SITE_URL + reverse("accept_invitation", args=[token])
        transaction.on_commit(
            lambda: send_mail(
                str(_("You are invited to Paceway")),
                str(_("You have been invited to join Paceway. This link works once and expires in 3 days:\n\n")) + link,
                None,
                [invitation.email],
            )
        )
        self.message_user(request, _("Invitation sent. The link (shown once): %(link)s") % {"link": link})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None


class MfaResetForm(forms.ModelForm[MfaReset]):
    actor: Any = None

    class Meta:
        model = MfaReset
        fields = ("user", "reason")
        widgets: ClassVar[dict[str, Any]] = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from allauth.mfa.models import Authenticator

        with_mfa = Authenticator.objects.values("user_id")
        if "user" in self.fields:  # absent when viewing a past reset (read-only)
            self.fields["user"].queryset = User.objects.filter(pk__in=with_mfa)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = (data.get("reason") or "").strip()
        if len(reason) < services.MFA_RESET_REASON_MIN:
            self.add_error(
                "reason", _("Give the reason (at least %(n)d characters).") % {"n": services.MFA_RESET_REASON_MIN}
            )
        user = data.get("user")
        if user is not None and self.actor is not None and user.pk == self.actor.pk:
            self.add_error("user", _("Another administrator must reset your own two-step verification."))
        return data


@admin.register(MfaReset)
class MfaResetAdmin(admin.ModelAdmin[MfaReset]):
    """Reset a person's second factors: add one, with a reason. The list is the history."""

    form = MfaResetForm
    list_display = ("created_at", "user", "actor", "reason", "authenticators_removed")
    readonly_fields = ("actor", "authenticators_removed", "created_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request: HttpRequest, obj: MfaReset, form: Any, change: bool) -> None:
        record = services.reset_mfa(
            actor=signed_in(request),
            user=form.cleaned_data["user"],
            reason=form.cleaned_data["reason"],
        )
        obj.pk = record.pk

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin[Model]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _read_only_registration() -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    for model, columns in (
        (EmailAddress, ("email", "user", "verified", "primary")),
        (Authenticator, ("user", "type", "created_at", "last_used_at")),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, type(f"{model.__name__}ReadOnlyAdmin", (ReadOnlyAdmin,), {"list_display": columns}))


_read_only_registration()
