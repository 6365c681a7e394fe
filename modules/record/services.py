"""Closing a patient's account, and destroying the record when the retention period has passed.

Retention: the record is kept ``RECORD_RETENTION_YEARS`` (default 10, Ontario practice for
adults: ten years after the last entry) after the last contact, which is the closure itself.

Destruction (``destroy_record``), in one transaction per patient:
- crypto-shredding: the patient's own data key (their free text: diary notes, exercise text and
  reflections, intake text), the conversation's key, and the keys of clinical notes and of the
  risk follow-up (contact details, safety plan) are destroyed;
- every row of the patient's clinical data is deleted (program, exercises and diary, intake and
  decision, consents, questionnaires, scores, alerts, messages, notes, reviews, reminders,
  assignments, break-glass records), and the account is anonymised (no e-mail, no name, no
  password, no authenticators, no sessions);
- kept, as the law requires: the audit events (who, whose id, what, when; never content), the
  anonymised user row they point to, the destroyed key rows and the closure row itself.

Backups (see deploy/README.md, "What happens to backups"): a backup taken before the destruction
still holds the sealed rows and, wrapped by a master key, the data keys. Once that backup expires
under its own retention and the master key that wrapped those keys is retired, the free text,
messages and notes are noise wherever a copy went (replicas, WAL archives, exports of a table).
Rows that hold no free text (dates, scores, choices) are readable in a backup until it expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.models import Conversation, Message, NotificationSent, ReadReceipt
from messaging.services import erase_conversation
from modules.outcomes.models import (
    AlertNotification,
    ContactAttempt,
    ContactDetails,
    FollowUp,
    QuestionnaireResponse,
    RiskAlert,
    SafetyPlan,
    Score,
)
from modules.program.models import Enrolment, ExerciseEntry, ReminderPreference, ReminderSent
from paceway.accounts.access import can_change_clinical
from paceway.accounts.language import in_language_of
from paceway.accounts.models import BreakGlassAccess, CareAssignment, MfaReset, User
from paceway.accounts.roles import is_patient, is_therapist
from paceway.audit.services import audit
from paceway.keyring.services import destroy_data_key, destroy_patient_key
from therapist.screening.models import Consent, Intake, ScreeningDecision
from therapist.workspace.models import ClinicalNote, WeeklyReview

from .models import AccountClosure, CorrectionRequest


def retention_years() -> int:
    return int(getattr(settings, "RECORD_RETENTION_YEARS", 10))


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


@transaction.atomic
def request_closure(*, actor: User, patient: User) -> AccountClosure:
    """The patient closes their account: it is deactivated now (sessions and sockets end) and
    the record is kept until the retention period after this last contact has passed."""
    if not is_patient(actor) or actor.pk != patient.pk:
        raise PermissionDenied("Only the patient closes their own account")
    if AccountClosure.objects.filter(patient_id=patient.pk).exists():
        raise ValidationError(_("This account is already closed."))
    now = timezone.now()
    closure = AccountClosure.objects.create(
        patient=patient, requested_at=now, last_contact_at=now, destroy_after=_years_after(now, retention_years())
    )
    audit(actor=actor, action="record.closure.request", patient=patient, obj=closure)
    patient.is_active = False
    patient.save(update_fields=["is_active"])  # messaging and alerts sockets close on commit
    return closure


def destroy_due(*, now: datetime | None = None) -> list[int]:
    """Destroy every record whose retention has passed; the patient ids destroyed."""
    now = now or timezone.now()
    due = AccountClosure.objects.filter(destroyed_at__isnull=True, destroy_after__lte=now).values_list("pk", flat=True)
    destroyed = []
    for closure_id in list(due):
        patient_id = destroy_record(closure_id=closure_id, now=now)
        if patient_id is not None:
            destroyed.append(patient_id)
    return destroyed


@transaction.atomic
def destroy_record(*, closure_id: int, now: datetime | None = None) -> int | None:
    """Destroy one patient's record (see the module's docstring). Idempotent."""
    now = now or timezone.now()
    closure = AccountClosure.objects.select_for_update().filter(pk=closure_id).first()
    if closure is None or closure.destroyed_at is not None or closure.destroy_after > now:
        return None
    patient = User.objects.select_for_update().get(pk=closure.patient_id)
    pid = patient.pk

    # Keys first: whatever copies exist are unreadable from here on.
    erase_conversation(patient=patient, actor=None)
    for note in ClinicalNote.objects.filter(patient_id=pid).select_related("data_key"):
        destroy_data_key(note.data_key)
    ClinicalNote.objects.filter(patient_id=pid).delete()

    conversation_ids = list(Conversation.objects.filter(patient_id=pid).values_list("pk", flat=True))
    Message.objects.filter(conversation_id__in=conversation_ids).delete()
    ReadReceipt.objects.filter(conversation_id__in=conversation_ids).delete()
    NotificationSent.objects.filter(conversation_id__in=conversation_ids).delete()
    ReadReceipt.objects.filter(user_id=pid).delete()

    WeeklyReview.objects.filter(patient_id=pid).delete()
    # Risk follow-up (issue 10): sealed rows lose their keys first, then every row goes.
    for sealed in (ContactDetails, FollowUp, SafetyPlan):
        rows = sealed.objects.filter(**({"alert__patient_id": pid} if sealed is FollowUp else {"patient_id": pid}))
        for row in rows.select_related("data_key"):
            destroy_data_key(row.data_key)
        rows.delete()
    ContactAttempt.objects.filter(alert__patient_id=pid).delete()
    AlertNotification.objects.filter(alert__patient_id=pid).delete()
    RiskAlert.objects.filter(patient_id=pid).delete()
    ScreeningDecision.objects.filter(intake__patient_id=pid).delete()
    Intake.objects.filter(patient_id=pid).delete()
    Consent.objects.filter(patient_id=pid).delete()
    Score.objects.filter(patient_id=pid).delete()
    responses = QuestionnaireResponse.objects.filter(patient_id=pid)
    while responses.exists():  # corrections first: an amendment protects what it amends
        responses.exclude(pk__in=responses.filter(amends__isnull=False).values("amends_id")).delete()
    ExerciseEntry.objects.filter(patient_id=pid, parent__isnull=False).delete()
    ExerciseEntry.objects.filter(patient_id=pid).delete()
    Enrolment.objects.filter(patient_id=pid).delete()  # plans, plan changes, completions cascade
    ReminderPreference.objects.filter(patient_id=pid).delete()
    ReminderSent.objects.filter(patient_id=pid).delete()
    CareAssignment.objects.filter(patient_id=pid).delete()
    BreakGlassAccess.objects.filter(patient_id=pid).delete()
    CorrectionRequest.objects.filter(patient_id=pid).delete()
    MfaReset.objects.filter(user_id=pid).delete()
    # Their free text (diary notes, exercise text, intake text; paceway.keyring.fields): the key
    # goes last, in the same transaction, because deleting a row reads it.
    destroy_patient_key(pid)
    _anonymise(patient)

    closure.destroyed_at = now
    closure.save(update_fields=["destroyed_at"])
    audit(actor=None, action="record.destroyed", patient=pid, obj=closure)
    return pid


def _anonymise(patient: User) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user_id=patient.pk).delete()
    Authenticator.objects.filter(user_id=patient.pk).delete()
    for session in Session.objects.all().iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(patient.pk):
            session.delete()
    patient.email = f"closed-{patient.pk}@invalid"
    patient.display_name = ""
    patient.is_active = False
    patient.set_unusable_password()
    patient.save(update_fields=["email", "display_name", "is_active", "password"])


# Corrections ------------------------------------------------------------------------------------

CORRECTION_DAYS = 30


@transaction.atomic
def request_correction(
    *,
    actor: User,
    patient: User,
    item: str = "",
    correction: str,
    item_kind: str = CorrectionRequest.ItemKind.OTHER,
    item_id: int | None = None,
) -> CorrectionRequest:
    """The patient asks for a correction of one item of their record (``item_kind``/``item_id``,
    one of ``selectors.item_choices``) or of something else they describe (``item``)."""
    from .selectors import describe_item

    if not is_patient(actor) or actor.pk != patient.pk:
        raise PermissionDenied("Only the patient asks for a correction of their record")
    item, correction = (item or "").strip(), (correction or "").strip()
    named = describe_item(patient, item_kind, item_id)
    if named is None:
        raise ValidationError(_("Choose an item of your record."))
    item = item or named
    if not item or not correction:
        raise ValidationError(_("Say what should be corrected and what it should say."))
    now = timezone.now()
    request = CorrectionRequest.objects.create(
        patient=patient,
        item_kind=item_kind,
        item_id=item_id if item_kind != CorrectionRequest.ItemKind.OTHER else None,
        item=item[:300],
        correction=correction,
        requested_at=now,
        due_at=now + timedelta(days=CORRECTION_DAYS),
    )
    audit(actor=actor, action="record.correction.request", patient=patient, obj=request)
    transaction.on_commit(partial(_tell_care_team_of_correction, request.pk))
    return request


def _decidable(actor: User, request_id: int) -> CorrectionRequest:
    request = CorrectionRequest.objects.select_for_update().filter(pk=request_id).select_related("patient").first()
    if request is None or not can_change_clinical(actor, request.patient) or not is_therapist(actor):
        raise PermissionDenied("Only a clinician on the care team answers a correction request")
    if request.status != CorrectionRequest.Status.OPEN:
        raise ValidationError(_("This request has already been answered."))
    return request


def _decide(*, actor: User, request_id: int, status: str, field: str, text: str, missing: str) -> CorrectionRequest:
    """Answer an open request: its status, the answer's text in ``field``, who and when; audited."""
    request = _decidable(actor, request_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError(missing)
    request.status = status
    setattr(request, field, text)
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", field, "decided_by", "decided_at"])
    audit(actor=actor, action=f"record.correction.{ANSWER_ACTIONS[status]}", patient=request.patient, obj=request)
    return request


ANSWER_ACTIONS: dict[str, str] = {
    CorrectionRequest.Status.ACCEPTED: "accept",
    CorrectionRequest.Status.REFUSED: "refuse",
}


@transaction.atomic
def accept_correction(*, actor: User, request_id: int, amendment: str) -> CorrectionRequest:
    """Record the amendment; the original entry is never changed or deleted."""
    return _decide(
        actor=actor,
        request_id=request_id,
        status=CorrectionRequest.Status.ACCEPTED,
        field="amendment",
        text=amendment,
        missing=_("Write the amendment that will be added to the record."),
    )


@transaction.atomic
def refuse_correction(*, actor: User, request_id: int, reason: str) -> CorrectionRequest:
    """Refuse with reasons the patient reads; they may then attach a statement of disagreement."""
    return _decide(
        actor=actor,
        request_id=request_id,
        status=CorrectionRequest.Status.REFUSED,
        field="refusal_reason",
        text=reason,
        missing=_("Give the reasons for refusing; the patient will read them."),
    )


@transaction.atomic
def add_disagreement(*, actor: User, request_id: int, statement: str) -> CorrectionRequest:
    """After a refusal, the patient's statement of disagreement, kept with the item."""
    request = CorrectionRequest.objects.select_for_update().filter(pk=request_id, patient_id=actor.pk).first()
    if request is None or not is_patient(actor):
        raise PermissionDenied("Only the patient states their disagreement")
    if request.status != CorrectionRequest.Status.REFUSED:
        raise ValidationError(_("A statement of disagreement follows a refused request."))
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError(_("Write your statement."))
    request.disagreement, request.disagreement_at = statement, timezone.now()
    request.save(update_fields=["disagreement", "disagreement_at"])
    audit(actor=actor, action="record.correction.disagree", patient=actor, obj=request)
    return request


def _tell_care_team_of_correction(request_id: int) -> None:
    from django.core.mail import send_mail

    from paceway.accounts.access import active_therapist_of

    request = CorrectionRequest.objects.select_related("patient").get(pk=request_id)
    therapist = active_therapist_of(request.patient)
    if therapist is None:
        return
    with in_language_of(therapist):
        body = _(
            "A patient on your caseload (number %(patient)d) asked for a correction of their record. "
            "Answer it in Paceway by %(due)s."
        ) % {"patient": request.patient_id, "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d")}
        send_mail(str(_("A correction request")), body, None, [therapist.email])
