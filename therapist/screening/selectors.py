"""Reads for screening: the intake summary (a suggestion only), patient status, therapist queues.

``summarise_intake`` is pure: it suggests "likely suitable", "discuss" or "likely better served
elsewhere" with a plain reason for every concern. It never decides and never rejects anyone;
only a therapist's ScreeningDecision does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from modules.outcomes.instruments import RISK_ITEM
from modules.outcomes.models import RiskAlert, Score
from modules.program.models import Enrolment
from paceway import clinic
from paceway.accounts.access import active_therapist_of
from paceway.accounts.models import CareAssignment, TherapistProfile, User
from paceway.accounts.roles import is_therapist

from .access import is_screening_lead
from .models import Consent, ConsentText, Decision, DeviceAccess, Intake, ScreeningDecision, YesNoUnsure

LIKELY_SUITABLE = "likely_suitable"
DISCUSS = "discuss"
ELSEWHERE = "elsewhere"
SUGGESTION_LABELS = {
    LIKELY_SUITABLE: _("Likely suitable"),
    DISCUSS: _("Discuss with the patient"),
    ELSEWHERE: _("Likely better served elsewhere"),
}

MIN_WEEKLY_MINUTES = 60
PHQ9_SEVERE = 20
GAD7_SEVERE = 15


@dataclass(frozen=True)
class Concern:
    level: str  # DISCUSS or ELSEWHERE
    reason: Any  # a plain-language, translatable sentence


@dataclass
class Summary:
    suggestion: str
    concerns: list[Concern] = field(default_factory=list)
    scores: dict[str, Decimal] = field(default_factory=dict)
    risk: bool = False

    @property
    def suggestion_label(self) -> Any:
        return SUGGESTION_LABELS[self.suggestion]


def baseline_scores(intake: Intake) -> dict[str, Decimal]:
    ids = [r for r in (intake.phq9_response_id, intake.gad7_response_id, intake.peg_response_id) if r]
    return {s.scale: s.total for s in Score.objects.filter(response_id__in=ids)}


def intake_shows_risk(intake: Intake) -> bool:
    """PHQ-9 question 9 above 0, or current suicidal plans: the crisis panel is shown."""
    item9 = intake.phq9_response.answers.get(RISK_ITEM) if intake.phq9_response is not None else None
    return bool(item9) or intake.flag_suicidal_plans


def summarise_intake(intake: Intake, *, scores: dict[str, Decimal] | None = None) -> Summary:
    """Suggest a suitability and flag every concern with a plain reason. Never a decision."""
    scores = baseline_scores(intake) if scores is None else scores
    concerns: list[Concern] = []

    def elsewhere(reason: Any) -> None:
        concerns.append(Concern(ELSEWHERE, reason))

    def discuss(reason: Any) -> None:
        concerns.append(Concern(DISCUSS, reason))

    # Caution flags used in practice as a suitability screen (clinical reference, section 2).
    if intake.flag_suicidal_plans:
        elsewhere(_("Reports current plans to end their life: a same-day risk assessment comes first."))
    if intake.flag_mania:
        elsewhere(_("Reports unmanaged mania: stabilising care usually comes before iCBT."))
    if intake.flag_substance_use:
        elsewhere(_("Reports a current alcohol or drug problem: substance use care may need to come first."))
    if intake.flag_psychosis:
        elsewhere(_("Reports recent psychosis: specialist care is usually better placed."))
    if intake.flag_ptsd_ocd:
        elsewhere(_("Says severe PTSD or OCD is their main problem: a program for that problem may fit better."))
    if intake.flag_cannot_log_in_weekly:
        elsewhere(_("Says they cannot log in weekly: guided iCBT relies on weekly contact."))
    if not intake.pain_three_months:
        elsewhere(_("Pain for less than 3 months: this program is for chronic (persistent) pain."))

    phq9_item9 = intake.phq9_response.answers.get(RISK_ITEM) if intake.phq9_response is not None else None
    risk = intake_shows_risk(intake)
    if phq9_item9:
        discuss(
            _(
                "PHQ-9 question 9 answered above 0: a clinician's risk assessment is needed. This alone does not rule out iCBT."
            )
        )
    if scores.get("phq9") is not None and scores["phq9"] >= PHQ9_SEVERE:
        discuss(_("PHQ-9 in the severe range: consider whether more intensive care is needed alongside or first."))
    if scores.get("gad7") is not None and scores["gad7"] >= GAD7_SEVERE:
        discuss(_("GAD-7 in the severe range: discuss what support fits best."))

    # Other care: iCBT is part of multidisciplinary care, not instead of it.
    if intake.care_none:
        discuss(
            _(
                "No other care in place: iCBT is meant to work alongside other care; discuss a family doctor or pain clinic."
            )
        )
    # Technology and time.
    if intake.device_access == DeviceAccess.NO:
        elsewhere(_("No device or internet access: an online program may not be workable now."))
    elif intake.device_access == DeviceAccess.LIMITED:
        discuss(_("Limited or shared device or internet access: discuss privacy and practical access."))
    if intake.tech_comfort <= 2:
        discuss(_("Low comfort with technology: offer help getting started, or consider in-person care."))
    if intake.weekly_minutes < MIN_WEEKLY_MINUTES:
        discuss(_("Less than an hour a week available: discuss whether the program's pace is realistic."))
    # Preferences and readiness.
    if intake.prefers_in_person == YesNoUnsure.YES:
        discuss(_("Prefers in-person care: discuss options; in-person care may suit them better."))
    elif intake.prefers_in_person == YesNoUnsure.UNSURE:
        discuss(_("Not sure about online versus in-person care: talk through what each involves."))
    if intake.readiness <= 2:
        discuss(_("Low readiness to learn self-management skills: explore what matters to them before starting."))
    if not _language_served(intake.language):
        discuss(_("No active therapist lists the patient's chosen language."))

    if any(c.level == ELSEWHERE for c in concerns):
        suggestion = ELSEWHERE
    elif concerns:
        suggestion = DISCUSS
    else:
        suggestion = LIKELY_SUITABLE
    return Summary(suggestion=suggestion, concerns=concerns, scores=scores, risk=risk)


def _language_served(language: str) -> bool:
    for languages in TherapistProfile.objects.filter(
        is_active_clinician=True, training_verified_at__isnull=False, user__is_active=True
    ).values_list("languages", flat=True):
        if language in {code.strip() for code in languages.split(",")}:
            return True
    return False


# Consent -------------------------------------------------------------------------------------------


def current_consent_text() -> ConsentText | None:
    return ConsentText.objects.filter(published_at__isnull=False).order_by("-version").first()


def active_consent(patient: User) -> Consent | None:
    """The patient's consent to the current consent text, if given and not withdrawn."""
    text = current_consent_text()
    if text is None:
        return None
    return (
        Consent.objects.filter(patient_id=patient.pk, consent_text=text, withdrawn_at__isnull=True)
        .select_related("consent_text")
        .order_by("-given_at")
        .first()
    )


def any_active_consent(patient: User) -> Consent | None:
    return (
        Consent.objects.filter(patient_id=patient.pk, withdrawn_at__isnull=True)
        .select_related("consent_text")
        .order_by("-given_at")
        .first()
    )


def consent_history(patient: User) -> list[Consent]:
    return list(Consent.objects.filter(patient_id=patient.pk).select_related("consent_text").order_by("-given_at"))


# Patient status ------------------------------------------------------------------------------------


NO_INTAKE = "no_intake"
WAITING = "waiting"
ACCEPTED = "accepted"
ACCEPTED_WAITING_THERAPIST = "accepted_waiting_therapist"
REFERRED = "referred"
NOT_NOW = "not_now"


@dataclass
class PatientStatus:
    state: str
    intake: Intake | None
    decision: ScreeningDecision | None
    consent: Consent | None
    consent_text: ConsentText | None
    enrolled: bool
    risk: bool = False

    @property
    def needs_consent(self) -> bool:
        return self.consent is None and self.consent_text is not None and self.state in (WAITING, NO_INTAKE)

    @property
    def may_start_intake(self) -> bool:
        return not self.enrolled and self.state in (NO_INTAKE, REFERRED, NOT_NOW)


def latest_intake(patient: User) -> Intake | None:
    return (
        Intake.objects.filter(patient_id=patient.pk)
        .select_related("phq9_response", "decision")
        .order_by("-submitted_at", "-id")
        .first()
    )


def patient_status(patient: User) -> PatientStatus:
    intake = latest_intake(patient)
    decision = getattr(intake, "decision", None) if intake is not None else None
    enrolled = Enrolment.objects.filter(patient_id=patient.pk, ended_at__isnull=True).exists()
    if intake is None:
        state = NO_INTAKE
    elif decision is None:
        state = WAITING
    elif decision.decision == Decision.ACCEPT:
        state = ACCEPTED if enrolled or decision.enrolment_id else ACCEPTED_WAITING_THERAPIST
    elif decision.decision == Decision.REFER:
        state = REFERRED
    else:
        state = NOT_NOW
    risk = intake is not None and decision is None and intake_shows_risk(intake)
    return PatientStatus(
        state=state,
        intake=intake,
        decision=decision,
        consent=active_consent(patient),
        consent_text=current_consent_text(),
        enrolled=enrolled,
        risk=risk,
    )


# Therapist queues ----------------------------------------------------------------------------------


def _waiting_intakes() -> QuerySet[Intake]:
    return Intake.objects.filter(decision__isnull=True, patient__is_active=True)


def waiting_intakes_for(therapist: User) -> list[Intake]:
    """Intakes awaiting a decision that this therapist may decide: their own patients, plus
    unassigned patients' intakes for clinical leads. Oldest first."""
    if not is_therapist(therapist):
        return []
    open_assignment = CareAssignment.objects.filter(patient_id=OuterRef("patient_id"), ended_at__isnull=True)
    mine = CareAssignment.objects.filter(
        patient_id=OuterRef("patient_id"), ended_at__isnull=True, therapist_id=therapist.pk
    )
    qs = _waiting_intakes().annotate(assigned=Exists(open_assignment), mine=Exists(mine))
    qs = qs.filter(Q(mine=True) | Q(assigned=False)) if is_screening_lead(therapist) else qs.filter(mine=True)
    return list(
        qs.select_related("patient")
        .annotate(
            has_open_alert=Exists(
                RiskAlert.objects.filter(patient_id=OuterRef("patient_id"), status=RiskAlert.Status.OPEN)
            )
        )
        .order_by("-has_open_alert", "submitted_at", "id")
    )


def waiting_count_for(therapist: User) -> int:
    """For the dashboard: a constant number of queries whatever the caseload size."""
    if not is_therapist(therapist):
        return 0
    open_assignment = CareAssignment.objects.filter(patient_id=OuterRef("patient_id"), ended_at__isnull=True)
    mine = open_assignment.filter(therapist_id=therapist.pk)
    qs = _waiting_intakes().annotate(assigned=Exists(open_assignment), mine=Exists(mine))
    qs = qs.filter(Q(mine=True) | Q(assigned=False)) if is_screening_lead(therapist) else qs.filter(mine=True)
    return qs.count()


def consent_withdrawn_while_enrolled(therapist: User) -> list[Consent]:
    """The therapist's enrolled patients whose consent was withdrawn (the enrolment's flag)."""
    if not is_therapist(therapist):
        return []
    return list(
        Consent.objects.filter(
            enrolment_at_withdrawal__isnull=False,
            enrolment_at_withdrawal__ended_at__isnull=True,
            patient__care_assignments__therapist_id=therapist.pk,
            patient__care_assignments__ended_at__isnull=True,
        )
        .exclude(patient__icbt_consents__withdrawn_at__isnull=True)
        .select_related("patient", "consent_text")
        .order_by("-withdrawn_at")
        .distinct()
    )


# The patient's journey (the tracker on their start page) ------------------------------------------

DONE, CURRENT, UPCOMING, STOPPED = "done", "current", "upcoming", "stopped"


@dataclass(frozen=True)
class JourneyStep:
    key: str  # intake, decision, consent, therapist, week1
    label: Any
    status: str  # done, current, upcoming, stopped (a decision other than "accept")


@dataclass
class Journey:
    """Where a patient is between sign-up and week 1, and what happens next and by when."""

    status: PatientStatus
    therapist: User | None
    therapist_profile: TherapistProfile | None
    enrolment: Enrolment | None
    steps: list[JourneyStep] = field(default_factory=list)
    expected: Any = None  # when the current step's next thing should happen (datetime or date)

    @property
    def current(self) -> str:
        return next((s.key for s in self.steps if s.status in (CURRENT, STOPPED)), "done")


def journey(patient: User) -> Journey:
    status = patient_status(patient)
    therapist = active_therapist_of(patient)
    profile = TherapistProfile.objects.filter(user=therapist).first() if therapist is not None else None
    enrolment = Enrolment.objects.filter(patient_id=patient.pk, ended_at__isnull=True).first()
    decision = status.decision
    done = {
        "intake": status.intake is not None,
        "decision": decision is not None and decision.decision == Decision.ACCEPT,
        "consent": status.consent is not None,
        "therapist": therapist is not None,
        "week1": enrolment is not None,
    }
    labels = {
        "intake": _("Tell us about you"),
        "decision": _("Decide together with a therapist"),
        "consent": _("Your consent to online therapy"),
        "therapist": _("Meet your therapist"),
        "week1": _("Week 1 of your program"),
    }
    steps: list[JourneyStep] = []
    seen_current = False
    for key in ("intake", "decision", "consent", "therapist", "week1"):
        if done[key]:
            steps.append(JourneyStep(key, labels[key], DONE))
        elif key == "decision" and decision is not None and not seen_current:
            steps.append(JourneyStep(key, labels[key], STOPPED))
            seen_current = True
        elif not seen_current:
            steps.append(JourneyStep(key, labels[key], CURRENT))
            seen_current = True
        else:
            steps.append(JourneyStep(key, labels[key], UPCOMING))
    result = Journey(status=status, therapist=therapist, therapist_profile=profile, enrolment=enrolment, steps=steps)
    current = result.current
    if current == "decision" and status.intake is not None and decision is None:
        result.expected = clinic.decision_expected(status.intake.submitted_at)
    elif current == "therapist" and decision is not None:
        result.expected = clinic.assignment_expected(decision.decided_at)
    elif current == "week1" or (enrolment is not None and current == "done"):
        result.expected = enrolment.start_date if enrolment is not None else None
    return result


# The administrators' console: where each waiting patient is (no answers, only the stage) --------

STAGE_NO_INTAKE = "no_intake"
STAGE_UNDECIDED = "undecided"
STAGE_ACCEPTED_AWAITING_CONSENT = "accepted_awaiting_consent"
STAGE_READY_TO_ASSIGN = "ready_to_assign"
STAGE_NOT_ACCEPTED = "not_accepted"
STAGE_LABELS = {
    STAGE_NO_INTAKE: _("No intake yet"),
    STAGE_UNDECIDED: _("Undecided: intake waiting for a decision"),
    STAGE_ACCEPTED_AWAITING_CONSENT: _("Accepted, awaiting consent"),
    STAGE_READY_TO_ASSIGN: _("Ready to assign"),
    STAGE_NOT_ACCEPTED: _("Referred elsewhere or not now"),
}
STAGE_ORDER = (
    STAGE_READY_TO_ASSIGN,
    STAGE_ACCEPTED_AWAITING_CONSENT,
    STAGE_UNDECIDED,
    STAGE_NO_INTAKE,
    STAGE_NOT_ACCEPTED,
)


def stages_for(patient_ids: list[int]) -> dict[int, str]:
    """{patient_id: stage} from each patient's latest intake, its decision and their consent to the
    current text. Three queries whatever the number of patients."""
    latest: dict[int, Intake] = {}
    for item in (
        Intake.objects.filter(patient_id__in=patient_ids).select_related("decision").order_by("submitted_at", "id")
    ):
        latest[item.patient_id] = item
    text = current_consent_text()
    consenting = (
        set(
            Consent.objects.filter(
                patient_id__in=patient_ids, consent_text=text, withdrawn_at__isnull=True
            ).values_list("patient_id", flat=True)
        )
        if text is not None
        else set()
    )
    stages: dict[int, str] = {}
    for pid in patient_ids:
        intake = latest.get(pid)
        decision = getattr(intake, "decision", None) if intake is not None else None
        if intake is None:
            stages[pid] = STAGE_NO_INTAKE
        elif decision is None:
            stages[pid] = STAGE_UNDECIDED
        elif decision.decision != Decision.ACCEPT:
            stages[pid] = STAGE_NOT_ACCEPTED
        elif pid in consenting:
            stages[pid] = STAGE_READY_TO_ASSIGN
        else:
            stages[pid] = STAGE_ACCEPTED_AWAITING_CONSENT
    return stages


def consent_pause_reason(patient: User) -> str | None:
    """``accounts.hooks.program_pause_checks``: why the program is paused for consent, or None.

    Paused while the patient's latest consent is withdrawn, or was given to an older version of
    the consent text than the current one (they consent again before the next module). A
    patient who never gave consent here (enrolled another way) is not paused."""
    latest = (
        Consent.objects.filter(patient_id=patient.pk)
        .select_related("consent_text")
        .order_by("-given_at", "-id")
        .first()
    )
    if latest is None:
        return None
    if latest.withdrawn_at is not None:
        return str(_("You withdrew your consent, so your program is paused. Give your consent again to continue."))
    current = current_consent_text()
    if current is not None and current.version > latest.consent_text.version:
        return str(_("The consent text has changed. Please read it and consent again before your next module."))
    return None
