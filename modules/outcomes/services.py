"""Writes: submitting and amending responses, risk alerts (raise, notify, escalate, resolve).

The safety-critical path: ``submit_response`` validates, then saves the response, its scores and
(if a risk item is positive) a RiskAlert in ONE transaction, audited, and returns what the page
needs to show the crisis panel. Nothing in that path needs Redis, Celery or e-mail: the
notification is enqueued after commit, failures to enqueue are logged (ids only) and the periodic
``notify_and_escalate_risk_alerts`` sends whatever has not been sent.

The notification e-mail is at-least-once, by nature: SMTP has no idempotency key, so a message
the server accepted just before the process died, or before ``notified_at`` was committed, is
sent again by the next run. What is exactly-once is the record (``notified_at``, under a row
lock): a clinician may get the same e-mail twice, never none. The alert row and the crisis panel
do not depend on the e-mail at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms import BaseForm
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from paceway import doorbell, mail_once
from paceway.accounts.access import active_therapist_of, caseload_patient_ids, is_active_clinician
from paceway.accounts.access import clinical_leads as access_clinical_leads
from paceway.accounts.models import User
from paceway.accounts.roles import Role, is_patient
from paceway.audit.services import audit
from paceway.keyring.services import create_data_key, encrypt

from . import scoring
from .access import can_act_on_alert
from .instruments import SCALES, get_questionnaire
from .models import ClinicProfile, ContactAttempt, FollowUp, QuestionnaireResponse, RiskAlert, Score

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    response: QuestionnaireResponse
    result: scoring.Result
    alert: RiskAlert | None

    @property
    def crisis(self) -> bool:
        """Show the crisis panel in this very response."""
        return self.result.risk


def answer_language(patient: User) -> str:
    """The language the questions were shown in: the active one (the page's), else the patient's."""
    active = get_language()
    code = active or getattr(patient, "preferred_language", "") or settings.LANGUAGE_CODE
    return code.split("-")[0].lower()[:8]


@transaction.atomic
def submit_response(
    *,
    actor: User,
    patient: User,
    questionnaire: str,
    answers: Iterable[tuple[object, object]],
    submitted_at: datetime | None = None,
    amends: QuestionnaireResponse | None = None,
    amendment_reason: str = "",
    submission_token: str = "",
) -> Submission:
    """Validate and save. Raises AnswerErrors (nothing stored) or PermissionDenied.

    A repeated ``submission_token`` (a retry after a lost response) answers with the response
    already stored, its alert and crisis panel, and stores nothing new."""
    if not (is_patient(actor) and actor.pk == patient.pk):
        raise PermissionDenied
    definition = get_questionnaire(questionnaire)
    if definition is None:
        raise scoring.AnswerErrors({"__all__": [_("Unknown questionnaire.")]})
    result = scoring.validate_and_score(definition, answers)  # raises before anything is written
    now = submitted_at or timezone.now()
    stored = _stored_submission(patient, submission_token, result)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():  # a savepoint: a concurrent retry loses the race cleanly
            response = QuestionnaireResponse.objects.create(
                patient=patient,
                questionnaire=definition.slug,
                answers=result.answers,
                language=answer_language(patient),
                submitted_at=now,
                submitted_by=actor,
                amends=amends,
                amendment_reason=amendment_reason,
                submission_token=submission_token,
            )
    except IntegrityError:
        stored = _stored_submission(patient, submission_token, result)
        if stored is None:
            raise
        return stored
    measured_at = amends.submitted_at if amends is not None else now
    Score.objects.bulk_create(
        Score(
            response=response,
            patient=patient,
            instrument=SCALES[s.scale.key][0].slug,
            scale=s.scale.key,
            total=s.stored,
            band=s.band.key if s.band else "",
            submitted_at=measured_at,
        )
        for s in result.scores
    )
    audit(
        actor=actor,
        action="outcomes.response.amend" if amends is not None else "outcomes.response.submit",
        patient=patient,
        obj=response,
    )
    alert = _raise_alert(response, now) if result.risk else None
    return Submission(response, result, alert)


@transaction.atomic
def amend_response(
    *, actor: User, response_id: int, answers: Iterable[tuple[object, object]], reason: str
) -> Submission:
    """A correction: a new response pointing to the original, which is kept unchanged."""
    original = QuestionnaireResponse.objects.filter(pk=response_id).select_related("patient").first()
    if original is None or not (is_patient(actor) and original.patient_id == actor.pk):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the answers are being corrected."))
    root = original.amends or original
    return submit_response(
        actor=actor,
        patient=original.patient,
        questionnaire=root.questionnaire,
        answers=answers,
        amends=root,
        amendment_reason=reason[:500],
    )


def _stored_submission(patient: User, token: str, result: scoring.Result) -> Submission | None:
    """The submission this token already stored, if any (the answer to a retried POST)."""
    if not token:
        return None
    response = QuestionnaireResponse.objects.filter(patient=patient, submission_token=token).first()
    if response is None:
        return None
    alert = RiskAlert.objects.filter(response=response).first()
    return Submission(response, result, alert)


def _raise_alert(response: QuestionnaireResponse, now: datetime) -> RiskAlert:
    therapist = active_therapist_of(response.patient)
    if not is_active_clinician(therapist):
        therapist = None
    alert = RiskAlert.objects.create(
        patient=response.patient,
        response=response,
        created_at=now,
        therapist_at_creation=therapist,
        routed_to_fallback=therapist is None,
    )
    audit(actor=response.submitted_by, action="outcomes.risk_alert.create", patient=response.patient, obj=alert)
    alert_id = alert.pk
    transaction.on_commit(lambda: enqueue_alert_notification(alert_id), robust=True)
    transaction.on_commit(lambda: ring_dashboards(alert_id), robust=True)
    return alert


def screen_free_text(patient: User, source: str, texts: list[str]) -> RiskAlert | None:
    """The free-text hook (messages, diary notes, reflections): a phrase that suggests suicidal
    thinking or self-harm raises a lower-level "possible risk in text" alert for the care team
    (one open at a time per patient), in a savepoint of the writer's transaction. The text itself
    is never stored here, logged or audited; the source says only where it was written."""
    from .textscreen import suggests_risk

    if not is_patient(patient) or not any(suggests_risk(text) for text in texts):
        return None
    with transaction.atomic():
        if RiskAlert.objects.filter(
            patient_id=patient.pk, kind=RiskAlert.Kind.TEXT, status=RiskAlert.Status.OPEN
        ).exists():
            return None
        therapist = active_therapist_of(patient)
        if not is_active_clinician(therapist):
            therapist = None
        alert = RiskAlert.objects.create(
            patient=patient,
            kind=RiskAlert.Kind.TEXT,
            source=source[:30],
            created_at=timezone.now(),
            therapist_at_creation=therapist,
            routed_to_fallback=therapist is None,
        )
        audit(actor=patient, action="outcomes.risk_alert.create_from_text", patient=patient, obj=alert)
        alert_id = alert.pk
        transaction.on_commit(lambda: enqueue_alert_notification(alert_id), robust=True)
        transaction.on_commit(lambda: ring_dashboards(alert_id), robust=True)
    return alert


def recent_text_alert(patient: User, *, hours: int = 24) -> bool:
    """Show the patient the resources gently: an open "possible risk in text" alert of theirs."""
    return RiskAlert.objects.filter(
        patient_id=patient.pk,
        kind=RiskAlert.Kind.TEXT,
        status=RiskAlert.Status.OPEN,
        created_at__gte=timezone.now() - timedelta(hours=hours),
    ).exists()


def ring_dashboards(alert_id: int) -> None:
    """Best effort, after commit: a doorbell (no health data) on the dashboards of the clinicians
    who are notified of this alert. Never raises: Redis down must not affect the saved alert."""
    try:
        from .levels import alert_level

        alert = RiskAlert.objects.select_related("patient").filter(pk=alert_id).first()
        if alert is None:
            return
        doorbell.alert_raised(
            [u.pk for u in notification_recipients(alert) if u.role == Role.THERAPIST],
            level=alert_level(alert),
        )
    except Exception as exc:  # noqa: BLE001 - a doorbell never raises
        logger.warning("Risk alert %s: dashboard doorbell failed (%s).", alert_id, type(exc).__name__)


def enqueue_alert_notification(alert_id: int) -> None:
    """Best effort: the periodic job sends anything this could not enqueue. Never raises."""
    try:
        from .tasks import notify_risk_alert

        notify_risk_alert.delay(alert_id)
    except Exception as exc:  # noqa: BLE001 - broker down, misconfigured, anything: the sweep will catch up
        logger.warning(
            "Risk alert %s: notification not enqueued (%s); the periodic job will send it.",
            alert_id,
            type(exc).__name__,
        )


# Recipients ---------------------------------------------------------------------------------


def clinical_leads() -> list[User]:
    return list(access_clinical_leads())


def escalation_recipients() -> list[User]:
    return clinical_leads() or list(User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk"))


def notification_recipients(alert: RiskAlert) -> list[User]:
    therapist = active_therapist_of(alert.patient)
    if is_active_clinician(therapist):
        return [therapist]
    return escalation_recipients()


def send_alert_notification(*, alert_id: int) -> bool:
    """Tell the care team of a new alert, once (the ladder's first step). True if this call sent
    it. Raises nothing: a failed delivery is retried by the sweep."""
    from . import ladder

    return ladder.run(alert_id=int(alert_id))["notified"] > 0


def notify_and_escalate_risk_alerts(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic, idempotent sweep (Celery beat and `manage.py outcomes_risk_sweep`): every
    step of every open alert that is due, exactly once; failed deliveries retried."""
    from . import ladder

    return ladder.run(now=now)


# The follow-up screener (C-SSRS) -------------------------------------------------------------


@transaction.atomic
def submit_screener(*, actor: User, alert_id: int, answers: Iterable[tuple[object, object]]) -> RiskAlert:
    """The patient's answers to the follow-up screen of their own alert: saved as a response, the
    triage level put on the alert (once). Raises PermissionDenied, AnswerErrors or ValidationError
    (nothing stored). The dashboards are rung again with the level; high shortens the escalation clock."""
    from .instruments.cssrs import SCREENER, skip_errors, triage

    alert = (
        RiskAlert.objects.select_for_update().select_related("patient").filter(pk=alert_id).first()
        if str(alert_id).isdigit()
        else None
    )
    if alert is None or not (is_patient(actor) and alert.patient_id == actor.pk):
        raise PermissionDenied
    if alert.screener_id is not None:
        raise ValidationError(_("These questions are already answered. Thank you."))
    valid = scoring.validate(SCREENER, answers)
    errors = skip_errors(valid)
    if errors:
        raise scoring.AnswerErrors(errors)
    response = QuestionnaireResponse.objects.create(
        patient=alert.patient,
        questionnaire=SCREENER.slug,
        answers=valid,
        language=answer_language(actor),
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    alert.screener = response
    alert.triage_level = triage(valid)
    alert.save(update_fields=["screener", "triage_level"])
    audit(actor=actor, action="outcomes.screener.submit", patient=alert.patient, obj=response)
    alert_pk = alert.pk  # the banner now says the level (high: urgent)
    transaction.on_commit(lambda: ring_dashboards(alert_pk), robust=True)
    return alert


# Clinician actions --------------------------------------------------------------------------


def _alert_for_clinician(actor: User, alert_id: int) -> RiskAlert:
    try:
        alert = RiskAlert.objects.select_for_update().select_related("patient").get(pk=alert_id)
    except (RiskAlert.DoesNotExist, ValueError, TypeError):
        raise PermissionDenied from None
    if not can_act_on_alert(actor, alert):
        raise PermissionDenied
    return alert


@transaction.atomic
def acknowledge_alert(*, actor: User, alert_id: int) -> RiskAlert:
    alert = _alert_for_clinician(actor, alert_id)
    if alert.is_open and alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit(actor=actor, action="outcomes.risk_alert.acknowledge", patient=alert.patient, obj=alert)
    return alert


def _form_errors(form: BaseForm) -> ValidationError:
    return ValidationError({name: [e["message"] for e in errs] for name, errs in form.errors.get_json_data().items()})


def _acknowledge_by_acting(alert: RiskAlert, actor: User, now: datetime) -> None:
    """Recording follow-up work on an alert acknowledges it (the clinician is on it)."""
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit(actor=actor, action="outcomes.risk_alert.acknowledge", patient=alert.patient, obj=alert)


@transaction.atomic
def record_contact_attempt(*, actor: User, alert_id: int, data: Any) -> ContactAttempt:
    """One try to reach the patient. Raises PermissionDenied or ValidationError (nothing saved)."""
    from .followup import AttemptForm

    alert = _alert_for_clinician(actor, alert_id)
    if not alert.is_open:
        raise ValidationError(_("This alert is already resolved."))
    form = AttemptForm(data, alert=alert)
    if not form.is_valid():
        raise _form_errors(form)
    attempt = ContactAttempt.objects.create(
        alert=alert,
        attempted_at=form.cleaned_data["attempted_at"],
        method=form.cleaned_data["method"],
        reached=form.cleaned_data["reached"],
        recorded_by=actor,
    )
    audit(actor=actor, action="outcomes.contact_attempt.create", patient=alert.patient, obj=attempt)
    _acknowledge_by_acting(alert, actor, timezone.now())
    return attempt


@transaction.atomic
def save_follow_up(*, actor: User, alert_id: int, data: Any) -> FollowUp:
    """The assessment, actions, hand-over and follow-up date (saved as far as filled in)."""
    from .followup import TEXT_FIELDS, FollowUpForm, text_context

    alert = _alert_for_clinician(actor, alert_id)
    if not alert.is_open:
        raise ValidationError(_("This alert is already resolved."))
    form = FollowUpForm(data)
    if not form.is_valid():
        raise _form_errors(form)
    values = form.cleaned_data
    row = FollowUp.objects.filter(alert=alert).first() or FollowUp(
        alert=alert, data_key=create_data_key(purpose="follow-up")
    )
    row.risk_level = values["risk_level"]
    row.actions = sorted(values["actions"])
    row.handover_service = values["handover_service"].strip()
    row.follow_up_on = values["follow_up_on"]
    row.updated_by, row.updated_at = actor, timezone.now()
    row.ciphertext = encrypt(
        row.data_key, json.dumps({n: values[n].strip() for n in TEXT_FIELDS}), context=text_context(row)
    )
    row.save()
    audit(actor=actor, action="outcomes.follow_up.save", patient=alert.patient, obj=alert)
    _acknowledge_by_acting(alert, actor, row.updated_at)
    return row


@transaction.atomic
def resolve_alert(*, actor: User, alert_id: int, note: str) -> RiskAlert:
    """Close an alert: a clinician who may act on it, with a note and a complete follow-up record.
    Nothing else closes one."""
    from .followup import load, missing

    alert = _alert_for_clinician(actor, alert_id)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write a note: what you did and what you decided.")]})
    if "\x00" in note:
        raise ValidationError({"note": [_("The note contains a character that is not allowed.")]})
    if not alert.is_open:
        raise ValidationError(_("This alert is already resolved."))
    gaps = missing(load(alert))
    if gaps:
        raise ValidationError({"follow_up": gaps})
    now = timezone.now()
    alert.status = RiskAlert.Status.RESOLVED
    alert.resolved_by = actor
    alert.resolved_at = now
    alert.resolution_note = note[:5000]
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.save()
    audit(actor=actor, action="outcomes.risk_alert.resolve", patient=alert.patient, obj=alert)
    return alert


def open_alert_count_for_therapist(therapist: User) -> int:
    """Hook for accounts: a therapist with open alerts among their patients cannot be deactivated."""
    ids = caseload_patient_ids(therapist)
    if not ids:
        return 0
    return RiskAlert.objects.filter(status=RiskAlert.Status.OPEN, patient_id__in=ids).count()


# Questionnaire reminders ----------------------------------------------------------------------
#
# Keyed in the program app's ReminderSent (reason "questionnaires", period "<occasion>:<due date>")
# before the e-mail goes out, so a scheduler that fires twice, or a retried task, sends at most
# once per patient, questionnaire and period. The patient's ReminderPreference decides: the
# "questionnaires" opt-out, and quiet hours (held, not recorded, so a later run sends it).
# The e-mail says only that a short check-in is waiting, and links to it.


def _questionnaire_reminder(questionnaire: str) -> tuple[str, str]:
    link = settings.SITE_URL + reverse("outcomes:questionnaire", args=[questionnaire])
    settings_link = settings.SITE_URL + reverse("modules:settings")
    subject = _("A short check-in is waiting for you in Paceway")
    body = _(
        "Hello,\n\nA short check-in is waiting for you in Paceway. It takes a few minutes:\n%(link)s\n\n"
        "You can change or turn off these reminders at any time:\n%(settings)s\n"
    ) % {"link": link, "settings": settings_link}
    return str(subject), body


def send_questionnaire_reminder(*, patient: User, questionnaire: str, period: str, now: datetime | None = None) -> bool:
    """One e-mail per patient, questionnaire and period, after commit (``paceway.mail_once``)."""
    from modules.program.models import ReminderReason, ReminderSent
    from modules.program.selectors import reminder_preference

    reason = ReminderReason.QUESTIONNAIRES
    return mail_once.send_once(
        recipient=patient,
        wishes=reminder_preference(patient),
        reason=reason,
        now=now,
        record=lambda: ReminderSent.objects.create(patient=patient, reason=reason, period=period[:60]),
        compose=lambda: _questionnaire_reminder(questionnaire),
    )


def send_questionnaire_reminders(*, now: datetime | None = None) -> int:
    """The periodic job: one e-mail per patient, questionnaire and period that is due now."""
    from modules.program.models import Enrolment

    from .selectors import due_questionnaires

    now = now or timezone.now()
    sent = 0
    enrolments = Enrolment.objects.filter(
        ended_at__isnull=True, patient__is_active=True, patient__role=Role.PATIENT
    ).select_related("patient")
    for enrolment in enrolments:
        patient = enrolment.patient
        for item in due_questionnaires(patient, now=now):
            if item.status != "due":
                continue
            sent += send_questionnaire_reminder(
                patient=patient,
                questionnaire=item.questionnaire,
                period=f"{item.key}:{item.due_on.isoformat()}",
                now=now,
            )
    return sent


@transaction.atomic
def save_clinic_profile(*, actor: User, profile: ClinicProfile) -> ClinicProfile:
    """An administrator saves a new version of the clinic's crisis resources, hours and ladder.
    Always a new row: the version patients were shown stays as it was. Audited."""
    from paceway.accounts.access import can_manage_accounts

    if not can_manage_accounts(actor):
        raise PermissionDenied("Only administrators edit the clinic profile")
    profile.pk = None
    profile._state.adding = True
    profile.created_by = actor
    profile.full_clean(exclude=["created_by"])
    profile.save()
    audit(actor=actor, action="outcomes.clinic_profile.save", obj=profile)
    return profile
