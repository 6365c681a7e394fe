"""The clinic's own crisis resources, hours and escalation ladder (a versioned ClinicProfile),
and pure helpers over its business hours.

The current profile is the newest row; administrators edit it in the admin, and every save adds
a row (the older rows are the history). With no row yet, the defaults come from the environment
(``CLINIC_NAME``, ``CLINIC_CONTACT``) and this module's constants: demo values in development,
which the deploy check refuses in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

PROVINCES = (
    ("AB", _("Alberta")),
    ("BC", _("British Columbia")),
    ("MB", _("Manitoba")),
    ("NB", _("New Brunswick")),
    ("NL", _("Newfoundland and Labrador")),
    ("NS", _("Nova Scotia")),
    ("NT", _("Northwest Territories")),
    ("NU", _("Nunavut")),
    ("ON", _("Ontario")),
    ("PE", _("Prince Edward Island")),
    ("QC", _("Quebec")),
    ("SK", _("Saskatchewan")),
    ("YT", _("Yukon")),
)
PROVINCE_CODES = frozenset(code for code, _label in PROVINCES)
ALL_REGIONS = "*"

DEMO_CLINIC_NAME = "Paceway Demo Clinic"
DEMO_PHONE_MARK = "555-01"  # the North American fictional range 555-0100..0199

# Each line: shown to patients in the given regions ("*" = everywhere), English and French text.
DEFAULT_CRISIS_LINES: list[dict[str, Any]] = [
    {
        "regions": [ALL_REGIONS],
        "phone": "9-8-8",
        "name_en": "Call or text 9-8-8",
        "name_fr": "Appelez ou textez le 9-8-8",
        "description_en": "Suicide Crisis Helpline, any time, day or night.",
        "description_fr": "Ligne d'aide en cas de crise de suicide, en tout temps, jour et nuit.",
    },
    {
        "regions": [ALL_REGIONS],
        "phone": "911",
        "name_en": "Call 911",
        "name_fr": "Composez le 911",
        "description_en": "or go to your nearest emergency department if you are in danger or might act on these thoughts.",
        "description_fr": "ou rendez-vous à l'urgence la plus proche si vous êtes en danger ou pourriez passer à l'acte.",
    },
]
LINE_KEYS = {"regions", "phone", "name_en", "name_fr", "description_en", "description_fr"}


def default_crisis_lines() -> list[dict[str, Any]]:
    return [dict(line, regions=list(line["regions"])) for line in DEFAULT_CRISIS_LINES]


def validate_crisis_lines(value: Any) -> None:
    """A list of lines, each with a phone, English and French names, and known regions."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one crisis line (a list)."))
    for index, line in enumerate(value, start=1):
        if not isinstance(line, dict) or set(line) - LINE_KEYS:
            raise ValidationError(
                _("Line %(n)s: use only the keys %(keys)s."), params={"n": index, "keys": ", ".join(sorted(LINE_KEYS))}
            )
        for key in ("phone", "name_en", "name_fr"):
            if not isinstance(line.get(key), str) or not line[key].strip():
                raise ValidationError(_("Line %(n)s: %(key)s is required."), params={"n": index, "key": key})
        regions = line.get("regions", [ALL_REGIONS])
        if (
            not isinstance(regions, list)
            or not regions
            or any(r != ALL_REGIONS and r not in PROVINCE_CODES for r in regions)
        ):
            raise ValidationError(
                _('Line %(n)s: regions is a list of province or territory codes (e.g. ON, QC) or "*".'),
                params={"n": index},
            )


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone: use a name such as America/Toronto.")) from None


def validate_open_days(value: str) -> None:
    try:
        days = [int(d) for d in value.split(",") if d.strip()]
    except ValueError:
        days = [-1]
    if not days or any(d < 0 or d > 6 for d in days):
        raise ValidationError(_("Open days are numbers 0 (Monday) to 6 (Sunday), separated by commas."))


@dataclass(frozen=True)
class CrisisLine:
    phone: str
    name: str
    description: str


def _french() -> bool:
    return (get_language() or "en").startswith("fr")


def lines_for(profile: Any, province: str = "") -> list[CrisisLine]:
    """The lines a patient in ``province`` sees (national lines first, in the profile's order)."""
    french = _french()
    out = []
    for line in profile.crisis_lines or default_crisis_lines():
        regions = line.get("regions") or [ALL_REGIONS]
        if ALL_REGIONS in regions or (province and province in regions):
            suffix = "fr" if french else "en"
            out.append(
                CrisisLine(
                    line["phone"], line.get(f"name_{suffix}") or line["name_en"], line.get(f"description_{suffix}", "")
                )
            )
    return out


def is_demo(profile: Any) -> bool:
    return profile.clinic_name.strip() == DEMO_CLINIC_NAME or DEMO_PHONE_MARK in profile.contact_phone


def _table_exists() -> bool:
    from .models import ClinicProfile

    try:
        return ClinicProfile._meta.db_table in connection.introspection.table_names()
    except DatabaseError:
        return False


def environment_profile() -> Any:
    """The unsaved profile used while administrators have not saved one: environment + defaults."""
    from .models import ClinicProfile

    return ClinicProfile(
        clinic_name=settings.CLINIC_NAME,
        contact_phone=settings.CLINIC_CONTACT,
        time_zone=settings.TIME_ZONE,
        crisis_lines=default_crisis_lines(),
    )


def current_profile() -> Any:
    from .models import ClinicProfile

    return ClinicProfile.objects.order_by("-created_at", "-pk").first() or environment_profile()


def deploy_profile() -> Any:
    """For the deploy check: the saved profile when the database has one, else the environment's.
    Never raises (the check also runs before migrations, or with the database down)."""
    if _table_exists():
        try:
            return current_profile()
        except DatabaseError:
            pass
    return environment_profile()


def offline_panel_context() -> dict[str, str]:
    """The clinic's name and phone for the crisis panel a form page carries for when its answers
    cannot be saved (read while the page is rendered; the environment's values if the database
    cannot answer)."""
    try:
        profile = current_profile()
    except DatabaseError:
        profile = environment_profile()
    return {"clinic_name": profile.clinic_name, "clinic_contact": profile.contact_phone}


# Business hours -----------------------------------------------------------------------------


def _zone(profile: Any) -> ZoneInfo:
    try:
        return ZoneInfo(profile.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _days(profile: Any) -> set[int]:
    return {int(d) for d in str(profile.open_days).split(",") if d.strip().isdigit()}


def _opens(profile: Any) -> tuple[time, time]:
    return profile.opens_at or time(9), profile.closes_at or time(17)


def is_open(profile: Any, at: datetime) -> bool:
    local = timezone.localtime(at, _zone(profile))
    opens, closes = _opens(profile)
    return local.weekday() in _days(profile) and opens <= local.time() < closes


def next_opening(profile: Any, at: datetime) -> datetime:
    """``at`` itself when the clinic is open, else the start of the next business period."""
    if is_open(profile, at):
        return at
    zone = _zone(profile)
    local = timezone.localtime(at, zone)
    opens, _closes = _opens(profile)
    for offset in range(0, 8):
        day = (local + timedelta(days=offset)).date()
        start = datetime.combine(day, opens, tzinfo=zone)
        if day.weekday() in _days(profile) and start > local:
            return start
    return at  # no open day configured: treat every minute as business time


def add_business_minutes(profile: Any, start: datetime, minutes: int) -> datetime:
    """The moment ``minutes`` of business time have passed since ``start`` (in the clinic's zone)."""
    if minutes <= 0 or not _days(profile):
        return start + timedelta(minutes=max(minutes, 0))
    zone = _zone(profile)
    opens, closes = _opens(profile)
    remaining = timedelta(minutes=minutes)
    cursor = next_opening(profile, start)
    for _guard in range(400):
        local = timezone.localtime(cursor, zone)
        end_of_day = datetime.combine(local.date(), closes, tzinfo=zone)
        available = end_of_day - local
        if remaining <= available:
            return local + remaining
        remaining -= available
        cursor = next_opening(profile, end_of_day)
    return start + timedelta(minutes=minutes)
