"""The clinic's own crisis resources, hours and escalation ladder (a versioned ClinicProfile),
and pure helpers over its business hours.

The current profile is the newest row; administrators edit it in the admin, and every save adds
a row (the older rows are the history). With no row yet, the defaults come from the environment
(``CLINIC_NAME``, ``CLINIC_CONTACT``) and this module's constants: demo values in development,
which the deploy check refuses in production.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from paceway.clinic import DEFAULT_CRISIS_LINES, NATIONAL, ClinicWeek, CrisisLine, crisis_lines
from paceway.provinces import PROVINCE_CODES, PROVINCES

ALL_REGIONS = NATIONAL

DEMO_CLINIC_NAME = "Paceway Demo Clinic"
DEMO_PHONE_MARK = "555-01"  # the North American fictional range 555-0100..0199

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


def _language() -> str:
    return get_language() or "en"


def region_names() -> dict[str, str]:
    return {code: str(name) for code, name in PROVINCES}


def lines_for(profile: Any, province: str = "") -> list[CrisisLine]:
    """The lines a patient in ``province`` sees, in the current language (national lines first,
    in the profile's order); with no province known, every line, saying where the regional ones
    apply."""
    return crisis_lines(
        profile.crisis_lines or default_crisis_lines(),
        language=_language(),
        province=province,
        region_names=region_names(),
    )


# The clinic's hours, in words (derived from the open days and times: never typed twice).
DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}


def _clock(value: time, language: str) -> str:
    if language == "fr":
        return f"{value.hour} h" + (f" {value.minute:02d}" if value.minute else "")
    return f"{value.hour}:{value.minute:02d}"


def hours_text(profile: Any, language: str | None = None) -> str:
    """E.g. "Monday to Friday, 9:00 to 17:00" / "Du lundi au vendredi, de 9 h à 17 h"."""
    lang = "fr" if (language or _language()).startswith("fr") else "en"
    days = sorted(_days(profile))
    if not days:
        return "Tous les jours, en tout temps" if lang == "fr" else "Every day, at any time"
    names = DAY_NAMES[lang]
    opens, closes = _opens(profile)
    consecutive = days == list(range(days[0], days[-1] + 1))
    if lang == "fr":
        if len(days) == 7:
            when = "Tous les jours"
        elif consecutive and len(days) > 2:
            when = f"Du {names[days[0]]} au {names[days[-1]]}"
        else:
            when = "Le " + ", ".join(names[d] for d in days)
        return f"{when}, de {_clock(opens, lang)} à {_clock(closes, lang)}"
    if len(days) == 7:
        when = "Every day"
    elif consecutive and len(days) > 2:
        when = f"{names[days[0]]} to {names[days[-1]]}"
    else:
        when = ", ".join(names[d] for d in days)
    return f"{when}, {_clock(opens, lang)} to {_clock(closes, lang)}"


def profile_week() -> ClinicWeek:
    """The clinic's week for paceway.clinic (business days of replies, decisions, assignments)."""
    profile = current_profile()
    return ClinicWeek(_zone(profile), frozenset(_days(profile)))


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


def resources_snapshot(profile: Any) -> dict[str, Any]:
    """What the 503 page needs, for paceway.clinic's copy (no health data: the clinic's own)."""
    return {
        "clinic_name": profile.clinic_name,
        "contact_phone": profile.contact_phone,
        "hours": {"en": hours_text(profile, "en"), "fr": hours_text(profile, "fr")},
        "crisis_lines": profile.crisis_lines or default_crisis_lines(),
        "saved_at": profile.created_at.isoformat() if profile.created_at else "",
    }


def write_snapshot(profile: Any) -> bool:
    from paceway.clinic import write_resources_snapshot

    return write_resources_snapshot(resources_snapshot(profile))


def offline_panel_context(province: str = "") -> dict[str, Any]:
    """The clinic's name, phone, hours and crisis lines for the crisis panel a form page carries
    for when its answers cannot be saved (read while the page is rendered, so the browser needs
    nothing from the server then; the clinic's saved copy if the database cannot answer)."""
    try:
        profile = current_profile()
    except DatabaseError:
        from paceway.clinic import offline_resources

        return {f"offline_{k}": v for k, v in offline_resources(_language()).items()}
    return {
        "offline_clinic_name": profile.clinic_name,
        "offline_clinic_contact": profile.contact_phone,
        "offline_clinic_hours": hours_text(profile),
        "offline_crisis_lines": lines_for(profile, province),
    }


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
    _, closes = _opens(profile)
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
