"""The health-data reads behind the therapist's pages, each audited in its own transaction
(``paceway.audit.reads``). Access is decided by the caller before it asks."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import get_language

from paceway.accounts.models import User
from paceway.audit.reads import audited_read
from paceway.audit.services import audit

from . import selectors


@audited_read("caseload.read")
def caseload(*, viewer: User, query: str = "") -> list[selectors.CaseloadRow]:
    return selectors.caseload(viewer, query=query)


@audited_read("messages.inbox.read")
def inbox(*, viewer: User) -> list[selectors.InboxRow]:
    return selectors.inbox(viewer)


def patient_record(*, viewer: User, patient: User) -> dict[str, Any]:
    """Everything at a glance on one page: private notes, contact details, and each app's part
    read through its own selectors, audited like the full pages it links to."""
    from messaging.selectors import recent_messages
    from modules.outcomes.charts import patient_charts
    from modules.outcomes.contact import contact_details
    from modules.program import selectors as program
    from modules.program.languages import content_language
    from therapist.screening.selectors import any_active_consent, latest_intake

    record: dict[str, Any] = {}
    with transaction.atomic():
        record["notes"] = selectors.clinical_notes(patient)
        audit(actor=viewer, action="clinical_note.read", patient=patient, savepoint=False)
        record["contact"] = contact_details(viewer=viewer, patient=patient)  # audits itself
        enrolment = program.active_enrolment(patient)
        language = content_language(get_language())
        record["overview"] = program.program_overview(enrolment, language=language) if enrolment else None
        record["program_reviews"] = program.program_reviews(enrolment) if enrolment else []
        record["program_review_due"] = enrolment is not None and program.review_due(
            program.modules_completed(enrolment), [r.after_module for r in record["program_reviews"]]
        )
        record["diary"] = program.entries_for(patient, kind="pain_diary", limit=7)
        audit(
            actor=viewer,
            action="program.patient_work.read",
            patient=patient,
            object_type="ExerciseEntry",
            savepoint=False,
        )
        record["charts"] = patient_charts(patient)
        audit(actor=viewer, action="outcomes.scores.read", patient=patient, savepoint=False)
        record["recent_messages"] = recent_messages(user=viewer, patient=patient, limit=5).messages
        record["intake"] = latest_intake(patient)
        record["consent"] = any_active_consent(patient)
        if record["intake"] is not None:
            audit(actor=viewer, action="screening.summary.read", patient=patient, obj=record["intake"], savepoint=False)
    return record
