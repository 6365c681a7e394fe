"""Plain-language names for audit actions, as a patient reads them on "Who has seen my record".

An action without a name here is shown by its code: nothing audited is ever left out."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Promise] = {
    "account.mfa_reset": _("Reset your two-step verification"),
    "account.update": _("Changed your account details"),
    "admin.add": _("Added an item about you (administration)"),
    "admin.change": _("Changed an item about you (administration)"),
    "admin.delete": _("Deleted an item about you (administration)"),
    "assignment.create": _("Assigned a therapist to you"),
    "assignment.end": _("Ended a therapist's assignment"),
    "audit.report.patient": _("Made a privacy report of the accesses to your record"),
    "breakglass.close": _("Closed emergency (break-glass) access to your record"),
    "breakglass.open": _("Opened emergency (break-glass) access to your record"),
    "breakglass.read": _("Read your whole record under emergency (break-glass) access"),
    "caseload.read": _("Saw you on a caseload"),
    "clinical_note.create": _("Wrote a clinical note"),
    "clinical_note.read": _("Read clinical notes"),
    "diary.read": _("Read your diary"),
    "exercise.create": _("Saved an exercise"),
    "exercise.list.read": _("Read your exercises"),
    "exercise.read": _("Read an exercise"),
    "exercise.update": _("Changed an exercise"),
    "message.deliver": _("Received messages"),
    "message.list": _("Read messages"),
    "message.resume": _("Read messages"),
    "message.send": _("Sent a message"),
    "messages.erase": _("Erased the conversation"),
    "outcomes.contact.read": _("Read your contact details for emergencies"),
    "outcomes.contact.save": _("Saved your contact details for emergencies"),
    "outcomes.contact_attempt.create": _("Recorded an attempt to reach you"),
    "outcomes.discharge.export": _("Exported your end-of-program summary"),
    "outcomes.discharge.read": _("Read your end-of-program summary"),
    "outcomes.fhir.export": _("Exported your questionnaires (FHIR)"),
    "outcomes.follow_up.read": _("Read the follow-up of a safety alert"),
    "outcomes.follow_up.save": _("Recorded the follow-up of a safety alert"),
    "outcomes.progress.read": _("Read your progress"),
    "outcomes.response.amend": _("Amended a questionnaire"),
    "outcomes.response.read": _("Read a questionnaire"),
    "outcomes.response.submit": _("Submitted a questionnaire"),
    "outcomes.risk_alert.acknowledge": _("Acknowledged a safety alert"),
    "outcomes.risk_alert.create": _("A safety alert was raised"),
    "outcomes.risk_alert.create_from_text": _("A safety alert was raised from words you wrote"),
    "outcomes.risk_alert.escalated": _("A safety alert was escalated"),
    "outcomes.risk_alert.notified": _("Was notified of a safety alert"),
    "outcomes.risk_alert.read": _("Read a safety alert"),
    "outcomes.risk_alert.resolve": _("Followed up a safety alert"),
    "outcomes.safety_plan.read": _("Read your safety plan"),
    "outcomes.safety_plan.save": _("Saved your safety plan"),
    "outcomes.scores.read": _("Read your scores"),
    "outcomes.screener.submit": _("Submitted the screening questions"),
    "program.choose_module": _("Chose a module"),
    "program.end": _("Ended your program"),
    "program.enrol": _("Enrolled you in the program"),
    "program.home.read": _("Opened your program"),
    "program.module.read": _("Read a module"),
    "program.patient_work.read": _("Read your work"),
    "program.plan.read": _("Read your plan"),
    "program.progress.read": _("Read your progress"),
    "program.review.create": _("Recorded an end-of-program review"),
    "program.step.read": _("Read a step"),
    "program.step_complete": _("Completed a step"),
    "program.lesson_answers.saved": _("Answered the questions at the end of a lesson"),
    "program.tailor": _("Changed your plan"),
    "record.closure.request": _("Closed your account"),
    "record.correction.accept": _("Corrected your record"),
    "record.correction.disagree": _("Added a statement of disagreement"),
    "record.correction.refuse": _("Refused a correction, with reasons"),
    "record.correction.request": _("Asked for a correction"),
    "record.destroyed": _("Destroyed the record after the retention period"),
    "record.export": _("Generated a copy of your whole record"),
    "screening.consent.give": _("Gave consent"),
    "screening.consent.list": _("Read consents"),
    "screening.consent.read": _("Read your consent"),
    "screening.consent.withdraw": _("Withdrew consent"),
    "screening.decision.enrolled_on_assignment": _("Enrolled you after the screening decision"),
    "screening.intake.list": _("Saw your intake in a list"),
    "screening.intake.read": _("Read your intake"),
    "screening.intake.submit": _("Submitted the intake"),
    "screening.status.read": _("Read your screening status"),
    "screening.summary.read": _("Read your intake summary"),
    "weekly_review.save": _("Recorded a weekly review"),
}


def label(action: str) -> str:
    found = LABELS.get(action)
    if found is None and action.startswith("screening.decision."):
        found = _("Recorded the screening decision")
    if found is None and action.startswith("program.summary_consent."):
        found = _("Answered about sharing your program summary")
    return str(found) if found is not None else action
