"""Forms about a person: the sign-up extras (preferred name, pronouns, time zone) and the
"Your details" page where they are changed later. Therapists also write what patients read
about them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import TherapistProfile, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


def clean_zone(value: str) -> str:
    """A real IANA zone name, or a clear error (nothing is stored)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise forms.ValidationError(
            _("“%(zone)s” is not a time zone we know. Choose one from the list, e.g. America/Toronto."),
            code="unknown_zone",
            params={"zone": value[:64]},
        ) from None
    if value not in available_timezones():
        raise forms.ValidationError(_("Choose a time zone from the list."), code="unknown_zone")
    return value


def _zone_help() -> str:
    """Read at rendering time, in the page's language (the field is built once, at import)."""
    return gettext("Dates and times are shown in this zone. Leave empty for the clinic's (%(zone)s).") % {
        "zone": settings.TIME_ZONE
    }


class ZoneField(forms.CharField):
    """A text input with a datalist of zones, so a browser-offered value fits and so does typing."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "help_text",
            lazy(_zone_help, str)(),
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": "time-zones", "autocomplete": "off", "spellcheck": "false"})

    def clean(self, value: Any) -> str:
        return clean_zone(super().clean(value))


class SignupForm(forms.Form):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: the fields here are added before e-mail and password."""

    display_name = forms.CharField(
        label=_("What should we call you?"),
        max_length=150,
        help_text=_("Your first name or the name you prefer. Your therapist will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    pronouns = forms.CharField(
        label=_("Pronouns (optional)"),
        max_length=40,
        required=False,
        help_text=_("For example she/her, he/him, they/them."),
    )
    time_zone = ZoneField()

    field_order = ("display_name", "pronouns", "email", "password1", "password2", "time_zone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled with the browser's zone by accounts/timezone.js when the page loads.
        self.fields["time_zone"].widget.attrs["data-browser-zone"] = "1"

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.pronouns = self.cleaned_data.get("pronouns", "").strip()
        user.time_zone = self.cleaned_data.get("time_zone", "")
        user.save(update_fields=["display_name", "pronouns", "time_zone"])


class DetailsForm(forms.ModelForm[User]):
    time_zone = ZoneField()

    class Meta:
        model = User
        fields = ("display_name", "pronouns", "time_zone")
        labels: ClassVar[dict[str, StrOrPromise]] = {
            "display_name": _("Your name (as you like to be called)"),
            "pronouns": _("Pronouns (optional)"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True


class TherapistPublicProfileForm(forms.ModelForm[TherapistProfile]):
    class Meta:
        model = TherapistProfile
        fields = ("public_profile", "welcome_message")
        widgets: ClassVar[dict[str, Any]] = {
            "public_profile": forms.Textarea(attrs={"rows": 4}),
            "welcome_message": forms.Textarea(attrs={"rows": 5}),
        }
