"""The health-data reads behind the outcome pages and the FHIR API, each audited in its own
transaction (``paceway.audit.reads``). Access is decided by the caller (``access``) before it asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from paceway.accounts.access import can_view_clinical
from paceway.accounts.models import User
from paceway.audit.reads import audited_read
from paceway.audit.services import audit

from . import contact, evaluation, selectors
from .access import can_act_on_alert
from .charts import patient_charts
from .discharge import DischargeSummary, discharge_document, discharge_summary
from .fhir import patient_bundle
from .models import QuestionnaireResponse, RiskAlert


@dataclass(frozen=True)
class ScoresPage:
    charts: Any
    due: list[selectors.DueItem]
    upcoming: selectors.DueItem | None = None
    open_alerts: list[RiskAlert] = field(default_factory=list)


@audited_read("outcomes.progress.read")
def own_progress(*, viewer: User, patient: User) -> ScoresPage:
    """The patient's own charts, with what is due now and the next questionnaire to come."""
    schedule = selectors.due_questionnaires(patient)
    return ScoresPage(
        charts=patient_charts(patient),
        due=[item for item in schedule if item.status in ("due", "overdue")],
        upcoming=next((item for item in schedule if item.status == "upcoming"), None),
    )


@audited_read("outcomes.scores.read")
def clinical_scores(*, viewer: User, patient: User) -> ScoresPage:
    """A clinician's view: every due item, and the patient's open risk alerts."""
    return ScoresPage(
        charts=patient_charts(patient),
        due=selectors.due_questionnaires(patient),
        open_alerts=selectors.open_alerts_for_patient(patient.pk),
    )


@audited_read("outcomes.fhir.export")
def fhir_bundle(*, viewer: User, patient: User) -> dict[str, Any]:
    return patient_bundle(patient)


@audited_read("outcomes.discharge.read")
def discharge(*, viewer: User, patient: User) -> DischargeSummary:
    return discharge_summary(patient)


def physician_document(*, viewer: User, patient: User) -> dict[str, Any] | None:
    """The FHIR discharge document, or None while the patient has not agreed to share it (then
    nothing is read beyond the consent, and nothing is exported)."""
    with transaction.atomic():
        summary = discharge_summary(patient)
        if not summary.shared_with_physician:
            return None
        audit(actor=viewer, action="outcomes.discharge.export", patient=patient, savepoint=False)
        return discharge_document(summary)


@audited_read("outcomes.response.read", obj=lambda answers: answers.response)
def own_answers(*, viewer: User, patient: User, response: QuestionnaireResponse) -> _Answers:
    """A patient's earlier answers, as form values, to correct them."""
    return _Answers(response, {code: str(value) for code, value in response.answers.items()})


@dataclass(frozen=True)
class _Answers:
    response: QuestionnaireResponse
    posted: dict[str, str]


@audited_read("outcomes.evaluation.read")
def program_evaluation(*, viewer: User) -> evaluation.Report:
    """Aggregates only (small cells protected), still a read of everyone's data: audited."""
    return evaluation.program_evaluation()


@audited_read("outcomes.evaluation.export")
def program_evaluation_csv(*, viewer: User) -> str:
    return evaluation.report_csv(evaluation.program_evaluation())


@dataclass(frozen=True)
class AlertRow:
    alert: RiskAlert
    can_act: bool
    risk_answer: Any = ""
    contact: contact.Contact | None = None
    can_message: bool = False


@dataclass(frozen=True)
class AlertQueues:
    mine: list[AlertRow]
    fallback: list[AlertRow]
    escalated: list[AlertRow]
    resolved: list[RiskAlert]


def _all_alerts(queues: AlertQueues) -> list[RiskAlert]:
    rows = [*queues.mine, *queues.fallback, *queues.escalated]
    return [row.alert for row in rows] + queues.resolved


@audited_read("outcomes.risk_alert.read", each=_all_alerts)
def alert_queues(*, viewer: User, clinical: bool) -> AlertQueues:
    """The alert lists a therapist or administrator sees; contact details are read (and audited)
    only on the rows the viewer can act on."""
    lists = selectors.alerts_for(viewer)
    return AlertQueues(
        mine=_alert_rows(lists.mine, viewer=viewer, clinical=clinical),
        fallback=_alert_rows(lists.fallback, viewer=viewer, clinical=clinical),
        escalated=_alert_rows(lists.escalated, viewer=viewer, clinical=clinical),
        resolved=lists.resolved,
    )


def _alert_rows(alerts: list[RiskAlert], *, viewer: User, clinical: bool) -> list[AlertRow]:
    from .instruments import PHQ9, RISK_ITEM

    item = PHQ9.items_by_code[RISK_ITEM]
    rows = []
    for alert in alerts:
        risk_answer: Any = ""
        if clinical and alert.response is not None:
            value = alert.response.answers.get(RISK_ITEM)
            risk_answer = item.option(int(value)).label if value is not None else ""
        if not can_act_on_alert(viewer, alert):
            rows.append(AlertRow(alert, False, risk_answer))
            continue
        details = contact.contact_details(viewer=viewer, patient=alert.patient, alert=alert)
        rows.append(AlertRow(alert, True, risk_answer, details, can_view_clinical(viewer, alert.patient)))
    return rows


def follow_up_record(*, viewer: User, alert: RiskAlert) -> tuple[Any, contact.Contact | None]:
    """An alert's follow-up record and the patient's contact details, read together (each read
    audits itself: ``followup.read_record`` and ``contact.contact_details``)."""
    from .followup import read_record

    with transaction.atomic():
        return read_record(viewer=viewer, alert=alert), contact.contact_details(
            viewer=viewer, patient=alert.patient, alert=alert
        )
