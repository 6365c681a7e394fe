"""The discharge summary at the end of the program: for the patient and, with their consent,
their family physician. One read (:func:`discharge_summary`) feeds the printable page and the
FHIR document (:func:`discharge_document`: a Composition in a document Bundle, validated).

Contents: scores at the start and at the end (mood and worry judged together by the paired
rules; each other measure with its own change), what the patient learned (the modules they
completed), their staying-well plan (their own words), and suggested next steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.observation import Observation

from modules.program.forms import labelled_fields
from modules.program.models import Enrolment
from modules.program.selectors import entries_for
from paceway.accounts.access import active_therapist_of

from . import change as change_rules
from .fhir import SURVEY, urn
from .instruments import LOCAL_SYSTEM, LOINC, SCALES
from .selectors import changes_from_baseline, latest_paired_change, score_series

DISCHARGE_SUMMARY_LOINC = "18842-5"


@dataclass(frozen=True)
class ScoreLine:
    key: str
    label: str
    start: float
    end: float
    verdict: str  # plain words: the paired verdict for PHQ-9/GAD-7, the measure's own for the rest


@dataclass
class DischargeSummary:
    patient: Any
    therapist: Any
    program: str
    start_date: Any
    written_at: datetime
    mood: change_rules.PairedChange | None
    scores: list[ScoreLine] = field(default_factory=list)
    learned: list[str] = field(default_factory=list)
    staying_well: list[tuple[str, Any]] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    shared_with_physician: bool = False


def _paired_words(p: change_rules.PairedChange) -> str:
    verdict = {
        change_rules.IMPROVEMENT: _("reliable improvement"),
        change_rules.DETERIORATION: _("reliable deterioration"),
        change_rules.NO_CHANGE: _("no reliable change"),
    }[p.verdict]
    if p.reliable_recovery:
        return _("%(v)s; reliable recovery (both below the clinical threshold)") % {"v": verdict}
    if p.recovery:
        return _("%(v)s; recovered (both below the clinical threshold)") % {"v": verdict}
    if p.recovery is False:
        return _("%(v)s; at least one still at or above the clinical threshold") % {"v": verdict}
    return verdict


def _own_words(c: change_rules.Change) -> str:
    parts = []
    if c.improvement_thresholds_met:
        parts.append(_("%(pct)s%% or more less") % {"pct": max(c.improvement_thresholds_met)})
    elif c.percent_change is not None:
        parts.append(_("less than 30% less"))
    if c.reliable_improvement:
        parts.append(_("reliable improvement"))
    elif c.reliable_deterioration:
        parts.append(_("reliable deterioration"))
    return "; ".join(parts) or _("see the scores")


def score_lines(patient: Any) -> tuple[change_rules.PairedChange | None, list[ScoreLine]]:
    """Each measure's first and latest score with its verdict in words (mood and worry by the
    paired rule): the discharge summary's scores, and the snapshot kept with a mid-program review."""
    series = score_series(patient.pk)
    mood = latest_paired_change(series)
    lines = []
    for key, c in changes_from_baseline(series).items():
        if key in ("phq9", "gad7"):
            words = _paired_words(mood) if mood else _("not judged: PHQ-9 and GAD-7 were not answered together twice")
        else:
            words = _own_words(c)
        lines.append(ScoreLine(key, str(SCALES[key][1].label), c.baseline, c.latest, str(words)))
    return mood, lines


def discharge_summary(patient: Any, *, now: datetime | None = None) -> DischargeSummary:
    """The patient's latest enrolment (active or ended) and their scores. Reads only; the caller audits."""
    enrolment = (
        Enrolment.objects.filter(patient_id=patient.pk).select_related("program").order_by("-enrolled_at").first()
    )
    series = score_series(patient.pk)
    changes = changes_from_baseline(series)
    mood, lines = score_lines(patient)
    summary = DischargeSummary(
        patient=patient,
        therapist=active_therapist_of(patient),
        program=enrolment.program.in_language(get_language()).title if enrolment else "",
        start_date=enrolment.start_date if enrolment else None,
        written_at=now or timezone.now(),
        mood=mood,
        shared_with_physician=bool(enrolment and enrolment.summary_shared_at),
        scores=lines,
    )
    if enrolment is not None:
        done = enrolment.plans.filter(included=True, completed_at__isnull=False).select_related("module")
        summary.learned = [plan.module.in_language(get_language()).title for plan in done.order_by("position")]
    plans = entries_for(patient, kind="staying_well_plan", limit=1)
    if plans:
        summary.staying_well = labelled_fields(plans[0].kind, plans[0].data)
    summary.recommendations = _recommendations(summary, changes)
    return summary


def _recommendations(summary: DischargeSummary, changes: dict[str, change_rules.Change]) -> list[str]:
    out = [_("Keep using the skills and the staying-well plan from the program, and review the plan every month.")]
    mood = summary.mood
    if mood is not None and (mood.reliable_deterioration or mood.case_at_end):
        out.append(
            _(
                "Mood or worry is still at or above the clinical threshold (or got worse): please review with the "
                "family physician whether further psychological care or medication review is needed."
            )
        )
    pain = changes.get("peg")
    if pain is not None and not pain.improvement_thresholds_met:
        out.append(
            _(
                "Pain and its interference fell by less than 30%: consider a multidisciplinary pain assessment "
                "(physiotherapy, pain clinic) alongside these skills."
            )
        )
    if not summary.staying_well:
        out.append(_("No staying-well plan was written: the therapist can help complete one."))
    return out


def discharge_document(summary: DischargeSummary) -> dict[str, Any]:
    """A FHIR R4 document Bundle: Composition first, then the Patient, the author and one
    Observation per score line (start and end as components). Validated before it is returned."""
    patient = summary.patient
    patient_ref = urn("Patient", patient.pk)
    author = summary.therapist
    author_ref = urn("Practitioner", author.pk) if author else None
    observations = []
    for line in summary.scores:
        scale = SCALES[line.key][1]
        observations.append(
            (
                urn("Observation", f"discharge/{patient.pk}/{line.key}"),
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "category": [SURVEY],
                    "code": {
                        "coding": [{"system": scale.system, "code": scale.code, "display": f"{scale.label} score"}]
                    },
                    "subject": {"reference": patient_ref},
                    "effectiveDateTime": summary.written_at.isoformat(),
                    "component": [
                        {
                            "code": {"coding": [{"system": LOCAL_SYSTEM, "code": which, "display": which}]},
                            "valueQuantity": {"value": round(value, 2), "unit": scale.unit},
                        }
                        for which, value in (("start", line.start), ("end", line.end))
                    ],
                    "interpretation": [{"text": line.verdict}],
                },
            )
        )

    def text(items: list[str]) -> dict[str, str]:
        from html import escape

        body = "".join(f"<li>{escape(i)}</li>" for i in items) or "<li>-</li>"
        return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{body}</ul></div>'}

    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": DISCHARGE_SUMMARY_LOINC, "display": "Discharge summary"}]},
        "subject": {"reference": patient_ref},
        "date": summary.written_at.isoformat(),
        "author": [{"reference": author_ref}] if author_ref else [{"display": settings.CLINIC_NAME}],
        "title": _("Discharge summary: %(program)s") % {"program": summary.program or "Paceway"},
        "section": [
            {
                "title": _("Scores at the start and at the end"),
                "text": text([f"{s.label}: {s.start:.2f} -> {s.end:.2f} ({s.verdict})" for s in summary.scores]),
                "entry": [{"reference": full_url} for full_url, _r in observations],
            },
            {"title": _("What the patient learned"), "text": text(summary.learned)},
            {"title": _("Staying-well plan"), "text": text([f"{k}: {v}" for k, v in summary.staying_well])},
            {"title": _("Recommendations"), "text": text(summary.recommendations)},
        ],
    }
    Composition.model_validate(composition)
    entries: list[dict[str, Any]] = [
        {"fullUrl": urn("Composition", f"discharge/{patient.pk}/{summary.written_at.date()}"), "resource": composition},
        {
            "fullUrl": patient_ref,
            "resource": {"resourceType": "Patient", "id": f"patient-{patient.pk}", "name": [{"text": patient.name}]},
        },
    ]
    if author is not None:
        entries.append(
            {
                "fullUrl": author_ref,
                "resource": {
                    "resourceType": "Practitioner",
                    "id": f"practitioner-{author.pk}",
                    "name": [{"text": author.name}],
                },
            }
        )
    for _url, resource in observations:
        Observation.model_validate(resource)
    entries += [{"fullUrl": full_url, "resource": resource} for full_url, resource in observations]
    bundle = {
        "resourceType": "Bundle",
        "type": "document",
        "identifier": {"system": f"{settings.SITE_URL}/fhir/discharge", "value": urn("Composition", f"{patient.pk}")},
        "timestamp": summary.written_at.isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(bundle)
    return bundle
