"""Closing a patient's account, and destroying the record when the retention period has passed.

Retention: the record is kept ``RECORD_RETENTION_YEARS`` (default 10, Ontario practice for
adults: ten years after the last entry) after the last contact, which is the closure itself.

Destruction (``destroy_record``), in one transaction per patient:
- crypto-shredding: the conversation's data key and each clinical note's data key are destroyed
  (every copy of that ciphertext, in backups too, is noise from then on);
- every row of the patient's clinical data is deleted (program, exercises and diary, intake and
  decision, consents, questionnaires, scores, alerts, messages, notes, reviews, reminders,
  assignments, break-glass records), and the account is anonymised (no e-mail, no name, no
  password, no authenticators, no sessions);
- kept, as the law requires: the audit events (who, whose id, what, when; never content), the
  anonymised user row they point to, the destroyed key rows and the closure row itself.

Backups: plaintext rows deleted here stay in database backups until those backups expire under
their own retention; the shredded keys make the messages and notes in them unreadable at once.
Free text not yet sealed (diary notes, exercise text, intake text) is only gone from backups when
they expire (see the deployment notes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.models import Conversation, Message, NotificationSent, ReadReceipt
from messaging.services import erase_conversation
from modules.models import Enrolment, ExerciseEntry, ReminderPreference, ReminderSent
from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score
from paceway.accounts.models import BreakGlassAccess, CareAssignment, MfaReset, User
from paceway.accounts.roles import is_patient
from paceway.audit.services import audit
from paceway.keyring.services import destroy_data_key
from therapist.models import ClinicalNote, WeeklyReview
from therapist.screening.models import Consent, Intake, ScreeningDecision

from .models import AccountClosure


def retention_years() -> int:
    return int(getattr(settings, "RECORD_RETENTION_YEARS", 10))


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


@transaction.atomic
def request_closure(*, actor: Any, patient: Any) -> AccountClosure:
    """The patient closes their account: it is deactivated now (sessions and sockets end) and
    the record is kept until the retention period after this last contact has passed."""
    if not is_patient(actor) or actor.pk != patient.pk:
        raise PermissionError("Only the patient closes their own account")
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
    MfaReset.objects.filter(user_id=pid).delete()
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
