from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language as django_set_language

from . import services
from .forms import DetailsForm, TherapistPublicProfileForm
from .models import TherapistProfile, User
from .roles import Role, is_therapist, role_of

HOME_BY_ROLE = {
    Role.PATIENT: "modules:home",
    Role.THERAPIST: "therapist:dashboard",
    Role.ADMINISTRATOR: "therapist:console",
    Role.PRIVACY_OFFICER: "record:audit-report",
}


@require_http_methods(["POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie and redirect back), and for a signed-in person the choice is
    kept on their account as well."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        services.set_preferred_language(actor=request.user, language=request.POST.get("language", ""))
    return response


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own start page; visitors see what Paceway is."""
    role = role_of(request.user)
    if role is None:
        return render(request, "accounts/welcome.html")
    try:
        return redirect(reverse(HOME_BY_ROLE[Role(role)]))
    except NoReverseMatch:
        return render(request, "accounts/welcome.html")


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise ValidationError(_("The two passwords do not match."))
        return data


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.usable_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token, password=form.cleaned_data["password1"], display_name=form.cleaned_data["display_name"]
            )
            services.set_preferred_language(actor=user, language=request.LANGUAGE_CODE)  # the page's language
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("account_login")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    """Your details: the name you are called by, pronouns, time zone; for therapists also what
    patients read about them. A bad value is a clear message and nothing is changed."""
    user = cast(User, request.user)
    form = DetailsForm(request.POST or None, instance=user, prefix="me")
    profile_form = None
    if is_therapist(user):
        profile = TherapistProfile.objects.filter(user=user).first()
        profile_form = TherapistPublicProfileForm(request.POST or None, instance=profile, prefix="profile")
    if request.method == "POST":
        if form.is_valid() and (profile_form is None or profile_form.is_valid()):
            with transaction.atomic():
                services.update_details(actor=user, values=form.cleaned_data)
                if profile_form is not None:
                    services.update_public_profile(actor=user, **profile_form.cleaned_data)
            messages.success(request, _("Your details are saved."))
            return redirect("account_details")
        user.refresh_from_db()  # the form wrote its cleaned values onto the instance
    return render(
        request,
        "accounts/details.html",
        {"form": form, "profile_form": profile_form},
        status=400 if request.method == "POST" else 200,
    )
