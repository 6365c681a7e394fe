"""Reads for the therapist's dashboard. A fixed number of queries whatever the caseload size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.selectors import awaiting_reply, caseload_unread_counts
from modules.outcomes.change import Change, PairedChange, compare, paired_scores
from modules.outcomes.discharge import score_lines
from modules.outcomes.instruments import SCALES as OUTCOME_SCALES
from modules.outcomes.models import RiskAlert, Score
from modules.outcomes.scoring import exact_total
from modules.program.models import Enrolment, ModulePlan, ProgramReview
from modules.program.selectors import review_due
from paceway import clinic
from paceway.accounts.models import CareAssignment, User
from paceway.keyring.services import decrypt

from .models import ClinicalNote, MessageTemplate, WeeklyReview
from .services import note_context, week_start

SCALES = ("phq9", "gad7", "peg", "promis-pi-t", "promis-pf-t")
FUNCTION_SCALES = ("promis-pi-t", "promis-pf-t")  # PROMIS pain interference and physical function
INACTIVE_AFTER = timedelta(days=7)


@dataclass
class Latest:
    value: float
    change: float | None  # from the first score (baseline); positive = higher (worse)


@dataclass
class CaseloadRow:
    patient: User
    open_alerts: int = 0
    newest_alert: datetime | None = None
    alert_level: str = ""  # the highest screener triage level among open alerts ("" if none screened)
    enrolled_at: datetime | None = None
    unread: int = 0
    week: int | None = None
    modules_done: int = 0
    modules_total: int = 0
    last_active: datetime | None = None
    scores: dict[str, Latest] = field(default_factory=dict)
    reviewed_minutes: int | None = None
    awaiting_since: datetime | None = None  # the oldest message from the patient with no reply yet
    reply_due_at: datetime | None = None  # when the clinic's reply target falls due (its open days)
    program_review_due: bool = False  # the mid-program review with the patient (modules.program.selectors.review_due)
    # PHQ-9 and GAD-7 judged together (first and latest sitting with both); a measure answered
    # without the other (no such pair) is judged alone (``alone``).
    mood: PairedChange | None = None
    alone: list[Change] = field(default_factory=list)
    pain: Change | None = None  # PEG, first -> latest (Jacobson-Truax)
    # PROMIS pain interference and physical function T-scores, first -> latest (reliable change
    # from the SEs of the scoring table; asked at baseline, post-treatment and follow-up).
    function: list[Change] = field(default_factory=list)

    @property
    def worse_in(self) -> list[str]:
        """What got reliably worse: mood and worry by the paired rule (one measure alone only when
        the patient never answered both at one sitting), pain (PEG), function (PROMIS)."""
        if self.mood is not None:
            mood_worse = self.mood.reliable_deterioration
        else:
            mood_worse = any(c.reliable_deterioration for c in self.alone)
        out = []
        if mood_worse:
            out.append(str(_("mood or worry")))
        if self.pain is not None and self.pain.reliable_deterioration:
            out.append(str(_("pain")))
        if any(c.reliable_deterioration for c in self.function):
            out.append(str(_("function")))
        return out

    @property
    def deteriorated(self) -> bool:
        return bool(self.worse_in)

    @property
    def inactive(self) -> bool:
        """No activity for 7 days or more since enrolment (a patient not enrolled is not flagged)."""
        since = self.last_active or self.enrolled_at
        return since is not None and timezone.now() - since >= INACTIVE_AFTER

    @property
    def alert_level_label(self) -> str:
        from modules.outcomes.models import RiskLevel

        return str(RiskLevel(self.alert_level).label) if self.alert_level else ""

    @property
    def reply_overdue(self) -> bool:
        """A message has waited longer than the clinic's reply target (business days)."""
        return self.reply_due_at is not None and timezone.now() > self.reply_due_at

    @property
    def review_due(self) -> bool:
        return self.reviewed_minutes is None

    @property
    def percent(self) -> int:
        return round(100 * self.modules_done / self.modules_total) if self.modules_total else 0

    def need(self) -> tuple[float, ...]:
        """Sort key: open risk alerts first (a high screener level before the others, then newest
        first), then unread, deterioration, inactivity, review due."""
        return (
            not self.open_alerts,
            self.alert_level != "high",
            -(self.newest_alert.timestamp() if self.newest_alert else 0),
            -self.unread,
            not self.deteriorated,
            not self.inactive,
            not self.review_due,
        )


def caseload(therapist: User, *, query: str = "") -> list[CaseloadRow]:
    assignments = CareAssignment.objects.filter(therapist=therapist, ended_at__isnull=True).select_related("patient")
    if query:
        assignments = assignments.filter(Q(patient__display_name__icontains=query) | Q(patient__email__icontains=query))
    rows = {a.patient_id: CaseloadRow(patient=a.patient) for a in assignments}
    ids = list(rows)
    if not ids:
        return []
    levels = ("high", "moderate", "low")
    for item in (
        RiskAlert.objects.filter(patient_id__in=ids, status=RiskAlert.Status.OPEN)
        .values("patient_id")
        .annotate(
            n=Count("id"),
            newest=Max("created_at"),
            **{level: Count("id", filter=Q(triage_level=level)) for level in levels},
        )
    ):
        rows[item["patient_id"]].open_alerts = item["n"]
        rows[item["patient_id"]].newest_alert = item["newest"]
        rows[item["patient_id"]].alert_level = next((level for level in levels if item[level]), "")
    for patient_id, unread in caseload_unread_counts(therapist, ids).items():
        rows[patient_id].unread = unread
    week = clinic.clinic_week()
    for patient_id, (since, _count) in awaiting_reply(therapist, ids).items():
        rows[patient_id].awaiting_since = since
        rows[patient_id].reply_due_at = clinic.reply_due(since, week)
    today = timezone.localdate()
    enrolments = {e.pk: e for e in Enrolment.objects.filter(patient_id__in=ids, ended_at__isnull=True)}
    for enrolment in enrolments.values():
        row = rows[enrolment.patient_id]
        row.week = max(1, (today - enrolment.start_date).days // 7 + 1)
        row.last_active = enrolment.last_active_at
        row.enrolled_at = enrolment.enrolled_at
    for item in (
        ModulePlan.objects.filter(enrolment_id__in=list(enrolments), included=True)
        .values("enrolment_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(completed_at__isnull=False)))
    ):
        row = rows[enrolments[item["enrolment_id"]].patient_id]
        row.modules_total, row.modules_done = item["total"], item["done"]
    first: dict[tuple[int, str], float] = {}
    sittings: dict[int, dict[int, dict[str, float]]] = {}  # patient -> response -> scale -> total
    for patient_id, response_id, scale, total in (
        Score.objects.filter(patient_id__in=ids, scale__in=SCALES)
        .order_by("submitted_at", "id")
        .values_list("patient_id", "response_id", "scale", "total")
    ):
        value = exact_total(OUTCOME_SCALES[scale][1], float(total))
        baseline = first.setdefault((patient_id, scale), value)
        rows[patient_id].scores[scale] = Latest(value, value - baseline)
        sittings.setdefault(patient_id, {}).setdefault(response_id, {})[scale] = value
    for patient_id, by_response in sittings.items():
        both = [t for t in by_response.values() if "phq9" in t and "gad7" in t]
        row = rows[patient_id]
        if len(both) >= 2:
            start, end = both[0], both[-1]
            row.mood = paired_scores(start["phq9"], start["gad7"], end["phq9"], end["gad7"])
        else:
            row.alone = [
                compare(OUTCOME_SCALES[key][1], first[patient_id, key], row.scores[key].value)
                for key in ("phq9", "gad7")
                if key in row.scores
            ]
        if "peg" in row.scores:
            row.pain = compare(OUTCOME_SCALES["peg"][1], first[patient_id, "peg"], row.scores["peg"].value)
        row.function = [
            compare(OUTCOME_SCALES[key][1], first[patient_id, key], row.scores[key].value)
            for key in FUNCTION_SCALES
            if key in row.scores
        ]
    reviewed_after: dict[int, list[int]] = {}
    for enrolment_id, after in ProgramReview.objects.filter(enrolment_id__in=list(enrolments)).values_list(
        "enrolment_id", "after_module"
    ):
        reviewed_after.setdefault(enrolment_id, []).append(after)
    for enrolment_id, enrolment in enrolments.items():
        row = rows[enrolment.patient_id]
        row.program_review_due = review_due(row.modules_done, reviewed_after.get(enrolment_id, []))
    for review in WeeklyReview.objects.filter(patient_id__in=ids, week_start=week_start(today)):
        rows[review.patient_id].reviewed_minutes = review.minutes
    return sorted(rows.values(), key=lambda row: (*row.need(), row.patient.name.lower()))


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def review_snapshot(patient: User) -> list[dict[str, str]]:
    """The scores a mid-program review goes through, kept with it: each measure's first and latest
    score and what the change means (mood and worry by the paired rule)."""
    _mood, lines = score_lines(patient)
    return [
        {"label": line.label, "start": _number(line.start), "end": _number(line.end), "verdict": line.verdict}
        for line in lines
    ]


FLAGS = {
    "alert": _("Risk alert"),
    "unread": _("Unread messages"),
    "overdue": _("Reply overdue"),
    "deteriorated": _("Reliable deterioration"),
    "inactive": _("Inactive 7+ days"),
    "review": _("Review due"),
    "midreview": _("Mid-program review due"),
}


def has_flag(row: CaseloadRow, flag: str) -> bool:
    """Dashboard filter; an unknown or empty flag shows everyone."""
    checks = {
        "alert": row.open_alerts > 0,
        "unread": row.unread > 0,
        "overdue": row.reply_overdue,
        "deteriorated": row.deteriorated,
        "inactive": row.inactive,
        "review": row.review_due,
        "midreview": row.program_review_due,
    }
    return checks.get(flag, True)


def week_minutes(therapist: User) -> int:
    return sum(
        WeeklyReview.objects.filter(therapist=therapist, week_start=week_start()).values_list("minutes", flat=True)
    )


def clinical_notes(patient: User) -> list[tuple[ClinicalNote, str]]:
    notes = ClinicalNote.objects.filter(patient=patient).select_related("data_key", "author")
    return [(note, decrypt(note.data_key, bytes(note.ciphertext), context=note_context(note))) for note in notes]


def message_templates(therapist: User) -> list[MessageTemplate]:
    return list(MessageTemplate.objects.filter(Q(owner=therapist) | Q(owner__isnull=True)))


@dataclass
class InboxRow:
    patient: User
    since: datetime
    count: int
    due: datetime

    @property
    def overdue(self) -> bool:
        return timezone.now() > self.due


def inbox(therapist: User) -> list[InboxRow]:
    """Conversations across the caseload waiting for a reply, the longest-waiting first, each with
    the time the clinic's reply target falls due. Three queries whatever the caseload."""
    waiting = awaiting_reply(therapist)
    patients = {u.pk: u for u in User.objects.filter(pk__in=list(waiting))}
    week = clinic.clinic_week()
    rows = [
        InboxRow(patient=patients[pid], since=since, count=count, due=clinic.reply_due(since, week))
        for pid, (since, count) in waiting.items()
        if pid in patients
    ]
    return sorted(rows, key=lambda row: (row.since, row.patient.pk))


def weekly_review_minutes(patient_ids: list[int]) -> dict[int, int]:
    """{patient_id: minutes logged in weekly reviews}, for the program evaluation (aggregate only)."""
    rows = WeeklyReview.objects.filter(patient_id__in=patient_ids).values("patient_id").annotate(total=Sum("minutes"))
    return {row["patient_id"]: row["total"] for row in rows}
