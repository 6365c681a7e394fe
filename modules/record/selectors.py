"""Reads for the patient's own record: the access log and the whole record.

- ``access_log``: every audit event whose subject is the patient (who, in what role, did what,
  when), exactly the rows of the audit chain, filtered by date and person.
- ``whole_record``: everything Paceway holds about the patient, as plain data (the JSON export;
  the HTML export renders the same dict). ``export_record`` audits the export, then builds it,
  in one transaction: no audit, no record. The JSON layout is ``record.schema.json`` (JSON
  Schema, draft 2020-12); questionnaires are also given as a FHIR R4 Bundle
  (``modules.outcomes.fhir``).

What is not in the export: the therapist's private clinical notes (``therapist.ClinicalNote``),
which PHIPA lets a clinic review before release; a patient asks the privacy contact for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from messaging import selectors as messaging_selectors
from messaging.models import Conversation, Message
from modules.outcomes import contact
from modules.outcomes import selectors as outcomes
from modules.outcomes.fhir import patient_bundle
from modules.outcomes.instruments import SCALES, get_questionnaire
from modules.outcomes.models import ContactDetails, QuestionnaireResponse, RiskAlert, Score
from modules.program.forms import labelled_fields
from modules.program.models import Enrolment, ExerciseEntry, LessonAnswer, StepCompletion, TailoringEvent
from modules.program.quizzes import quiz_for
from paceway.accounts.access import can_change_clinical, caseload_patient_ids
from paceway.accounts.models import BreakGlassAccess, CareAssignment, User
from paceway.accounts.roles import Role, is_therapist
from paceway.audit.models import AuditEvent
from paceway.audit.services import audit
from therapist.screening.models import Consent, Intake, ScreeningDecision
from therapist.workspace.models import WeeklyReview

from . import actions
from .models import CorrectionRequest

FORMAT = "paceway-record"
FORMAT_VERSION = 1
MESSAGE_PAGE = 200


# Who has seen my record ---------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    at: datetime
    actor_id: int | None
    who: str
    role: str
    action: str
    what: str
    object_type: str
    object_id: str
    event_id: int


def access_events(
    patient_id: int, *, since: date | None = None, until: date | None = None, actor_id: int | None = None
) -> QuerySet[AuditEvent]:
    """The audit events about this patient, newest first, within [since, until] (local dates)."""
    events = AuditEvent.objects.filter(patient_id=patient_id)
    if since is not None:
        events = events.filter(created_at__gte=_start_of(since))
    if until is not None:
        events = events.filter(created_at__lt=_start_of(until + timedelta(days=1)))
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    return events.order_by("-created_at", "-id")


def actor_events(actor_id: int, *, since: date, until: date) -> QuerySet[AuditEvent]:
    """Everything one person did or read, within [since, until] (local dates), oldest first."""
    return AuditEvent.objects.filter(
        actor_id=actor_id, created_at__gte=_start_of(since), created_at__lt=_start_of(until + timedelta(days=1))
    ).order_by("created_at", "id")


def audit_report(*, actor: User, subject: str, person_id: int, since: date, until: date) -> Iterable[list[Any]]:
    """A privacy officer's CSV rows (header first): every access to one patient's record, or
    everything one person accessed, over a period. Making the report is audited. Ids, names,
    roles, actions and times only: no health data."""
    if subject == "patient":
        events = access_events(person_id, since=since, until=until).order_by("created_at", "id")
        audit(actor=actor, action="audit.report.patient", patient=person_id, object_type="audit_report")
    else:
        events = actor_events(person_id, since=since, until=until)
        audit(actor=actor, action="audit.report.user", object_type="user", object_id=person_id)
    yield [
        "event_id",
        "created_at",
        "actor_id",
        "actor_name",
        "actor_role",
        "patient_id",
        "action",
        "object_type",
        "object_id",
        "client_ip",
        "request_id",
    ]
    rows = list(events)
    names = _names({e.actor_id for e in rows if e.actor_id is not None})
    for e in rows:
        yield [
            e.pk,
            e.created_at.isoformat(),
            e.actor_id or "",
            names.get(e.actor_id or 0, ""),
            e.actor_role,
            e.patient_id or "",
            e.action,
            e.object_type,
            e.object_id,
            e.client_ip,
            e.request_id,
        ]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log(patient: User, events: Iterable[AuditEvent]) -> list[Access]:
    """Rows to show: the person's name and role (as recorded at the time), in plain language."""
    rows = list(events)
    names = _names({e.actor_id for e in rows if e.actor_id is not None})
    out = []
    for event in rows:
        if event.actor_id is None:
            who = str(_("Paceway (automatic)"))
        elif event.actor_id == patient.pk:
            who = str(_("You"))
        else:
            who = names.get(event.actor_id, str(_("A removed account")))
        out.append(
            Access(
                at=event.created_at,
                actor_id=event.actor_id,
                who=who,
                role=_role_label(event.actor_role),
                action=event.action,
                what=actions.label(event.action),
                object_type=event.object_type,
                object_id=event.object_id,
                event_id=event.pk,
            )
        )
    return out


def access_people(patient: User) -> list[tuple[int, str]]:
    """(actor id, name) of everyone with an event about this patient, for the filter."""
    ids: set[int] = {
        int(pk)
        for pk in AuditEvent.objects.filter(patient_id=patient.pk, actor_id__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
        if pk is not None
    }
    names = _names(ids)
    people = [(pk, str(_("You")) if pk == patient.pk else names.get(pk, str(_("A removed account")))) for pk in ids]
    return sorted(people, key=lambda p: (p[0] != patient.pk, p[1].lower()))


def _names(ids: set[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=ids).only("id", "display_name", "email")
    return {u.pk: u.name for u in users}


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role or ""


# Break-glass ------------------------------------------------------------------------------------


def break_glass_on(patient: User) -> list[BreakGlassAccess]:
    """Every break-glass access ever opened to this patient's record, newest first."""
    return list(BreakGlassAccess.objects.filter(patient_id=patient.pk).select_related("actor"))


def break_glass_by(actor: User) -> list[BreakGlassAccess]:
    return list(BreakGlassAccess.objects.filter(actor_id=actor.pk).select_related("patient")[:50])


def open_break_glass(actor: User, access_id: int) -> BreakGlassAccess:
    """The actor's own access, while it is open; ``Http404`` otherwise (expired, closed, not theirs)."""
    access = BreakGlassAccess.objects.filter(pk=access_id, actor_id=actor.pk).select_related("patient").first()
    if access is None or not access.is_open():
        raise Http404
    return access


# Corrections ------------------------------------------------------------------------------------


def corrections_of(patient: User) -> list[CorrectionRequest]:
    return list(CorrectionRequest.objects.filter(patient_id=patient.pk).select_related("decided_by"))


def corrections_to_answer(therapist: User) -> list[CorrectionRequest]:
    patient_ids = caseload_patient_ids(therapist)
    return list(
        CorrectionRequest.objects.filter(patient_id__in=patient_ids, status=CorrectionRequest.Status.OPEN)
        .select_related("patient")
        .order_by("due_at")
    )


def correction_for_clinician(user: User, request_id: int) -> CorrectionRequest:
    """The request, when ``user`` is a therapist on that patient's care team; else ``Http404``."""
    request = CorrectionRequest.objects.filter(pk=request_id).select_related("patient").first()
    if request is None or not is_therapist(user) or not can_change_clinical(user, request.patient):
        raise Http404
    return request


# The items a correction can be about -------------------------------------------------------------

Kind = CorrectionRequest.ItemKind


def item_choices(patient: User) -> list[tuple[str, str]]:
    """("kind:id", what the patient sees) for each item of their record a correction can name:
    their entries, questionnaires, messages, contact details and intakes, newest first. Dates,
    kinds and senders only, no content (nothing is decrypted to list them)."""
    choices: list[tuple[str, str]] = []
    for e in (
        ExerciseEntry.objects.filter(patient=patient).only("id", "kind", "entry_date").order_by("-entry_date", "-id")
    ):
        choices.append((f"{Kind.EXERCISE}:{e.pk}", f"{e.get_kind_display()}, {e.entry_date:%Y-%m-%d}"))
    for r in QuestionnaireResponse.objects.filter(patient=patient).order_by("-submitted_at", "-id"):
        title = str(getattr(get_questionnaire(r.questionnaire), "title", r.questionnaire))
        choices.append((f"{Kind.QUESTIONNAIRE}:{r.pk}", f"{title}, {timezone.localtime(r.submitted_at):%Y-%m-%d}"))
    for m in (
        Message.objects.filter(conversation__patient_id=patient.pk)
        .select_related("sender")
        .only("id", "seq", "created_at", "sender__display_name", "sender__email")
        .order_by("-created_at", "-id")
    ):
        when = timezone.localtime(m.created_at)
        choices.append(
            (
                f"{Kind.MESSAGE}:{m.seq}",
                _("Message from %(who)s, %(when)s") % {"who": m.sender.name, "when": f"{when:%Y-%m-%d %H:%M}"},
            )
        )
    for c in ContactDetails.objects.filter(patient_id=patient.pk).only("id", "saved_at"):
        choices.append(
            (
                f"{Kind.CONTACT}:{c.pk}",
                _("Contact details saved %(when)s") % {"when": f"{timezone.localtime(c.saved_at):%Y-%m-%d}"},
            )
        )
    for i in Intake.objects.filter(patient=patient).only("id", "submitted_at").order_by("-submitted_at"):
        choices.append(
            (
                f"{Kind.INTAKE}:{i.pk}",
                _("Intake of %(when)s") % {"when": f"{timezone.localtime(i.submitted_at):%Y-%m-%d}"},
            )
        )
    return choices


def describe_item(patient: User, kind: str, item_id: int | None) -> str | None:
    """How the item is named, when it is one of this patient's; None otherwise (never another's)."""
    if kind == Kind.OTHER:
        return ""
    wanted = f"{kind}:{item_id}"
    return next((label for value, label in item_choices(patient) if value == wanted), None)


def _corrections_by_item(patient: User) -> dict[tuple[str, int], list[dict[str, Any]]]:
    by_item: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for c in _corrections(patient):
        if c["item_id"] is not None:
            by_item.setdefault((c["item_kind"], c["item_id"]), []).append(c)
    return by_item


def _corrections(patient: User) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "item_kind": c.item_kind,
            "item_id": c.item_id,
            "item": c.item,
            "correction": c.correction,
            "requested_at": _iso(c.requested_at),
            "due_at": _iso(c.due_at),
            "status": c.status,
            "decided_by": _person(c.decided_by),
            "decided_at": _iso(c.decided_at),
            "amendment": c.amendment,
            "refusal_reason": c.refusal_reason,
            "disagreement": c.disagreement,
            "disagreement_at": _iso(c.disagreement_at),
        }
        for c in CorrectionRequest.objects.filter(patient_id=patient.pk)
        .select_related("decided_by")
        .order_by("requested_at", "id")
    ]


# The whole record ---------------------------------------------------------------------------


def export_record(*, actor: User, patient: User, fmt: str) -> dict[str, Any]:
    """Audit the export (one event), then build it, in one transaction. The patient exports
    their own; anyone else reads it under break-glass (the caller checked it is open)."""
    action = "record.export" if actor.pk == patient.pk else "breakglass.read"
    with transaction.atomic():
        audit(actor=actor, action=action, patient=patient, object_type="record", object_id=fmt)
        return whole_record(patient)


def whole_record(patient: User) -> dict[str, Any]:
    """Everything held about the patient, as JSON-ready data (see ``record.schema.json``). Each
    item a correction names carries it (``corrections``): the amendment, or the refusal and the
    patient's statement of disagreement, travel with that item."""
    record: dict[str, Any] = {
        "$schema": f"{settings.SITE_URL}{reverse('record:schema')}",
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "profile": _profile(patient),
        "care_team": _care_team(patient),
        "intakes": [_intake(i) for i in Intake.objects.filter(patient=patient).order_by("submitted_at", "id")],
        "consents": _consents(patient),
        "enrolments": [_enrolment(e) for e in Enrolment.objects.filter(patient=patient).select_related("program")],
        "exercises": _exercises(patient),
        "questionnaires": _questionnaires(patient),
        "score_changes": _score_changes(patient),
        "messages": _messages(patient),
        "alerts": _alerts(patient),
        "weekly_reviews": _weekly_reviews(patient),
        "corrections": _corrections(patient),
        "contact_details": _contact_details(patient),
        "fhir": patient_bundle(patient),
    }
    by_item = _corrections_by_item(patient)
    for key, kind, id_key in (
        ("exercises", Kind.EXERCISE, "id"),
        ("questionnaires", Kind.QUESTIONNAIRE, "id"),
        ("contact_details", Kind.CONTACT, "id"),
        ("intakes", Kind.INTAKE, "id"),
    ):
        for item in record[key]:
            item["corrections"] = by_item.get((kind, item[id_key]), [])
    for message in record["messages"]["items"]:
        message["corrections"] = by_item.get((Kind.MESSAGE, message["seq"]), [])
    return record


def _contact_details(patient: User) -> list[dict[str, Any]]:
    """Every version of the contact details the patient saved, newest first, decrypted (the
    export's one audit event covers reading them)."""
    out = []
    labels = {name: str(field.label) for name, field in contact.ContactForm.base_fields.items()}
    for row in ContactDetails.objects.filter(patient_id=patient.pk).select_related("data_key"):
        values = contact.opened(row)
        out.append(
            {
                "id": row.pk,
                "saved_at": _iso(row.saved_at),
                "fields": [
                    {"field": name, "label": labels.get(name, name), "value": _iso(values.get(name))}
                    for name in contact.FIELDS
                ],
            }
        )
    return out


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.name, "role": _role_label(str(user.role))}


def _profile(patient: User) -> dict[str, Any]:
    return {
        "id": patient.pk,
        "name": patient.display_name,
        "email": patient.email,
        "preferred_language": patient.preferred_language,
        "date_joined": _iso(patient.date_joined),
        "is_active": patient.is_active,
    }


def _care_team(patient: User) -> list[dict[str, Any]]:
    rows = CareAssignment.objects.filter(patient=patient).select_related("therapist").order_by("assigned_at", "id")
    return [
        {
            "therapist": _person(a.therapist),
            "assigned_at": _iso(a.assigned_at),
            "reason": a.reason,
            "ended_at": _iso(a.ended_at),
            "end_reason": a.end_reason,
        }
        for a in rows
    ]


def _fields(obj: models.Model, *, skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every concrete, non-relation field as (field, label, value, shown): the stored value
    and, for choices and yes/no, what it means."""
    out = []
    for field in obj._meta.concrete_fields:
        if field.name in {"id", *skip} or field.is_relation:
            continue
        value = getattr(obj, field.attname)
        shown: Any = value
        if field.choices and value not in (None, ""):
            shown = str(dict(field.flatchoices).get(value, value))
        elif isinstance(value, bool):
            shown = str(_("Yes") if value else _("No"))
        out.append({"field": field.name, "label": str(field.verbose_name), "value": _iso(value), "shown": _iso(shown)})
    return out


def _intake(intake: Intake) -> dict[str, Any]:
    decision = ScreeningDecision.objects.filter(intake=intake).select_related("therapist").first()
    return {
        "id": intake.pk,
        "submitted_at": _iso(intake.submitted_at),
        "answers": _fields(intake, skip={"submitted_at"}),
        "baseline_response_ids": [r.pk for r in intake.baseline_responses],
        "decision": None
        if decision is None
        else {
            "decision": decision.decision,
            "decision_label": str(decision.get_decision_display()),
            "by": _person(decision.therapist),
            "decided_at": _iso(decision.decided_at),
            "rationale": decision.rationale,
            "goals_and_preferences": decision.goals_and_preferences,
            "explanation": decision.explanation,
        },
    }


def _consents(patient: User) -> list[dict[str, Any]]:
    rows = Consent.objects.filter(patient=patient).select_related("consent_text").order_by("given_at", "id")
    return [
        {
            "version": c.consent_text.version,
            "text": c.consent_text.text,
            "given_at": _iso(c.given_at),
            "withdrawn_at": _iso(c.withdrawn_at),
        }
        for c in rows
    ]


def _enrolment(enrolment: Enrolment) -> dict[str, Any]:
    plans = enrolment.plans.select_related("module").order_by("position", "id")
    changes = (
        TailoringEvent.objects.filter(enrolment=enrolment)
        .select_related("module", "actor")
        .order_by("created_at", "id")
    )
    steps = (
        StepCompletion.objects.filter(enrolment=enrolment).select_related("step__module").order_by("completed_at", "id")
    )
    return {
        "id": enrolment.pk,
        "program": _shown(enrolment.program).title,
        "program_version": enrolment.program.version,
        "start_date": _iso(enrolment.start_date),
        "enrolled_at": _iso(enrolment.enrolled_at),
        "ended_at": _iso(enrolment.ended_at),
        "plan": [
            {
                "module": _shown(p.module).title,
                "position": p.position,
                "included": p.included,
                "chosen_by_patient": p.chosen_by_patient,
                "open_early": p.open_early,
                "held": p.held,
                "extra_days": p.extra_days,
                "note": p.note,
                "completed_at": _iso(p.completed_at),
            }
            for p in plans
        ],
        "plan_changes": [
            {
                "at": _iso(t.created_at),
                "module": _shown(t.module).title,
                "action": t.action,
                "action_label": str(t.get_action_display()),
                "reason": t.reason,
                "by": _person(t.actor),
            }
            for t in changes
        ],
        "steps_completed": [
            {"module": _shown(s.step.module).title, "step": _shown(s.step).title, "completed_at": _iso(s.completed_at)}
            for s in steps
        ],
        "lesson_answers": _lesson_answers(enrolment),
    }


def _shown(row: Any) -> Any:
    """Program text as the reader sees it: in the active language when the content has it."""
    return row.in_language(get_language())


def _lesson_answers(enrolment: Enrolment) -> list[dict[str, Any]]:
    """The answers to the questions at the end of lessons, with the words the patient read."""
    out = []
    for a in LessonAnswer.objects.filter(enrolment=enrolment).select_related("step__module").order_by("id"):
        quiz = quiz_for(enrolment.program.slug, a.step.module.slug, get_language())
        question = quiz.question(a.question) if quiz else None
        choice = question.choice(a.choice) if question else None
        out.append(
            {
                "module": _shown(a.step.module).title,
                "step": _shown(a.step).title,
                "question": question.text if question else a.question,
                "answer": choice.text if choice else a.choice,
                "answered_at": _iso(a.answered_at),
            }
        )
    return out


def _exercises(patient: User) -> list[dict[str, Any]]:
    rows = ExerciseEntry.objects.filter(patient=patient).order_by("entry_date", "created_at", "id")
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "entry_date": _iso(e.entry_date),
            "parent_id": e.parent_id,
            "revision": e.revision,
            "created_at": _iso(e.created_at),
            "updated_at": _iso(e.updated_at),
            "data": e.data,
            "shown": [{"label": label, "value": str(value)} for label, value in labelled_fields(e.kind, e.data)],
        }
        for e in rows
    ]


def _questionnaires(patient: User) -> list[dict[str, Any]]:
    scores: dict[int, list[Score]] = {}
    for score in Score.objects.filter(patient=patient).order_by("id"):
        scores.setdefault(score.response_id, []).append(score)
    out = []
    for r in QuestionnaireResponse.objects.filter(patient=patient).order_by("submitted_at", "id"):
        definition = get_questionnaire(r.questionnaire)
        out.append(
            {
                "id": r.pk,
                "questionnaire": r.questionnaire,
                "title": str(getattr(definition, "title", r.questionnaire)),
                "submitted_at": _iso(r.submitted_at),
                "answers": r.answers,
                "amends_id": r.amends_id,
                "amendment_reason": r.amendment_reason,
                "scores": [
                    {"instrument": s.instrument, "scale": s.scale, "total": float(s.total), "band": s.band}
                    for s in scores.get(r.pk, [])
                ],
            }
        )
    return out


def _score_changes(patient: User) -> list[dict[str, Any]]:
    """Baseline to latest per scale, with the rules that judge the change (reliable change,
    recovery, percent improvement), as the progress page shows them. Recovery exists for PHQ-9 and
    GAD-7 together only (the paired rules): both rows carry the pair's verdict, other scales None."""
    series = outcomes.score_series(patient.pk)
    changes = outcomes.changes_from_baseline(series)
    pair = outcomes.latest_paired_change(series)
    out = []
    for key, change in changes.items():
        scale = SCALES[key][1]
        judged_as_pair = pair is not None and key in {"phq9", "gad7"}
        out.append(
            {
                "scale": key,
                "label": str(scale.label),
                "higher_is_worse": scale.higher_is_worse,
                "baseline": change.baseline,
                "latest": change.latest,
                "change": change.change,
                "percent_change": change.percent_change,
                "reliable_change_index": change.rci,
                "reliable_improvement": change.reliable_improvement,
                "reliable_deterioration": change.reliable_deterioration,
                "case_at_baseline": change.case_at_baseline,
                "case_at_latest": change.case_at_latest,
                "recovery": pair.recovery if pair is not None and judged_as_pair else None,
                "reliable_recovery": pair.reliable_recovery if pair is not None and judged_as_pair else None,
                "improvement_thresholds_met": list(change.improvement_thresholds_met),
            }
        )
    return out


def _messages(patient: User) -> dict[str, Any]:
    """Every message, decrypted (the export's one audit event covers reading them)."""
    conversation = Conversation.objects.filter(patient_id=patient.pk).first()
    if conversation is None:
        return {"erased_at": None, "items": []}
    if conversation.erased_at is not None:
        return {"erased_at": _iso(conversation.erased_at), "items": []}
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        page = messaging_selectors.list_messages(
            user=patient, patient=patient, after_seq=after, limit=MESSAGE_PAGE, audit_action=None
        )
        for m in page.messages:
            items.append(
                {
                    "seq": m["seq"],
                    "from_patient": m["from_patient"],
                    "sender": m["sender_name"],
                    "body": m["body"],
                    "created_at": m["created_at"],
                }
            )
        if not page.limited or page.next_after_seq is None:
            break
        after = page.next_after_seq
    return {"erased_at": None, "items": items}


def _alerts(patient: User) -> list[dict[str, Any]]:
    rows = (
        RiskAlert.objects.filter(patient=patient)
        .select_related("acknowledged_by", "resolved_by")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": a.pk,
            "response_id": a.response_id,
            "created_at": _iso(a.created_at),
            "status": a.status,
            "status_label": str(a.get_status_display()),
            "notified_at": _iso(a.notified_at),
            "acknowledged_at": _iso(a.acknowledged_at),
            "acknowledged_by": _person(a.acknowledged_by),
            "escalated_at": _iso(a.escalated_at),
            "resolved_at": _iso(a.resolved_at),
            "resolved_by": _person(a.resolved_by),
            "resolution_note": a.resolution_note,
        }
        for a in rows
    ]


def _weekly_reviews(patient: User) -> list[dict[str, Any]]:
    """The therapist's weekly reviews of the patient's work (the feedback itself is sent as
    messages, which are above)."""
    rows = WeeklyReview.objects.filter(patient=patient).select_related("therapist").order_by("week_start", "id")
    return [
        {
            "week_start": _iso(w.week_start),
            "therapist": _person(w.therapist),
            "reviewed_at": _iso(w.reviewed_at),
            "minutes": w.minutes,
        }
        for w in rows
    ]
