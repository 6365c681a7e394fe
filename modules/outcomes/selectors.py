"""Reads: effective responses and scores, change from baseline, alerts, what is due."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.program.models import Enrolment
from paceway.accounts.access import caseload_patient_ids
from paceway.accounts.models import User
from paceway.accounts.roles import is_administrator, is_therapist
from paceway.typing import RequestUser

from . import change as change_rules
from .access import is_clinical_lead
from .due_dates import DEFAULT_PROGRAM, GRACE, NOT_REQUIRED_FOR_REUSE, OPEN_BEFORE, PROGRAM_SCHEDULES, Occasion
from .instruments import SCALES, get_questionnaire
from .models import QuestionnaireResponse, RiskAlert, Score
from .scoring import exact_total

logger = logging.getLogger(__name__)


def superseded_response_ids(patient_id: int) -> set[int]:
    """Responses replaced by an amendment (the original and every amendment but the latest)."""
    rows = QuestionnaireResponse.objects.filter(patient_id=patient_id).values_list("pk", "amends_id", "submitted_at")
    latest: dict[int, tuple[datetime, int]] = {}
    members: dict[int, list[int]] = {}
    for pk, amends_id, submitted_at in rows:
        root = amends_id or pk
        members.setdefault(root, []).append(pk)
        if root not in latest or (submitted_at, pk) > latest[root]:
            latest[root] = (submitted_at, pk)
    return {pk for root, pks in members.items() for pk in pks if pk != latest[root][1]}


def effective_responses(patient_id: int) -> list[QuestionnaireResponse]:
    hidden = superseded_response_ids(patient_id)
    return [r for r in QuestionnaireResponse.objects.filter(patient_id=patient_id) if r.pk not in hidden]


@dataclass(frozen=True)
class Point:
    at: datetime
    total: float
    band: str
    response_id: int


def score_series(patient_id: int) -> dict[str, list[Point]]:
    """Scale key -> points in time order (amended responses replaced by their amendment). Scales
    not shown on their own (a PROMIS raw sum, shown as its T-score) are left out."""
    hidden = superseded_response_ids(patient_id)
    series: dict[str, list[Point]] = {}
    for s in Score.objects.filter(patient_id=patient_id).order_by("submitted_at", "id"):
        if s.response_id in hidden or s.scale not in SCALES or not SCALES[s.scale][1].shown:
            continue
        total = exact_total(SCALES[s.scale][1], float(s.total))  # unrounded: change is computed from it
        series.setdefault(s.scale, []).append(Point(s.submitted_at, total, s.band, s.response_id))
    return {key: series[key] for key in SCALES if key in series}  # registry order


def changes_from_baseline(series: dict[str, list[Point]]) -> dict[str, change_rules.Change]:
    """Per measure, first score -> latest score. For PHQ-9 and GAD-7 show these only beside the
    paired verdict (:func:`paired_changes`), labelled as one measure's result."""
    out = {}
    for key, points in series.items():
        if len(points) >= 2:
            out[key] = change_rules.compare(SCALES[key][1], points[0].total, points[-1].total)
    return out


def paired_changes(series: dict[str, list[Point]]) -> dict[int, change_rules.PairedChange]:
    """Response id -> the paired PHQ-9 + GAD-7 verdict of that sitting against the baseline sitting
    (the first response with both measures). Only sittings with both measures are judged."""
    gad = {p.response_id: p.total for p in series.get("gad7", [])}
    both = [(p.response_id, p.total, gad[p.response_id]) for p in series.get("phq9", []) if p.response_id in gad]
    if len(both) < 2:
        return {}
    _base_id, phq0, gad0 = both[0]
    return {rid: change_rules.paired_scores(phq0, gad0, phq1, gad1) for rid, phq1, gad1 in both[1:]}


def latest_paired_change(series: dict[str, list[Point]]) -> change_rules.PairedChange | None:
    """The paired verdict of the latest sitting with both PHQ-9 and GAD-7 (None before a second)."""
    judged = paired_changes(series)
    return judged[next(reversed(judged))] if judged else None


# Alerts ------------------------------------------------------------------------------------


@dataclass
class AlertLists:
    mine: list[RiskAlert]  # open alerts of the therapist's own patients
    fallback: list[RiskAlert]  # open alerts of patients without an active therapist
    escalated: list[RiskAlert]  # open escalated alerts (clinical leads)
    resolved: list[RiskAlert]  # recently resolved, own patients


def alerts_for(user: User) -> AlertLists:
    base = RiskAlert.objects.select_related("patient", "response", "resolved_by", "acknowledged_by")
    open_ = base.filter(status=RiskAlert.Status.OPEN).order_by("created_at", "id")
    mine: list[RiskAlert] = []
    resolved: list[RiskAlert] = []
    fallback: list[RiskAlert] = []
    escalated: list[RiskAlert] = []
    if is_therapist(user):
        ids = caseload_patient_ids(user)
        mine = list(open_.filter(patient_id__in=ids))
        resolved = list(base.filter(status=RiskAlert.Status.RESOLVED, patient_id__in=ids).order_by("-resolved_at")[:20])
    lead = is_clinical_lead(user)
    if lead or is_administrator(user):
        from paceway.accounts.models import CareAssignment

        # The fallback queue (same rule as access.in_fallback_queue): no active therapist who is
        # an active clinician (none assigned, or the assigned one is on leave or deactivated).
        assigned = CareAssignment.objects.filter(
            ended_at__isnull=True, therapist__is_active=True, therapist__therapist_profile__is_active_clinician=True
        ).values("patient_id")
        seen = {a.pk for a in mine}
        fallback = [a for a in open_.filter(~Q(patient_id__in=assigned)) if a.pk not in seen]
        if lead:
            seen |= {a.pk for a in fallback}
            escalated = [a for a in open_.filter(escalated_at__isnull=False) if a.pk not in seen]
    return AlertLists(mine, fallback, escalated, resolved)


@dataclass(frozen=True)
class BannerLine:
    level: str  # a key of levels.LEVELS
    label: str  # the level in words
    message: str


def alert_banner(user: RequestUser | None) -> list[BannerLine]:
    """One line per open alert this clinician is told about (their patients'; for a clinical lead
    also the fallback queue and the escalated ones), most urgent first. No patient, no answers:
    the banner says how urgent; the alerts page says who."""
    from .levels import LEVELS, alert_level, banner_messages, label

    if not is_therapist(user):
        return []
    lists = alerts_for(user)
    alerts = [*lists.mine, *(lists.fallback if is_clinical_lead(user) else []), *lists.escalated]
    messages = banner_messages()
    keys = sorted((alert_level(a) for a in alerts), key=LEVELS.index)
    return [BannerLine(level, label(level), messages[level]) for level in keys]


def open_alerts_for_patient(patient_id: int) -> list[RiskAlert]:
    return list(RiskAlert.objects.filter(patient_id=patient_id, status=RiskAlert.Status.OPEN))


# What is due -------------------------------------------------------------------------------


DUE_STATUS_LABELS = {
    "done": _("done"),
    "due": _("due"),
    "overdue": _("overdue"),
    "upcoming": _("upcoming"),
}


@dataclass(frozen=True)
class DueItem:
    key: str
    questionnaire: str
    title: str
    due_on: date
    status: str  # "done", "due", "overdue", "upcoming"
    covered: bool = False  # done by answers given for something else (e.g. the intake)
    current: bool = False  # not yet replaced by the next occasion of the same questionnaire

    @property
    def status_label(self) -> str:
        return str(DUE_STATUS_LABELS.get(self.status, self.status))


def _enrolment_start(patient: User) -> datetime | None:
    """Start of day on the active enrolment's ``start_date`` (None when the patient has none).

    The outcomes app depends on the program app (``modules``), never the other way round. The start
    date is the day the program begins for the patient (it may lie ahead of ``enrolled_at``, the
    day the therapist enrolled them); an ended enrolment no longer sets the schedule.
    """
    start_date = (
        Enrolment.objects.filter(patient_id=patient.pk, ended_at__isnull=True)
        .values_list("start_date", flat=True)
        .first()
    )
    if start_date is None:
        return None
    return timezone.make_aware(datetime.combine(start_date, time.min))


def due_questionnaires(patient: User, *, now: datetime | None = None, program: str = DEFAULT_PROGRAM) -> list[DueItem]:
    now = now or timezone.now()
    responses = effective_responses(patient.pk)
    start = _enrolment_start(patient) or (responses[0].submitted_at if responses else now)
    occasions = PROGRAM_SCHEDULES[program]
    items: list[DueItem] = []
    for index, occasion in enumerate(occasions):
        due = start + timedelta(days=occasion.day)
        opens = due - timedelta(days=OPEN_BEFORE)
        later = [o for o in occasions[index + 1 :] if o.questionnaire == occasion.questionnaire]
        closes = (start + timedelta(days=later[0].day) - timedelta(days=OPEN_BEFORE)) if later else None
        answered = any(
            r.questionnaire == occasion.questionnaire
            and r.submitted_at >= opens
            and (closes is None or r.submitted_at < closes)
            for r in responses
        )
        reused, remaining = _recently_answered_instruments(occasion, responses, opens=opens, closes=closes)
        covered = not answered and bool(reused)
        done = answered or covered
        if done:
            status = "done"
        elif now < opens:
            status = "upcoming"
        elif now <= due + timedelta(days=GRACE):
            status = "due"
        elif closes is None or now < closes:
            status = "overdue"
        else:
            status = "missed"
        definition = get_questionnaire(occasion.questionnaire)
        title = str(definition.title) if definition else occasion.questionnaire
        current = closes is None or now < closes  # not yet replaced by the next one of its kind
        items.append(
            DueItem(occasion.key, occasion.questionnaire, title, timezone.localdate(due), status, covered, current)
        )
        if covered and remaining:
            # Only what was not answered already is asked, one instrument at a time, in order.
            definition_order = [i.slug for i in definition.instruments] if definition else sorted(remaining)
            for slug in [s for s in definition_order if s in remaining]:
                alone = get_questionnaire(slug)
                status = (
                    "upcoming"
                    if now < opens
                    else "due"
                    if now <= due + timedelta(days=GRACE)
                    else ("overdue" if closes is None or now < closes else "missed")
                )
                items.append(
                    DueItem(
                        f"{occasion.key}:{slug}",
                        slug,
                        str(alone.title) if alone else slug,
                        timezone.localdate(due),
                        status,
                        False,
                        current,
                    )
                )
    return items


def _instruments_of(questionnaire: str) -> frozenset[str]:
    definition = get_questionnaire(questionnaire)
    return frozenset(i.slug for i in definition.instruments) if definition else frozenset()


def _recently_answered_instruments(
    occasion: Occasion, responses: list[QuestionnaireResponse], *, opens: datetime, closes: datetime | None
) -> tuple[frozenset[str], frozenset[str]]:
    """One baseline: (the instruments this occasion asks that were already answered within its
    reuse window, in any questionnaire, the intake's included; those still to ask)."""
    needed = _instruments_of(occasion.questionnaire) - NOT_REQUIRED_FOR_REUSE
    if not occasion.reuse_within_days:
        return frozenset(), needed
    since = opens - timedelta(days=occasion.reuse_within_days)
    answered: set[str] = set()
    for r in responses:
        if r.submitted_at >= since and (closes is None or r.submitted_at < closes):
            answered |= _instruments_of(r.questionnaire)
    return frozenset(needed & answered), frozenset(needed - answered)


def recently_answered(patient: User, questionnaire: str, *, now: datetime | None = None) -> DueItem | None:
    """The occasion of this questionnaire that is open now and already answered, if any: its
    page then says so instead of asking the same questions again."""
    for item in due_questionnaires(patient, now=now):
        if item.questionnaire == questionnaire and item.covered and item.current:
            return item
    return None


# The crisis panel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrisisPanel:
    """What the crisis panel says, all of it true for this patient and this moment."""

    clinic_name: str
    clinic_phone: str
    clinic_hours: str
    lines: list[Any]
    told: str  # who has been told
    expect: str  # when to expect contact, given the clinic's hours
    urgent: bool  # a high triage level: call 9-8-8 or 911 now
    safety_plan_url: str = ""


def crisis_panel(
    patient: User,
    *,
    alert: RiskAlert | None = None,
    now: datetime | None = None,
    province: str = "",
    urgent: bool = False,
) -> CrisisPanel:
    from django.utils.formats import date_format
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    from . import clinic
    from .contact import province_of

    now = now or timezone.now()
    profile = clinic.current_profile()
    province = province or province_of(patient)
    hours = clinic.hours_text(profile, get_language() or "en")
    therapist = alert.therapist_at_creation if alert is not None and not alert.routed_to_fallback else None
    if therapist is not None:
        told = _("Your therapist, %(name)s, has been told.") % {"name": therapist.name}
    elif alert is not None:
        told = _("You do not have an active therapist right now, so the clinic's care team has been told.")
    else:
        told = _("Your care team will see your answers.")
    deadline = clinic.add_business_minutes(profile, now, profile.contact_within_hours * 60)
    zone = clinic._zone(profile)
    same_day = timezone.localtime(deadline, zone).date() == timezone.localtime(now, zone).date()
    if clinic.is_open(profile, now) and same_day:
        expect = _("The clinic is open now: expect contact within %(n)s hours.") % {"n": profile.contact_within_hours}
    else:
        day = date_format(timezone.localtime(deadline, zone), "l j F")
        expect = _("The clinic is closed now: expect contact on the next business day, %(day)s.") % {"day": day}
    return CrisisPanel(
        clinic_name=profile.clinic_name,
        clinic_phone=profile.contact_phone,
        clinic_hours=hours,
        lines=clinic.lines_for(profile, province),
        told=told,
        expect=expect,
        urgent=urgent,
        safety_plan_url=reverse("outcomes:safety_plan"),
    )
