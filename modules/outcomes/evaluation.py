"""Program evaluation for administrators: aggregate numbers only, small cells protected.

Who is counted
    *Enrolled*: patients accepted into the program (with an enrolment, ever). Each enrolled
    patient is *completed* (answered the end-of-program questionnaire, or the program ended as
    completed), *dropped out* (the program ended for another reason, without it) or *in progress*. Dropout is counted by the module the
    patient was in (the first included module not completed) and by the reason recorded when
    the therapist ended the program.

Outcomes, per measure, from baseline (the patient's first score) to post-treatment (the
end-of-program questionnaire) and, separately, to follow-up (the three-month questionnaire):
    *Completers*: patients with a baseline and a score at that time point.
    *Intention to treat (ITT)*: every enrolled patient with a baseline; a missing score at the
    time point is replaced by the baseline (baseline observation carried forward, BOCF: no
    change, not a responder, not recovered). This is conservative.
    Mean and SD at baseline and at the end, mean change (end - baseline; negative is
    improvement), SD of the change, the paired effect size d_z = mean change / SD of the change,
    and Cohen's d = mean change / SD at baseline (as pain iCBT papers report).
    Pain (PEG, NRS): responders with a fall of at least 30% and at least 50% of the baseline
    (from unrounded values; exactly 30% or 50% counts).
    PHQ-9 + GAD-7: the paired NHS Talking Therapies verdicts (``change.paired``): reliable
    improvement, reliable deterioration, no reliable change (of patients with both measures at
    baseline), recovery and reliable recovery (of those who were a case at baseline).
    PGIC: "much" or "very much improved", of those who answered (completers) and of all
    enrolled (ITT: a missing answer counts as not improved).
    PROMIS pain interference, physical function and sleep disturbance: as T-scores (the raw sum
    looked up in the form's scoring table, see ``instruments/promis.py``).

Unwanted effects of treatment and health-care and medicine use (IMMPACT), descriptive, of those
who answered at each time point (the questions are Paceway's own, ``instruments/treatment.py``):
    Unwanted effects (post-treatment, follow-up): none; yes, not bothered much; yes, bothered.
    Health care (baseline, post-treatment, follow-up; last 3 months): mean (SD) visits to a family
    doctor or nurse practitioner, to an emergency department, to other health professionals, and
    opioid use in the last week (yes / no).

Clinician time
    Minutes the therapists logged in their weekly reviews of enrolled patients, divided by the
    patient-weeks in the program (from the start date to the end of the program, or today).

Small cells (``MIN_CELL`` = 5)
    1. A population size or count shown on its own under 5 (zero included) is suppressed ("–"),
       and so is every statistic computed from fewer than 5 patients.
    2. Every other count is a part of a partition of a total that is shown (a percentage is a
       part of its denominator, whose other part is the complement). A part from 1 to 4 is
       small; so is every part when a single part holds the whole total (100% would tell
       everyone's answer). Small parts are suppressed, and so is the smallest other non-zero
       part, so no suppressed part is the difference of shown figures. A zero part beside
       other non-zero parts is shown: it describes nobody. Hence 0% and 100% are never shown,
       and "83.3% of 6" (5 of 6, revealing 1) is not either.
    3. The same patients counted in two shown partitions (completers and ITT share their
       responders, improved and recovered patients; the PGIC improved among those who answered
       and among all enrolled): the count is shown only where both partitions allow it.
    4. Nested populations (completers within ITT within enrolled; those who answered at
       post-treatment within the completed, at follow-up within those followed up) whose sizes
       differ by 1 to 4: the smaller population's n and every count and percentage of it are
       suppressed (its means, which reveal no count, stay). Equal sizes mean the same patients: a
       difference of zero describes nobody.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.program.models import EndReason, Enrolment, Module, ModulePlan
from paceway.accounts import hooks
from paceway.accounts.roles import Role

from . import change as change_rules
from .instruments import HEALTH_CARE_USE, SCALES, UNWANTED_EFFECTS
from .models import QuestionnaireResponse, Score
from .scoring import exact_total

MIN_CELL = 5
MEASURES = ("phq9", "gad7", "peg", "nrs-average", "promis-pi-t", "promis-pf-t", "promis-sleep-t")
PAIN_MEASURES = ("peg", "nrs-average")
TIMEPOINTS = (("post", "post-treatment"), ("follow-up", "follow-up"))
PGIC_IMPROVED = (1, 2)  # very much improved, much improved
EFFECTS_ITEM = UNWANTED_EFFECTS.items[0].code  # 0 no, 1 yes but not bothered much, 2 yes and bothered
EFFECTS_LABELS = (_("No unwanted effects"), _("Yes, not bothered much"), _("Yes, and bothered"))
VISIT_ITEMS = ("hcu-doctor", "hcu-emergency", "hcu-other")
OPIOID_ITEM = "hcu-opioid"
HCU_TIMEPOINTS = (("baseline", "baseline"), *(("post", "post-treatment"), ("follow-up", "follow-up")))
assert {i.code for i in HEALTH_CARE_USE.items} == {*VISIT_ITEMS, OPIOID_ITEM}
SUPPRESSED = None
COMPLETERS = _("Completers")
ITT = _("Intention to treat (BOCF)")
METHOD = _(
    "Intention to treat: every enrolled patient with a baseline score; a missing score at the time point "
    "is replaced by the baseline (baseline observation carried forward), so it counts as no change."
)


# Suppression ------------------------------------------------------------------------------------


def _count(n: int) -> int | None:
    return n if n >= MIN_CELL else SUPPRESSED


def protect(total: int, parts: Sequence[int]) -> list[int | None]:
    """The parts of a total as shown: rule 2 of the module docstring (the total is not checked)."""
    if sum(parts) != total or any(p < 0 for p in parts):
        raise ValueError("the parts must be counts that add up to the total")
    if total < MIN_CELL:
        return [SUPPRESSED] * len(parts)
    nonzero = [i for i, p in enumerate(parts) if p]
    if len(parts) >= 2 and len(nonzero) == 1:
        return [SUPPRESSED] * len(parts)  # one part is everybody
    hidden = {i for i in nonzero if parts[i] < MIN_CELL}
    shown_nonzero = [i for i in nonzero if i not in hidden]
    if hidden and shown_nonzero:
        hidden.add(min(shown_nonzero, key=lambda i: parts[i]))
    return [SUPPRESSED if i in hidden else p for i, p in enumerate(parts)]


def nested_ok(inner: int, outer: int, *others: int | None) -> bool:
    """Rule 4: may the inner population's size be shown beside the outer ones' (``others``: more
    shown populations that hold it, None when that one is not shown)?"""
    outers = [outer, *(o for o in others if o is not None)]
    return inner >= MIN_CELL and all(inner == o or o - inner >= MIN_CELL for o in outers)


@dataclass(frozen=True)
class Rate:
    count: int | None
    pct: float | None


def _rates(total: int, parts: Sequence[int], *, show: bool = True) -> list[Rate]:
    """Each part of the partition with its percentage of the total, protected."""
    if not show:
        return [Rate(SUPPRESSED, SUPPRESSED)] * len(parts)
    shown = protect(total, parts)
    return [Rate(c, None if c is None else round(100 * c / total, 1)) for c in shown]


def _yes_no(yes: int, total: int, *, show: bool = True) -> Rate:
    return _rates(total, [yes, total - yes], show=show)[0]


def _reconcile(a: Rate, b: Rate) -> tuple[Rate, Rate]:
    """Rule 3: the same patients counted in two shown partitions: shown where both allow it."""
    if a.count is None or b.count is None:
        return Rate(SUPPRESSED, SUPPRESSED), Rate(SUPPRESSED, SUPPRESSED)
    return a, b


def _reconcile_attrs(first: object, second: object, names: Iterable[str]) -> None:
    for name in names:
        a, b = getattr(first, name), getattr(second, name)
        if a is not None and b is not None:
            a, b = _reconcile(a, b)
            setattr(first, name, a)
            setattr(second, name, b)


# Statistics -------------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _sd(values: Sequence[float]) -> float:
    """Sample SD (n - 1)."""
    m = _mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


@dataclass
class Analysis:
    """One measure, one time point, one population (completers or ITT)."""

    n: int | None
    mean_baseline: float | None = None
    sd_baseline: float | None = None
    mean_end: float | None = None
    mean_change: float | None = None
    sd_change: float | None = None
    d_z: float | None = None  # mean change / SD of change
    d: float | None = None  # mean change / SD at baseline
    responders_30: Rate | None = None  # pain measures only
    responders_50: Rate | None = None


def analyse(scale_key: str, pairs: Sequence[tuple[float, float]], *, show_counts: bool) -> Analysis:
    """Pure: the statistics of (baseline, end) pairs. ``show_counts`` False hides n and rates (rule 4)."""
    n = len(pairs)
    out = Analysis(n if show_counts and n >= MIN_CELL else SUPPRESSED)
    if n < MIN_CELL:
        return out
    scale = SCALES[scale_key][1]
    pre = [p for p, _q in pairs]
    post = [q for _p, q in pairs]
    diffs = [q - p for p, q in pairs]
    mean_change, sd_change, sd_pre = _mean(diffs), _sd(diffs), _sd(pre)
    out.mean_baseline, out.sd_baseline = round(_mean(pre), 2), round(sd_pre, 2)
    out.mean_end = round(_mean(post), 2)
    out.mean_change, out.sd_change = round(mean_change, 2), round(sd_change, 2)
    out.d_z = round(mean_change / sd_change, 2) if sd_change > 0 else None
    out.d = round(mean_change / sd_pre, 2) if sd_pre > 0 else None
    if scale.percent_thresholds:
        met = [change_rules.compare(scale, p, q).improvement_thresholds_met for p, q in pairs]
        out.responders_30 = _yes_no(sum(1 for m in met if 30 in m), n, show=show_counts)
        out.responders_50 = _yes_no(sum(1 for m in met if 50 in m), n, show=show_counts)
    return out


@dataclass
class PairedAnalysis:
    """PHQ-9 + GAD-7 by the paired rules, one time point, one population."""

    n: int | None
    improvement: Rate
    deterioration: Rate
    no_change: Rate
    cases: int | None
    recovery: Rate
    reliable_recovery: Rate

    @property
    def verdict_rates(self) -> list[Rate]:
        return [self.improvement, self.deterioration, self.no_change]


def analyse_paired(sittings: Sequence[tuple[float, float, float, float]], *, show_counts: bool) -> PairedAnalysis:
    """Pure: (PHQ-9 start, GAD-7 start, PHQ-9 end, GAD-7 end) per patient."""
    verdicts = [change_rules.paired_scores(*s) for s in sittings]
    n = len(verdicts)
    improved = sum(1 for v in verdicts if v.reliable_improvement)
    worse = sum(1 for v in verdicts if v.reliable_deterioration)
    imp, det, same = _rates(n, [improved, worse, n - improved - worse], show=show_counts)
    cases = [v for v in verdicts if v.case_at_start]
    nc = len(cases)
    cases_shown = show_counts and nested_ok(nc, n)
    return PairedAnalysis(
        n=n if show_counts and n >= MIN_CELL else SUPPRESSED,
        improvement=imp,
        deterioration=det,
        no_change=same,
        cases=nc if cases_shown else SUPPRESSED,
        recovery=_yes_no(sum(1 for v in cases if v.recovery), nc, show=cases_shown),
        reliable_recovery=_yes_no(sum(1 for v in cases if v.reliable_recovery), nc, show=cases_shown),
    )


# The report -------------------------------------------------------------------------------------


@dataclass
class MeasureRow:
    scale: str
    label: str
    timepoint: str  # "post" or "follow-up"
    completers: Analysis
    itt: Analysis

    @property
    def rows(self) -> list[tuple[str, Analysis]]:
        return [(str(COMPLETERS), self.completers), (str(ITT), self.itt)]


@dataclass
class PairedRow:
    timepoint: str
    completers: PairedAnalysis
    itt: PairedAnalysis

    @property
    def rows(self) -> list[tuple[str, PairedAnalysis]]:
        return [(str(COMPLETERS), self.completers), (str(ITT), self.itt)]


@dataclass
class PgicRow:
    timepoint: str
    answered: int | None
    improved_of_answered: Rate
    improved_of_enrolled: Rate


@dataclass
class EffectsRow:
    """Unwanted effects of treatment at one time point, of those who answered."""

    timepoint: str
    answered: int | None
    rates: list[Rate]  # in the order of EFFECTS_LABELS

    @property
    def rows(self) -> list[tuple[str, Rate]]:
        return [(str(label), rate) for label, rate in zip(EFFECTS_LABELS, self.rates, strict=True)]


@dataclass
class VisitsRow:
    item: str
    label: str
    mean: float | None
    sd: float | None


@dataclass
class CareUseRow:
    """Health-care and medicine use at one time point, of those who answered."""

    timepoint: str  # "baseline", "post" or "follow-up"
    answered: int | None
    visits: list[VisitsRow]
    opioid: Rate


@dataclass
class ModuleRow:
    program: str
    number: int
    module: str
    enrolled: int | None
    completed: int | None
    completed_pct: float | None


@dataclass
class DropoutRow:
    label: str
    count: int | None
    pct: float | None  # of all dropouts


@dataclass
class Report:
    enrolled: int | None
    completed: Rate
    dropped_out: Rate
    in_progress: Rate
    followed_up: Rate
    measures: list[MeasureRow]
    paired: list[PairedRow]
    pgic: list[PgicRow]
    unwanted_effects: list[EffectsRow] = field(default_factory=list)
    care_use: list[CareUseRow] = field(default_factory=list)
    dropout_by_module: list[DropoutRow] = field(default_factory=list)
    dropout_by_reason: list[DropoutRow] = field(default_factory=list)
    modules: list[ModuleRow] = field(default_factory=list)
    clinician_minutes_per_patient_week: float | None = None
    clinician_patients: int | None = None
    method: str = field(default_factory=lambda: str(METHOD))  # in the language of the request


@dataclass
class _Patient:
    baseline: dict[str, float] = field(default_factory=dict)  # scale -> first score
    end: dict[str, dict[str, float]] = field(default_factory=dict)  # timepoint -> scale -> score
    baseline_pair: tuple[float, float] | None = None  # first sitting with PHQ-9 and GAD-7
    end_pair: dict[str, tuple[float, float]] = field(default_factory=dict)
    pgic: dict[str, int] = field(default_factory=dict)
    effects: dict[str, int] = field(default_factory=dict)  # timepoint -> answer (0, 1, 2)
    care_use: dict[str, dict[str, int]] = field(default_factory=dict)  # timepoint -> item -> answer


def _effective_response_ids(patient_ids: Iterable[int]) -> dict[int, str]:
    """Response id -> questionnaire, amended responses replaced by their latest amendment."""
    rows = QuestionnaireResponse.objects.filter(patient_id__in=list(patient_ids)).values_list(
        "pk", "amends_id", "submitted_at", "questionnaire"
    )
    latest: dict[int, tuple[datetime, int]] = {}
    kind: dict[int, str] = {}
    for pk, amends_id, submitted_at, questionnaire in rows:
        root = amends_id or pk
        kind[pk] = questionnaire
        if root not in latest or (submitted_at, pk) > latest[root]:
            latest[root] = (submitted_at, pk)
    return {pk: kind[pk] for _at, pk in latest.values()}


def _patients(patient_ids: list[int]) -> dict[int, _Patient]:
    effective = _effective_response_ids(patient_ids)
    by_patient = {pid: _Patient() for pid in patient_ids}
    sittings: dict[int, dict[str, float]] = {}
    order: list[tuple[int, int]] = []  # (patient, response) in time order
    for patient_id, response_id, scale, total in (
        Score.objects.filter(patient_id__in=patient_ids, response_id__in=list(effective))
        .order_by("submitted_at", "id")
        .values_list("patient_id", "response_id", "scale", "total")
    ):
        if scale not in SCALES:
            continue
        value = exact_total(SCALES[scale][1], float(total))
        p = by_patient[patient_id]
        if scale == "pgic":
            for timepoint, questionnaire in TIMEPOINTS:
                if effective[response_id] == questionnaire:
                    p.pgic[timepoint] = int(value)
            continue
        p.baseline.setdefault(scale, value)
        for timepoint, questionnaire in TIMEPOINTS:
            if effective[response_id] == questionnaire:
                p.end.setdefault(timepoint, {})[scale] = value  # the latest one wins
        if response_id not in sittings:
            sittings[response_id] = {}
            order.append((patient_id, response_id))
        sittings[response_id][scale] = value
    _read_answers(by_patient, effective)
    for patient_id, response_id in order:
        s, p = sittings[response_id], by_patient[patient_id]
        if "phq9" not in s or "gad7" not in s:
            continue
        if p.baseline_pair is None:
            p.baseline_pair = (s["phq9"], s["gad7"])
            continue
        for timepoint, questionnaire in TIMEPOINTS:
            if effective[response_id] == questionnaire:
                p.end_pair[timepoint] = (s["phq9"], s["gad7"])
    return by_patient


def _read_answers(by_patient: dict[int, _Patient], effective: dict[int, str]) -> None:
    """Unwanted effects and health-care use: answers without a score, read from the responses of
    the baseline, post-treatment and follow-up questionnaires (the latest one of each wins)."""
    wanted = {questionnaire: timepoint for timepoint, questionnaire in HCU_TIMEPOINTS}
    ids = [pk for pk, questionnaire in effective.items() if questionnaire in wanted]
    for patient_id, questionnaire, answers in (
        QuestionnaireResponse.objects.filter(pk__in=ids).order_by("submitted_at", "pk")
    ).values_list("patient_id", "questionnaire", "answers"):
        p, timepoint = by_patient[patient_id], wanted[questionnaire]
        if not isinstance(answers, dict):
            continue
        if timepoint != "baseline" and isinstance(answers.get(EFFECTS_ITEM), int):
            p.effects[timepoint] = answers[EFFECTS_ITEM]
        use = {code: answers[code] for code in (*VISIT_ITEMS, OPIOID_ITEM) if isinstance(answers.get(code), int)}
        if len(use) == len(VISIT_ITEMS) + 1:
            p.care_use[timepoint] = use


def _holding(timepoint: str, report: dict[str, int | None]) -> int | None:
    """The shown population that holds those who answered at a time point (rule 4)."""
    return {"post": report.get("completed"), "follow-up": report.get("followed_up")}.get(timepoint)


def effects_rows(data: dict[int, _Patient], n_enrolled: int, shown: dict[str, int | None]) -> list[EffectsRow]:
    rows = []
    for timepoint, _q in TIMEPOINTS:
        answers = [p.effects[timepoint] for p in data.values() if timepoint in p.effects]
        ok = nested_ok(len(answers), n_enrolled, _holding(timepoint, shown))
        parts = [sum(1 for a in answers if a == value) for value in range(len(EFFECTS_LABELS))]
        rows.append(EffectsRow(timepoint, len(answers) if ok else SUPPRESSED, _rates(len(answers), parts, show=ok)))
    return rows


def care_use_rows(data: dict[int, _Patient], n_enrolled: int, shown: dict[str, int | None]) -> list[CareUseRow]:
    labels = {item.code: str(item.text) for item in HEALTH_CARE_USE.items}
    rows = []
    for timepoint, _q in HCU_TIMEPOINTS:
        answers = [p.care_use[timepoint] for p in data.values() if timepoint in p.care_use]
        n = len(answers)
        ok = nested_ok(n, n_enrolled, _holding(timepoint, shown))
        visits = []
        for code in VISIT_ITEMS:
            values = [a[code] for a in answers]
            enough = n >= MIN_CELL
            visits.append(
                VisitsRow(
                    code,
                    labels[code],
                    round(_mean(values), 2) if enough else None,
                    round(_sd(values), 2) if enough else None,
                )
            )
        opioid = _yes_no(sum(1 for a in answers if a[OPIOID_ITEM] == 1), n, show=ok)
        rows.append(CareUseRow(timepoint, n if ok else SUPPRESSED, visits, opioid))
    return rows


def _dropout_module(plans: list[tuple[int, bool, str]]) -> str:
    """The module title a patient stopped in: the first included module not completed."""
    for _position, done, title in sorted(plans):
        if not done:
            return title
    return str(_("After the last module"))


def _clinician_minutes(enrolments: list[Enrolment], today: date) -> tuple[float | None, int]:
    ids = sorted({e.patient_id for e in enrolments})
    minutes = hooks.clinician_minutes(ids)
    weeks = 0.0
    for e in enrolments:
        end = timezone.localdate(e.ended_at) if e.ended_at else today
        weeks += max((end - e.start_date).days, 7) / 7
    if len(ids) < MIN_CELL or not weeks:
        return None, len(ids)
    return round(sum(minutes.values()) / weeks, 1), len(ids)


def program_evaluation(*, today: date | None = None) -> Report:
    today = today or timezone.localdate()
    enrolments = list(
        Enrolment.objects.filter(patient__role=Role.PATIENT).select_related("program").order_by("enrolled_at", "pk")
    )
    latest: dict[int, Enrolment] = {}
    for e in enrolments:
        latest[e.patient_id] = e
    patient_ids = sorted(latest)
    n_enrolled = len(patient_ids)
    data = _patients(patient_ids)

    completed = {
        pid
        for pid in patient_ids
        if "post" in data[pid].end or "post" in data[pid].pgic or latest[pid].end_reason == EndReason.COMPLETED
    }
    dropped = [
        latest[pid]
        for pid in patient_ids
        if pid not in completed and latest[pid].ended_at is not None and latest[pid].end_reason != EndReason.COMPLETED
    ]
    followed = sum(1 for pid in patient_ids if "follow-up" in data[pid].end or "follow-up" in data[pid].pgic)
    comp, drop, prog = _rates(n_enrolled, [len(completed), len(dropped), n_enrolled - len(completed) - len(dropped)])
    followed_rate = _yes_no(followed, n_enrolled)
    shown = {"completed": comp.count, "followed_up": followed_rate.count}

    measures: list[MeasureRow] = []
    for key in MEASURES:
        with_baseline = [pid for pid in patient_ids if key in data[pid].baseline]
        itt_shown = nested_ok(len(with_baseline), n_enrolled)
        for timepoint, _q in TIMEPOINTS:
            itt_pairs, completer_pairs = [], []
            for pid in with_baseline:
                pre = data[pid].baseline[key]
                end = data[pid].end.get(timepoint, {}).get(key)
                itt_pairs.append((pre, pre if end is None else end))
                if end is not None:
                    completer_pairs.append((pre, end))
            row = MeasureRow(
                scale=key,
                label=str(SCALES[key][1].label),
                timepoint=timepoint,
                completers=analyse(
                    key,
                    completer_pairs,
                    show_counts=itt_shown
                    and nested_ok(len(completer_pairs), len(itt_pairs), _holding(timepoint, shown)),
                ),
                itt=analyse(key, itt_pairs, show_counts=itt_shown),
            )
            _reconcile_attrs(row.completers, row.itt, ("responders_30", "responders_50"))
            measures.append(row)

    paired_rows: list[PairedRow] = []
    with_pair = [pid for pid in patient_ids if data[pid].baseline_pair is not None]
    pair_shown = nested_ok(len(with_pair), n_enrolled)
    for timepoint, _q in TIMEPOINTS:
        itt_s, completer_s = [], []
        for pid in with_pair:
            first = data[pid].baseline_pair
            assert first is not None
            last = data[pid].end_pair.get(timepoint)
            itt_s.append((*first, *(last or first)))
            if last is not None:
                completer_s.append((*first, *last))
        prow = PairedRow(
            timepoint,
            completers=analyse_paired(
                completer_s,
                show_counts=pair_shown and nested_ok(len(completer_s), len(itt_s), _holding(timepoint, shown)),
            ),
            itt=analyse_paired(itt_s, show_counts=pair_shown),
        )
        _reconcile_attrs(
            prow.completers, prow.itt, ("improvement", "deterioration", "no_change", "recovery", "reliable_recovery")
        )
        paired_rows.append(prow)

    pgic_rows = []
    for timepoint, _q in TIMEPOINTS:
        answers = [data[pid].pgic[timepoint] for pid in patient_ids if timepoint in data[pid].pgic]
        improved = sum(1 for a in answers if a in PGIC_IMPROVED)
        answered_shown = nested_ok(len(answers), n_enrolled, _holding(timepoint, shown))
        of_answered, of_enrolled = _reconcile(
            _yes_no(improved, len(answers), show=answered_shown), _yes_no(improved, n_enrolled)
        )
        pgic_rows.append(PgicRow(timepoint, len(answers) if answered_shown else SUPPRESSED, of_answered, of_enrolled))

    by_module: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    if dropped:  # every module and reason is a row, in order: a zero is a cell too
        program = latest[dropped[0].patient_id].program
        for title in Module.objects.filter(program=program).order_by("number").values_list("title", flat=True):
            by_module[title] = 0
        by_reason = {str(r.label): 0 for r in EndReason if r != EndReason.COMPLETED}
    plans: dict[int, list[tuple[int, bool, str]]] = {}
    for enrolment_id, position, done, title in ModulePlan.objects.filter(
        enrolment__in=[e.pk for e in dropped], included=True
    ).values_list("enrolment_id", "position", "completed_at", "module__title"):
        plans.setdefault(enrolment_id, []).append((position, done is not None, title))
    for e in dropped:
        module = _dropout_module(plans.get(e.pk, []))
        by_module[module] = by_module.get(module, 0) + 1
        reason = str(EndReason(e.end_reason).label) if e.end_reason else str(_("Not recorded"))
        by_reason[reason] = by_reason.get(reason, 0) + 1

    def dropout_rows(counts: dict[str, int]) -> list[DropoutRow]:
        labels = list(counts)
        rates = _rates(len(dropped), [counts[k] for k in labels], show=drop.count is not None)
        return [DropoutRow(k, r.count, r.pct) for k, r in zip(labels, rates, strict=True)]

    minutes, clinician_n = _clinician_minutes([latest[pid] for pid in patient_ids], today)
    return Report(
        enrolled=_count(n_enrolled),
        completed=comp,
        dropped_out=drop,
        in_progress=prog,
        followed_up=followed_rate,
        measures=measures,
        paired=paired_rows,
        pgic=pgic_rows,
        unwanted_effects=effects_rows(data, n_enrolled, shown),
        care_use=care_use_rows(data, n_enrolled, shown),
        dropout_by_module=dropout_rows(by_module),
        dropout_by_reason=dropout_rows(by_reason),
        modules=completion_by_module(),
        clinician_minutes_per_patient_week=minutes,
        clinician_patients=_count(clinician_n),
    )


def completion_by_module() -> list[ModuleRow]:
    """Enrolled patients (ever, per program slug) who completed each module, protected (rule 2)."""
    enrolments = Enrolment.objects.filter(patient__role=Role.PATIENT)
    enrolled: dict[str, set[int]] = {}
    for slug, patient_id in enrolments.values_list("program__slug", "patient_id"):
        enrolled.setdefault(slug, set()).add(patient_id)
    completed: dict[tuple[str, str], set[int]] = {}
    done = ModulePlan.objects.filter(completed_at__isnull=False, enrolment__in=enrolments)
    for slug, module_slug, patient_id in done.values_list(
        "enrolment__program__slug", "module__slug", "enrolment__patient_id"
    ):
        completed.setdefault((slug, module_slug), set()).add(patient_id)
    # One row per module slug, named as in the newest version of the program that has it.
    modules: dict[tuple[str, str], Module] = {}
    for module in (
        Module.objects.filter(program__slug__in=enrolled)
        .select_related("program")
        .order_by("program__slug", "-program__version", "number")
    ):
        modules.setdefault((module.program.slug, module.slug), module)
    rows = []
    for (slug, module_slug), module in sorted(modules.items(), key=lambda kv: (kv[0][0], kv[1].number)):
        n_enrolled = len(enrolled[slug])
        n_done = len(completed.get((slug, module_slug), ()))
        rate = _yes_no(n_done, n_enrolled)
        rows.append(
            ModuleRow(
                program=module.program.title,
                number=module.number,
                module=module.title,
                enrolled=_count(n_enrolled),
                completed=rate.count,
                completed_pct=rate.pct,
            )
        )
    return rows


# CSV --------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return "suppressed" if value is None else str(value)


def _rate_cells(rate: Rate | None) -> list[str]:
    if rate is None:
        return ["", ""]
    return [_cell(rate.count), _cell(rate.pct)]


ANALYSIS_COLUMNS = (
    "n", "mean_baseline", "sd_baseline", "mean_end", "mean_change", "sd_change", "d_z", "d",
    "responders_30_n", "responders_30_pct", "responders_50_n", "responders_50_pct",
)  # fmt: skip


def _analysis_cells(a: Analysis) -> list[str]:
    values = (a.n, a.mean_baseline, a.sd_baseline, a.mean_end, a.mean_change, a.sd_change, a.d_z, a.d)
    return [_cell(v) for v in values] + _rate_cells(a.responders_30) + _rate_cells(a.responders_50)


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    w: Callable[[Iterable[object]], object] = csv.writer(buffer).writerow
    w(["# small cells (under 5, and any part that would reveal one) are 'suppressed'"])
    w(["# " + report.method])
    w(["figure", "n", "pct"])
    w(["enrolled", _cell(report.enrolled), ""])
    for name, rate in (
        ("completed", report.completed),
        ("dropped_out", report.dropped_out),
        ("in_progress", report.in_progress),
        ("followed_up", report.followed_up),
    ):
        w([name, *_rate_cells(rate)])
    w(["clinician_minutes_per_patient_week", _cell(report.clinician_minutes_per_patient_week), ""])
    w([])
    w(["measure", "timepoint", "population", *ANALYSIS_COLUMNS])
    for r in report.measures:
        w([r.label, r.timepoint, "completers", *_analysis_cells(r.completers)])
        w([r.label, r.timepoint, "itt_bocf", *_analysis_cells(r.itt)])
    w([])
    w(["phq9_gad7_paired", "timepoint", "population", "n", "reliable_improvement_n", "reliable_improvement_pct",
       "reliable_deterioration_n", "reliable_deterioration_pct", "no_reliable_change_n", "no_reliable_change_pct",
       "cases_at_baseline", "recovery_n", "recovery_pct", "reliable_recovery_n", "reliable_recovery_pct"])  # fmt: skip
    for p in report.paired:
        for population, a in (("completers", p.completers), ("itt_bocf", p.itt)):
            w(["PHQ-9 + GAD-7", p.timepoint, population, _cell(a.n), *_rate_cells(a.improvement),
               *_rate_cells(a.deterioration), *_rate_cells(a.no_change), _cell(a.cases),
               *_rate_cells(a.recovery), *_rate_cells(a.reliable_recovery)])  # fmt: skip
    w([])
    w(["pgic", "timepoint", "answered", "improved_n", "improved_pct_of_answered", "improved_n_itt",
       "improved_pct_of_enrolled"])  # fmt: skip
    for g in report.pgic:
        w(["PGIC much or very much improved", g.timepoint, _cell(g.answered),
           *_rate_cells(g.improved_of_answered), *_rate_cells(g.improved_of_enrolled)])  # fmt: skip
    w([])
    w(["unwanted_effects", "timepoint", "answered", "answer", "n", "pct_of_answered"])
    for e in report.unwanted_effects:
        for label, rate in e.rows:
            w(["Unwanted effects", e.timepoint, _cell(e.answered), label, *_rate_cells(rate)])
    w([])
    w(["health_care_use", "timepoint", "answered", "question", "mean", "sd"])
    for c in report.care_use:
        for v in c.visits:
            w(["Visits, last 3 months", c.timepoint, _cell(c.answered), v.label, _cell(v.mean), _cell(v.sd)])
    w(["medicine_use", "timepoint", "answered", "question", "n", "pct_of_answered"])
    for c in report.care_use:
        w(["Opioid in the last week", c.timepoint, _cell(c.answered), OPIOID_ITEM, *_rate_cells(c.opioid)])
    w([])
    w(["dropout_by_module", "n", "pct_of_dropouts"])
    for d in report.dropout_by_module:
        w([d.label, _cell(d.count), _cell(d.pct)])
    w([])
    w(["dropout_by_reason", "n", "pct_of_dropouts"])
    for d in report.dropout_by_reason:
        w([d.label, _cell(d.count), _cell(d.pct)])
    w([])
    w(["program", "module_number", "module", "enrolled", "completed", "completed_pct"])
    for m in report.modules:
        w([m.program, m.number, m.module, _cell(m.enrolled), _cell(m.completed), _cell(m.completed_pct)])
    return buffer.getvalue()
