"""Program evaluation numbers on a small hand-computed fixture, with small-cell suppression."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.outcomes import evaluation, services
from paceway.accounts.models import User
from paceway.accounts.roles import Role

from .helpers import PHQ_CODES, weekly

# Six patients' PHQ-9 totals, baseline -> latest (item 9 always 0).
PHQ = [(20, 8), (16, 9), (12, 10), (10, 4), (14, 13), (8, 14)]
# Changes: -12, -7, -2, -6, -1, +6 -> sum -22, mean -3.667; squared deviations 69.44 + 11.11 + 2.78 + 5.44
# + 7.11 + 93.44 = 189.33; SD (n-1) = sqrt(189.33 / 5) = 6.154; d_z = -3.667 / 6.154 = -0.60
# Reliable improvement (fall >= 6): 4 of 6 = 66.7%; deterioration (rise >= 6): 1 of 6 -> suppressed.
# Cases at baseline (>= 10): 5; recovered (< 10 at latest): 20->8, 16->9, 10->4 = 3 -> suppressed (< 5).


def phq_vector(total: int) -> list[int]:
    values = []
    for _ in range(8):  # items 1-8 only
        v = min(3, total)
        values.append(v)
        total -= v
    assert total == 0
    return [*values, 0]


def answers(total: int) -> list[tuple[str, int]]:
    return list({**weekly(gad=0, peg=5), **dict(zip(PHQ_CODES, phq_vector(total), strict=True))}.items())


@pytest.fixture
def cohort(db):
    now = timezone.now()
    for n, (pre, post) in enumerate(PHQ):
        p = User.objects.create_user(f"e{n}@example.org", "x-password-123", role=Role.PATIENT)
        for days, total in ((30, pre), (2, post)):
            services.submit_response(actor=p, patient=p, questionnaire="weekly-check-in", answers=answers(total),
                                     submitted_at=now - timedelta(days=days))


def test_it_reports_hand_computed_numbers(cohort):
    report = evaluation.program_evaluation()
    assert report.enrolled == 6 and report.started == 6 and report.completed is None  # 0 < 5: suppressed
    phq = next(r for r in report.measures if r.scale == "phq9")
    assert phq.n == 6
    assert phq.mean_baseline == 13.33 and phq.mean_latest == 9.67 and phq.mean_change == -3.67
    assert phq.sd_change == 6.15 and phq.effect_size == -0.6
    assert phq.reliable_improvement_pct is None  # 4 < 5: suppressed (numerator)
    assert phq.reliable_deterioration_pct is None
    assert phq.cases_at_baseline == 5 and phq.recovery_pct is None
    peg = next(r for r in report.measures if r.scale == "peg")
    assert peg.n == 6 and peg.mean_change == 0 and peg.effect_size is None  # no variation
    nrs = next(r for r in report.measures if r.scale == "nrs-average")
    assert nrs.n is None and nrs.mean_change is None  # nobody: suppressed


def test_it_shows_percentages_when_cells_are_large_enough(db):
    now = timezone.now()
    for n in range(5):
        p = User.objects.create_user(f"r{n}@example.org", "x-password-123", role=Role.PATIENT)
        for days, total in ((30, 18), (2, 6)):
            services.submit_response(actor=p, patient=p, questionnaire="weekly-check-in", answers=answers(total),
                                     submitted_at=now - timedelta(days=days))
    phq = next(r for r in evaluation.program_evaluation().measures if r.scale == "phq9")
    assert phq.reliable_improvement_pct == 100.0 and phq.recovery_pct == 100.0 and phq.reliable_recovery_pct == 100.0
    assert phq.reliable_deterioration_pct is None  # 0 of 5: a count under 5


def test_the_csv_is_aggregate_and_for_administrators_only(cohort, personas, clients):
    response = clients["admin"].get("/outcomes/evaluation.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "PHQ-9,6,13.33,9.67,-3.67,6.15,-0.6,suppressed" in text
    assert "@example.org" not in text
    for name in ("patient", "therapist", "stranger", "unassigned_therapist"):
        assert clients[name].get("/outcomes/evaluation.csv").status_code == 404
        assert clients[name].get("/outcomes/evaluation/").status_code == 404
    assert clients["admin"].get("/outcomes/evaluation/").status_code == 200


# Completion by module --------------------------------------------------------------------------
# Program "pain", version 1 (modules 1-3) and version 2 (same module slugs; module 2 renamed).
# p0-p5 enrolled in v1; p6 enrolled in v1 (ended) and again in v2: 7 patients enrolled.
# Module 1: p0-p5 in v1, p6 in v1 and in v2 (counted once) -> 7 of 7 = 100.0%
# Module 2: p0-p3 in v1, p6 in v2                           -> 5 of 7 = 71.4%
# Module 3: p0, p1                                          -> 2: suppressed, and so is its %
# A plan row without completed_at (p4, module 3) is not a completion.


@pytest.fixture
def module_cohort(db):
    from modules.models import Enrolment, Module, ModulePlan, Program

    lead = User.objects.create_user("lead@example.org", "x-password-123", role=Role.THERAPIST)
    titles = {1: ["Understanding pain", "Pacing", "Thoughts"], 2: ["Understanding pain", "Pacing your day", "Thoughts"]}
    modules = {}
    for version in (1, 2):
        program = Program.objects.create(slug="pain", version=version, title=f"Pain program v{version}", content_hash="x")
        for number, (slug, title) in enumerate(zip(("m1", "m2", "m3"), titles[version], strict=True), start=1):
            modules[version, slug] = Module.objects.create(program=program, slug=slug, number=number, title=title)
    now = timezone.now()

    def enrol(patient, version, done, ended=False):
        enrolment = Enrolment.objects.create(
            patient=patient, program=modules[version, "m1"].program, start_date=now.date(), enrolled_by=lead,
            ended_at=now if ended else None,
        )
        for position, slug in enumerate(("m1", "m2", "m3"), start=1):
            ModulePlan.objects.create(
                enrolment=enrolment, module=modules[version, slug], position=position,
                completed_at=now if slug in done else None,
            )

    patients = [User.objects.create_user(f"m{n}@example.org", "x-password-123", role=Role.PATIENT) for n in range(7)]
    done_v1 = {0: "m1 m2 m3", 1: "m1 m2 m3", 2: "m1 m2", 3: "m1 m2", 4: "m1", 5: "m1"}
    for n, done in done_v1.items():
        enrol(patients[n], 1, done.split())
    enrol(patients[6], 1, ["m1"], ended=True)
    enrol(patients[6], 2, ["m1", "m2"])


def test_it_reports_completion_by_module(module_cohort):
    rows = evaluation.program_evaluation().modules
    assert [(r.program, r.number, r.module, r.enrolled, r.completed, r.completed_pct) for r in rows] == [
        ("Pain program v2", 1, "Understanding pain", 7, 7, 100.0),
        ("Pain program v2", 2, "Pacing your day", 7, 5, 71.4),
        ("Pain program v2", 3, "Thoughts", 7, None, None),  # 2 < 5: suppressed
    ]


def test_completion_by_module_is_on_the_page_and_in_the_csv(module_cohort, personas, clients):
    page = clients["admin"].get("/outcomes/evaluation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Completion by module" in html and "2. Pacing your day" in html and "71.4%" in html
    text = clients["admin"].get("/outcomes/evaluation.csv").content.decode()
    assert "program,module_number,module,enrolled,completed,completed_pct" in text
    assert "Pain program v2,1,Understanding pain,7,7,100.0" in text
    assert "Pain program v2,2,Pacing your day,7,5,71.4" in text
    assert "Pain program v2,3,Thoughts,7,suppressed,suppressed" in text
    assert "@example.org" not in text


def test_small_programs_are_suppressed_entirely(personas):
    from modules.models import Enrolment, Module, ModulePlan, Program

    program = Program.objects.create(slug="tiny", version=1, title="Tiny", content_hash="x")
    module = Module.objects.create(program=program, slug="m1", number=1, title="Only")
    enrolment = Enrolment.objects.create(
        patient=personas.patient, program=program, start_date=timezone.localdate(), enrolled_by=personas.therapist
    )
    ModulePlan.objects.create(enrolment=enrolment, module=module, position=1, completed_at=timezone.now())
    [row] = evaluation.completion_by_module()
    assert (row.enrolled, row.completed, row.completed_pct) == (None, None, None)
