"""Extension points other apps fill in at start-up, so accounts need not import them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paceway.clinic import ClinicWeek

    from .models import User

logger = logging.getLogger(__name__)

# Each returns how many open risk items a therapist still owns (e.g. unresolved risk alerts).
open_risk_item_counters: list[Callable[[User], int]] = []

# Each returns how many secure messages a patient has not read (the messaging app's count), so
# the program's home page can show it without the program app importing messaging.
unread_message_counters: list[Callable[[User], int]] = []


def unread_messages(patient: User) -> int:
    return sum(counter(patient) for counter in unread_message_counters)


# Each is called (after commit) when a patient's care team changes, e.g. to close sockets.
care_team_changed_listeners: list[Callable[[int], None]] = []


def open_risk_items(therapist: User) -> int:
    return sum(counter(therapist) for counter in open_risk_item_counters)


# Each returns the clinic's week (paceway.clinic.ClinicWeek: time zone and open days) or None; the
# outcomes app reads its clinic profile, the one place clinic hours are defined.
clinic_week_readers: list[Callable[[], ClinicWeek | None]] = []

# Each adds an app's demo data after the accounts exist: loader(accounts: dict[str, User]).
demo_data_loaders: list[Callable[[dict[str, User]], None]] = []

# Each returns {patient_id: minutes} clinicians logged for these patients (the therapist time log),
# for the program evaluation: reader(patient_ids: list[int]) -> dict[int, int].
clinician_minutes_readers: list[Callable[[list[int]], dict[int, int]]] = []


def clinician_minutes(patient_ids: list[int]) -> dict[int, int]:
    total: dict[int, int] = {}
    for reader in clinician_minutes_readers:
        for patient_id, minutes in reader(patient_ids).items():
            total[patient_id] = total.get(patient_id, 0) + minutes
    return total


# Each says why a patient's program is paused (e.g. consent withdrawn), or None: reason(patient).
program_pause_checks: list[Callable[[User], str | None]] = []


def program_pause_reason(patient: User) -> str | None:
    """The first reason the patient's program is paused, or None."""
    for check in program_pause_checks:
        reason = check(patient)
        if reason:
            return reason
    return None


# Each is called inside the writing transaction when a patient writes free text of their own (a
# message, a diary note, a reflection): listener(patient, source, texts). Used to screen for
# possible risk; it must never block or change what was written, so failures are only logged.
free_text_listeners: list[Callable[[User, str, list[str]], object]] = []


def free_text_written(patient: User, source: str, texts: list[str]) -> None:
    for listener in free_text_listeners:
        try:
            listener(patient, source, texts)
        except Exception as exc:  # noqa: BLE001 - never fail the write; ids only in the log
            logger.warning(
                "Free-text listener failed for patient %s (%s).", getattr(patient, "pk", None), type(exc).__name__
            )
