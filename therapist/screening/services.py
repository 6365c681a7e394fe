"""Writes for screening: intake, decision, consent. Keyword-only, atomic, audited.

The intake is all-or-nothing: the answers, the contact details (the intake's contact step) and
the three baseline questionnaires are validated before anything is written; then the intake and the responses (saved through the outcomes
service, so PHQ-9 question 9 above 0 raises a RiskAlert in the same transaction) are written
together. The audit log gets actions and ids only, never answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.outcomes import services as outcome_services
from modules.outcomes.contact import INTAKE_PREFIX, ContactForm, save_contact_details
from modules.outcomes.instruments import GAD7, PEG, PHQ9, get_questionnaire
from modules.outcomes.models import RiskAlert
from modules.outcomes.scoring import AnswerErrors, validate_and_score
from modules.program import services as program_services
from modules.program.loader import latest_program
from modules.program.models import Enrolment, Program
from paceway.accounts import emails
from paceway.accounts.access import active_therapist_of, can_manage_accounts
from paceway.accounts.language import in_language_of
from paceway.accounts.models import User
from paceway.accounts.roles import is_patient
from paceway.audit.services import audit

from . import selectors
from .access import can_decide, is_screening_lead
from .forms import DecisionForm, IntakeForm
from .models import Consent, ConsentText, Decision, Intake, ScreeningDecision

logger = logging.getLogger(__name__)

BASELINE = (PEG, PHQ9, GAD7)  # display and save order
PROGRAM_SLUG = "chronic-pain"


class IntakeErrors(Exception):
    """The intake was not saved. ``form`` carries the field errors, ``contact_form`` those of the
    contact step, ``answer_errors`` the questionnaire item errors keyed by item code."""

    def __init__(
        self,
        form: IntakeForm,
        answer_errors: dict[str, list[str]],
        general: list[str] | None = None,
        contact_form: Any = None,
    ) -> None:
        super().__init__("invalid intake")
        self.form = form
        self.answer_errors = answer_errors
        self.general = general or []
        self.contact_form = contact_form


@dataclass(frozen=True)
class IntakeResult:
    intake: Intake
    alerts: tuple[RiskAlert, ...]
    crisis: bool  # show the crisis panel in this very response


def _require_self(actor: User, patient: User) -> None:
    if not (is_patient(actor) and patient is not None and actor.pk == patient.pk):
        raise PermissionDenied


def intake_refusal(patient: User) -> str | None:
    """Why this patient cannot send a new intake now, or None."""
    if Enrolment.objects.filter(patient_id=patient.pk, ended_at__isnull=True).exists():
        return _("You are already enrolled in the program.")
    if Intake.objects.filter(patient_id=patient.pk, decision__isnull=True).exists():
        return _("Your intake is already with the care team, waiting for a decision.")
    latest = selectors.latest_intake(patient)
    decision = getattr(latest, "decision", None) if latest is not None else None
    if decision is not None and decision.decision == Decision.ACCEPT:
        return _("You have been accepted into the program; no new intake is needed.")
    return None


def _answers_by_instrument(answers: Iterable[tuple[object, object]]) -> dict[str, list[tuple[object, object]]]:
    grouped: dict[str, list[tuple[object, object]]] = {inst.slug: [] for inst in BASELINE}
    for code, value in answers:
        for inst in BASELINE:
            if code in inst.items_by_code:
                grouped[inst.slug].append((code, value))
                break
    return grouped


@transaction.atomic
def submit_intake(
    *, actor: User, patient: User, data: Mapping[str, Any], answers: Iterable[tuple[object, object]]
) -> IntakeResult:
    """Validate everything, then save the intake and its baseline questionnaires together.

    Raises IntakeErrors (nothing stored), ValidationError (an intake is not possible now) or
    PermissionDenied."""
    _require_self(actor, patient)
    # One intake at a time per patient: lock the patient's row while checking.
    User.objects.select_for_update().filter(pk=patient.pk).first()
    refusal = intake_refusal(patient)
    if refusal:
        raise ValidationError(refusal)

    form = IntakeForm(data)
    # The contact step (how the care team reaches the patient): part of the same form, saved with
    # it, so a risk answer never arrives without a phone number to call.
    contact_form = ContactForm(data, prefix=INTAKE_PREFIX)
    grouped = _answers_by_instrument(answers)
    answer_errors: dict[str, list[str]] = {}
    for inst in BASELINE:
        definition = get_questionnaire(inst.slug)
        assert definition is not None
        try:
            validate_and_score(definition, grouped[inst.slug])
        except AnswerErrors as exc:
            answer_errors.update(exc.errors)
    contact_valid = contact_form.is_valid()
    if not form.is_valid() or answer_errors or not contact_valid:
        raise IntakeErrors(form, answer_errors, contact_form=contact_form)

    now = timezone.now()
    submissions = {
        inst.slug: outcome_services.submit_response(
            actor=actor, patient=patient, questionnaire=inst.slug, answers=grouped[inst.slug], submitted_at=now
        )
        for inst in BASELINE
    }
    intake: Intake = form.save(commit=False)
    intake.patient = patient
    intake.submitted_at = now
    intake.peg_response = submissions["peg"].response
    intake.phq9_response = submissions["phq-9"].response
    intake.gad7_response = submissions["gad-7"].response
    intake.save()
    audit(actor=actor, action="screening.intake.submit", patient=patient, obj=intake)
    save_contact_details(actor=actor, patient=patient, data=data, prefix=INTAKE_PREFIX)

    alerts = [s.alert for s in submissions.values() if s.alert is not None]
    if intake.flag_suicidal_plans and not alerts:
        # Current suicidal plans are a positive risk answer too (clinical reference, section 5):
        # the same alert path as PHQ-9 question 9, tied to the baseline PHQ-9 response.
        alerts.append(outcome_services._raise_alert(submissions["phq-9"].response, now))
    crisis = any(s.crisis for s in submissions.values()) or intake.flag_suicidal_plans
    if selectors.active_consent(patient) is None:
        emails.send_on_commit(user=patient, template="consent_needed")
    return IntakeResult(intake=intake, alerts=tuple(alerts), crisis=crisis)


# Decision ------------------------------------------------------------------------------------------


def program_to_offer() -> Program:
    program = latest_program(PROGRAM_SLUG) or latest_program()
    if program is None:
        raise ValidationError(_("No program is published yet, so nobody can be enrolled."))
    return program


@transaction.atomic
def decide(
    *,
    actor: User,
    intake_id: Any,
    decision: str,
    rationale: str,
    goals_and_preferences: str,
    explanation: str,
) -> ScreeningDecision:
    """A therapist's decision. Acceptance needs the patient's current consent and enrols them
    (at once when the decider is their therapist; when a therapist is assigned otherwise)."""
    try:
        intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    except (Intake.DoesNotExist, ValueError, TypeError):
        raise PermissionDenied from None
    patient = intake.patient
    if not can_decide(actor, patient):
        raise PermissionDenied
    if ScreeningDecision.objects.filter(intake=intake).exists():
        raise ValidationError(_("A decision has already been recorded for this intake."))
    form = DecisionForm(
        {
            "decision": decision,
            "rationale": rationale,
            "goals_and_preferences": goals_and_preferences,
            "explanation": explanation,
        }
    )
    if not form.is_valid():
        raise ValidationError(form.errors)
    values = form.cleaned_data

    consent = None
    enrolment = None
    if values["decision"] == Decision.ACCEPT:
        consent = selectors.active_consent(patient)
        if consent is None:
            raise ValidationError(
                _(
                    "The patient has not given consent to iCBT for the current consent text yet. Ask them to read and give it first."
                )
            )
        therapist = active_therapist_of(patient)
        if therapist is not None and therapist.pk == actor.pk:
            enrolment = program_services.enrol_patient(actor=actor, patient=patient, program=program_to_offer())
        else:
            program_to_offer()  # refuse now, not later, if there is nothing to enrol in
    record = ScreeningDecision.objects.create(
        intake=intake,
        therapist=actor,
        decision=values["decision"],
        rationale=values["rationale"].strip(),
        goals_and_preferences=values["goals_and_preferences"].strip(),
        explanation=values["explanation"].strip(),
        consent=consent,
        enrolment=enrolment,
    )
    audit(actor=actor, action=f"screening.decision.{record.decision}", patient=patient, obj=record)
    if record.decision == Decision.ACCEPT:
        emails.send_on_commit(user=patient, template="accepted")
    return record


@transaction.atomic
def assign_after_acceptance(*, actor: User, intake_id: Any, therapist_id: Any) -> Any:
    """The clinical lead who accepted an unassigned patient assigns a therapist from the review."""
    from paceway.accounts.services import assign_as_clinical_lead

    intake = Intake.objects.select_related("patient").filter(pk=intake_id).first() if str(intake_id).isdigit() else None
    record = getattr(intake, "decision", None) if intake is not None else None
    if intake is None or record is None or record.decision != Decision.ACCEPT or not is_screening_lead(actor):
        raise PermissionDenied
    therapist = User.objects.filter(pk=therapist_id if str(therapist_id).isdigit() else 0, is_active=True).first()
    if therapist is None:
        raise ValidationError(_("Choose a therapist."))
    return assign_as_clinical_lead(actor=actor, patient=intake.patient, therapist=therapist)


@transaction.atomic
def enrol_accepted_patient(*, patient_id: int) -> Enrolment | None:
    """After a therapist is assigned: enrol a patient accepted while unassigned, if they still
    consent and are not enrolled. Idempotent. The assigned therapist is the enrolling clinician."""
    patient = User.objects.select_for_update().filter(pk=patient_id, is_active=True).first()
    if patient is None:
        return None
    intake = selectors.latest_intake(patient)
    record = getattr(intake, "decision", None) if intake is not None else None
    if record is None or record.decision != Decision.ACCEPT or record.enrolment_id is not None:
        return None
    therapist = active_therapist_of(patient)
    if therapist is None or selectors.active_consent(patient) is None:
        return None
    if Enrolment.objects.filter(patient=patient, ended_at__isnull=True).exists():
        return None
    enrolment = program_services.enrol_patient(actor=therapist, patient=patient, program=program_to_offer())
    ScreeningDecision.objects.filter(pk=record.pk).update(enrolment=enrolment)
    audit(actor=therapist, action="screening.decision.enrolled_on_assignment", patient=patient, obj=record)
    return enrolment


def on_care_team_changed(patient_id: int) -> None:
    """accounts hook (run after commit). Never raises: failures are logged with ids only."""
    try:
        enrol_accepted_patient(patient_id=patient_id)
    except Exception as exc:  # noqa: BLE001 - after-commit hook: never raises
        logger.warning(
            "Screening: enrolment after assignment of patient %s failed (%s).", patient_id, type(exc).__name__
        )


# Consent -------------------------------------------------------------------------------------------


@transaction.atomic
def give_consent(*, actor: User, patient: User, version: Any) -> Consent:
    """Consent to the current consent text (the version the patient read). Idempotent."""
    _require_self(actor, patient)
    text = selectors.current_consent_text()
    try:
        version_number = int(version)
    except (TypeError, ValueError):
        version_number = -1
    if text is None or text.version != version_number:
        raise ValidationError(
            _("The consent text has changed since you opened the page. Please read the current version.")
        )
    existing = Consent.objects.filter(patient=patient, consent_text=text, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    consent = Consent.objects.create(patient=patient, consent_text=text)
    audit(actor=actor, action="screening.consent.give", patient=patient, obj=consent)
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User, patient: User) -> list[Consent]:
    """Withdraw consent, any time. An enrolment goes on (the patient decides whether to stop
    with their therapist) but is flagged: the withdrawal records the enrolment it happened in."""
    _require_self(actor, patient)
    consents = list(Consent.objects.select_for_update().filter(patient=patient, withdrawn_at__isnull=True))
    if not consents:
        raise ValidationError(_("You have no consent in force to withdraw."))
    enrolment = Enrolment.objects.filter(patient=patient, ended_at__isnull=True).first()
    now = timezone.now()
    for consent in consents:
        consent.withdrawn_at = now
        consent.enrolment_at_withdrawal = enrolment
        consent.save(update_fields=["withdrawn_at", "enrolment_at_withdrawal"])
        audit(actor=actor, action="screening.consent.withdraw", patient=patient, obj=consent)
    patient_id = patient.pk
    transaction.on_commit(lambda: _tell_therapist_of_withdrawal(patient_id))
    return consents


def _tell_therapist_of_withdrawal(patient_id: int) -> None:
    """The therapist hears of it (no health data: the patient's number and what to do)."""
    from django.core.mail import send_mail

    patient = User.objects.filter(pk=patient_id).first()
    therapist = active_therapist_of(patient) if patient is not None else None
    if therapist is None:
        return
    with in_language_of(therapist):
        body = _(
            "A patient on your caseload (number %(patient)d) withdrew their consent. Their program is paused "
            "until they consent again. Please talk with them about what happens next."
        ) % {"patient": patient_id}
        send_mail(str(_("Consent withdrawn")), body, None, [therapist.email])


@transaction.atomic
def publish_consent_text(*, actor: User, text: str) -> ConsentText:
    """A new version of the consent text (administrators). Earlier versions are kept unchanged;
    patients consent again to the new version before acceptance."""
    if actor is not None and not can_manage_accounts(actor):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The consent text is empty."))
    last = ConsentText.objects.select_for_update().order_by("-version").first()
    record = ConsentText.objects.create(
        version=(last.version + 1) if last else 1, text=text, published_at=timezone.now()
    )
    audit(actor=actor, action="screening.consent_text.publish", obj=record)
    return record
