"""Program evaluation for administrators: aggregate numbers only, small counts suppressed.

For each measure: patients with a baseline and at least one later score (n), mean baseline,
mean latest, mean change (latest - baseline), SD of the change, and the paired effect size
d_z = mean change / SD of change (sample SD, n - 1). Percent reliable improvement and
deterioration (of n), recovery and reliable recovery (of those who were a case at baseline).

Completion by module: for each module of each program (by slug, across its versions), the
patients ever enrolled in that program and how many of them completed the module
(``ModulePlan.completed_at`` set), with the percentage.

Suppression: any count under ``MIN_CELL`` (5) is shown as suppressed, including zero, and so is
every statistic computed from it (a percentage is suppressed when its numerator or denominator is).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from django.db.models import Q

from paceway.accounts.models import User
from paceway.accounts.roles import Role

from . import change as change_rules
from .instruments import SCALES
from .models import QuestionnaireResponse
from .selectors import score_series

MIN_CELL = 5
MEASURES = ("phq9", "gad7", "peg", "nrs-average")
SUPPRESSED = None


def _count(n: int) -> int | None:
    return n if n >= MIN_CELL else SUPPRESSED


def _pct(num: int, den: int) -> float | None:
    if num < MIN_CELL or den < MIN_CELL:
        return SUPPRESSED
    return round(100 * num / den, 1)


@dataclass
class MeasureRow:
    scale: str
    label: str
    n: int | None
    mean_baseline: float | None = None
    mean_latest: float | None = None
    mean_change: float | None = None
    sd_change: float | None = None
    effect_size: float | None = None
    reliable_improvement_pct: float | None = None
    reliable_deterioration_pct: float | None = None
    cases_at_baseline: int | None = None
    recovery_pct: float | None = None
    reliable_recovery_pct: float | None = None


@dataclass
class ModuleRow:
    program: str
    number: int
    module: str
    enrolled: int | None
    completed: int | None
    completed_pct: float | None


@dataclass
class Report:
    enrolled: int | None
    started: int | None
    completed: int | None
    measures: list[MeasureRow]
    modules: list[ModuleRow] = field(default_factory=list)


def _measure(scale_key: str, pairs: list[tuple[float, float]]) -> MeasureRow:
    scale = SCALES[scale_key][1]
    n = len(pairs)
    row = MeasureRow(scale_key, str(scale.label), _count(n))
    if n < MIN_CELL:
        return row
    changes = [change_rules.compare(scale, pre, post) for pre, post in pairs]
    diffs = [c.change for c in changes]
    mean_change = sum(diffs) / n
    sd = math.sqrt(sum((d - mean_change) ** 2 for d in diffs) / (n - 1))
    row.mean_baseline = round(sum(p for p, _ in pairs) / n, 2)
    row.mean_latest = round(sum(q for _, q in pairs) / n, 2)
    row.mean_change = round(mean_change, 2)
    row.sd_change = round(sd, 2)
    row.effect_size = round(mean_change / sd, 2) if sd > 0 else None
    row.reliable_improvement_pct = _pct(sum(1 for c in changes if c.reliable_improvement), n)
    row.reliable_deterioration_pct = _pct(sum(1 for c in changes if c.reliable_deterioration), n)
    cases = [c for c in changes if c.case_at_baseline]
    if scale.caseness is not None:
        row.cases_at_baseline = _count(len(cases))
        row.recovery_pct = _pct(sum(1 for c in cases if not c.case_at_latest), len(cases))
        row.reliable_recovery_pct = _pct(sum(1 for c in cases if not c.case_at_latest and c.reliable_improvement), len(cases))
    return row


def completion_by_module() -> list[ModuleRow]:
    """Enrolled patients (ever, per program slug) who completed each module, small counts suppressed."""
    from modules.models import Enrolment, Module, ModulePlan

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
        rows.append(
            ModuleRow(
                program=module.program.title,
                number=module.number,
                module=module.title,
                enrolled=_count(n_enrolled),
                completed=_count(n_done),
                completed_pct=_pct(n_done, n_enrolled),
            )
        )
    return rows


def program_evaluation() -> Report:
    patients = User.objects.filter(role=Role.PATIENT)
    patient_ids = list(
        QuestionnaireResponse.objects.filter(patient__role=Role.PATIENT)
        .order_by()
        .values_list("patient_id", flat=True)
        .distinct()
    )
    completed = (
        QuestionnaireResponse.objects.filter(Q(questionnaire="post-treatment") | Q(questionnaire="follow-up"))
        .order_by()
        .values("patient_id")
        .distinct()
        .count()
    )
    pairs: dict[str, list[tuple[float, float]]] = {key: [] for key in MEASURES}
    for patient_id in patient_ids:
        for key, points in score_series(patient_id).items():
            if key in pairs and len(points) >= 2:
                pairs[key].append((points[0].total, points[-1].total))
    return Report(
        enrolled=_count(patients.count()),
        started=_count(len(patient_ids)),
        completed=_count(completed),
        measures=[_measure(key, pairs[key]) for key in MEASURES],
        modules=completion_by_module(),
    )


CSV_COLUMNS = (
    "measure", "n", "mean_baseline", "mean_latest", "mean_change", "sd_change", "effect_size_dz",
    "reliable_improvement_pct", "reliable_deterioration_pct", "cases_at_baseline", "recovery_pct",
    "reliable_recovery_pct",
)

MODULE_CSV_COLUMNS = ("program", "module_number", "module", "enrolled", "completed", "completed_pct")


def report_csv(report: Report) -> str:
    def cell(value: object) -> str:
        return "suppressed" if value is None else str(value)

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["enrolled", cell(report.enrolled)])
    writer.writerow(["started", cell(report.started)])
    writer.writerow(["completed", cell(report.completed)])
    writer.writerow([])
    writer.writerow(CSV_COLUMNS)
    for r in report.measures:
        writer.writerow(
            [r.label] + [cell(v) for v in (
                r.n, r.mean_baseline, r.mean_latest, r.mean_change, r.sd_change, r.effect_size,
                r.reliable_improvement_pct, r.reliable_deterioration_pct, r.cases_at_baseline,
                r.recovery_pct, r.reliable_recovery_pct,
            )]
        )
    writer.writerow([])
    writer.writerow(MODULE_CSV_COLUMNS)
    for m in report.modules:
        writer.writerow(
            [m.program, m.number, m.module] + [cell(v) for v in (m.enrolled, m.completed, m.completed_pct)]
        )
    return buffer.getvalue()
