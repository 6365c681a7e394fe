"""What the clinic promises about time: how soon a screening decision, an assignment and a
reply to a message come (business days, set in the environment: see settings), shown to patients
as a date and used for the therapist inbox's "overdue" flag; and the crisis resources the 503
page shows without a database.

The clinic's week (its time zone and open days) is defined once, in the clinic profile
administrators edit (``modules.outcomes.ClinicProfile``), read through
``paceway.accounts.hooks.clinic_week_readers``; Monday to Friday in ``TIME_ZONE`` until the outcomes
app is loaded. Callers that compute many dates read the week once (``clinic_week()``) and pass it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

WEEKDAYS = frozenset(range(5))  # Monday to Friday: the default week


@dataclass(frozen=True)
class ClinicWeek:
    zone: ZoneInfo
    open_days: frozenset[int]  # 0 = Monday ... 6 = Sunday


def clinic_week() -> ClinicWeek:
    """The clinic's time zone and open days (one database read), or the default week."""
    from paceway.accounts.hooks import clinic_week_readers

    for reader in clinic_week_readers:
        week = reader()
        if week is not None:
            return week
    return ClinicWeek(ZoneInfo(settings.TIME_ZONE), WEEKDAYS)


def add_business_days(start: date, days: int, week: ClinicWeek | None = None) -> date:
    """The date ``days`` open days of the clinic after ``start``."""
    open_days = (week or clinic_week()).open_days or WEEKDAYS
    current = start
    left = max(0, days)
    while left:
        current += timedelta(days=1)
        if current.weekday() in open_days:
            left -= 1
    return current


def business_days_after(moment: datetime, days: int, week: ClinicWeek | None = None) -> datetime:
    """The same clock time, ``days`` open days later (in the clinic's zone)."""
    week = week or clinic_week()
    local = timezone.localtime(moment, week.zone)
    target = add_business_days(local.date(), days, week)
    return local.replace(year=target.year, month=target.month, day=target.day)


def reply_due(sent_at: datetime, week: ClinicWeek | None = None) -> datetime:
    """When a patient's message should have a reply by (the clinic's reply target)."""
    return business_days_after(sent_at, settings.REPLY_TARGET_BUSINESS_DAYS, week)


def decision_expected(submitted_at: datetime, week: ClinicWeek | None = None) -> datetime:
    return business_days_after(submitted_at, settings.SCREENING_DECISION_BUSINESS_DAYS, week)


def assignment_expected(since: datetime, week: ClinicWeek | None = None) -> datetime:
    return business_days_after(since, settings.ASSIGNMENT_BUSINESS_DAYS, week)


# The crisis resources for when the database cannot answer --------------------------------------
# modules.outcomes keeps the clinic's profile (name, phone, hours, crisis lines per province in
# English and French) in the database and writes a copy here on every save
# (``write_resources_snapshot``). The 503 page, rendered with no database, reads that copy; with
# none yet (a new install), the environment's name and phone and the national lines.

NATIONAL = "*"
DEFAULT_CRISIS_LINES: list[dict[str, Any]] = [
    {
        "regions": [NATIONAL],
        "phone": "9-8-8",
        "name_en": "Call or text 9-8-8",
        "name_fr": "Appelez ou textez le 9-8-8",
        "description_en": "Suicide Crisis Helpline, any time, day or night.",
        "description_fr": "Ligne d'aide en cas de crise de suicide, en tout temps, jour et nuit.",
    },
    {
        "regions": [NATIONAL],
        "phone": "911",
        "name_en": "Call 911",
        "name_fr": "Composez le 911",
        "description_en": "or go to your nearest emergency department if you are in danger or might act on these thoughts.",
        "description_fr": "ou rendez-vous à l'urgence la plus proche si vous êtes en danger ou pourriez passer à l'acte.",
    },
]


@dataclass(frozen=True)
class CrisisLine:
    phone: str
    name: str
    description: str
    regions: str = ""  # where it applies, in words, when not everywhere and the province is unknown


def snapshot_path() -> Path:
    return Path(settings.CLINIC_SNAPSHOT_PATH)


def write_resources_snapshot(resources: dict[str, Any]) -> bool:
    """Replace the copy atomically. Never raises (a read-only disk is logged, not fatal)."""
    path = snapshot_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as out:
            json.dump(resources, out, ensure_ascii=False)
        os.replace(out.name, path)
    except OSError as exc:
        logger.warning("The clinic's crisis resources copy was not written (%s).", type(exc).__name__)
        return False
    return True


def read_resources_snapshot() -> dict[str, Any] | None:
    try:
        data = json.loads(snapshot_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("crisis_lines"), list) else None


def crisis_lines(
    lines: list[dict[str, Any]], *, language: str, province: str = "", region_names: dict[str, str] | None = None
) -> list[CrisisLine]:
    """The lines in ``language`` (English unless French) for a patient in ``province``: national
    lines first, in the clinic's order. With no province known, every line, each regional one
    saying where it applies."""
    suffix = "fr" if (language or "en").startswith("fr") else "en"
    names = region_names or {}
    national: list[CrisisLine] = []
    regional: list[CrisisLine] = []
    for line in lines or DEFAULT_CRISIS_LINES:
        if not isinstance(line, dict) or not line.get("phone"):
            continue
        regions = line.get("regions") or [NATIONAL]
        everywhere = NATIONAL in regions
        if not (everywhere or not province or province in regions):
            continue
        where = "" if everywhere or province else ", ".join(str(names.get(r, r)) for r in regions)
        entry = CrisisLine(
            str(line["phone"]),
            str(line.get(f"name_{suffix}") or line.get("name_en") or line["phone"]),
            str(line.get(f"description_{suffix}") or ""),
            where,
        )
        (national if everywhere else regional).append(entry)
    return national + regional


def offline_resources(language: str) -> dict[str, Any]:
    """What the 503 page shows: the clinic's copy, or the environment's name and phone."""
    from django.utils.translation import override

    from .provinces import PROVINCES

    data = read_resources_snapshot() or {}
    suffix = "fr" if (language or "en").startswith("fr") else "en"
    with override(language):
        names = {code: str(name) for code, name in PROVINCES}
    return {
        "clinic_name": data.get("clinic_name") or settings.CLINIC_NAME,
        "clinic_contact": data.get("contact_phone") or settings.CLINIC_CONTACT,
        "clinic_hours": (data.get("hours") or {}).get(suffix, ""),
        "crisis_lines": crisis_lines(
            data.get("crisis_lines") or DEFAULT_CRISIS_LINES, language=language, region_names=names
        ),
    }
