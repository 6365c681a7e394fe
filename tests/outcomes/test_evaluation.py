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
