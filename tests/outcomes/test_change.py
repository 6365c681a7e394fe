"""Change rules on worked cases."""

from __future__ import annotations

import math

import pytest

from modules.outcomes.change import compare, rci, reliable_change_threshold
from modules.outcomes.instruments import PEG as PEG_INSTRUMENT
from modules.outcomes.instruments import SCALES

PHQ9 = SCALES["phq9"][1]
GAD7 = SCALES["gad7"][1]
PEG = SCALES["peg"][1]
NRS = SCALES["nrs-average"][1]


def test_it_applies_phq9_reliable_change_and_caseness():
    c = compare(PHQ9, 16, 8)  # falls by 8 >= 6, case (16 >= 10) to non-case (8 < 10)
    assert c.change == -8 and c.reliable_improvement and not c.reliable_deterioration
    assert c.case_at_baseline and not c.case_at_latest

    c = compare(PHQ9, 12, 9)  # below 10 but only 3 points: not reliable
    assert not c.case_at_latest and not c.reliable_improvement

    c = compare(PHQ9, 20, 14)  # exactly 6: reliable improvement, still a case
    assert c.reliable_improvement and c.case_at_latest

    c = compare(PHQ9, 20, 15)  # 5: not reliable
    assert not c.reliable_improvement

    c = compare(PHQ9, 6, 12)  # rises by 6: reliable deterioration; not a case at baseline
    assert c.reliable_deterioration and c.case_at_baseline is False
    assert not hasattr(c, "recovery")  # recovery is a verdict on the PHQ-9 + GAD-7 pair only


def test_it_applies_gad7_thresholds():
    c = compare(GAD7, 8, 4)  # caseness at 8 exactly; falls by 4
    assert c.case_at_baseline and c.reliable_improvement and not c.case_at_latest
    assert not compare(GAD7, 10, 7).reliable_improvement
    assert compare(GAD7, 7, 7).case_at_baseline is False
    assert compare(GAD7, 3, 7).reliable_deterioration


def test_it_computes_percent_change_for_pain():
    c = compare(PEG, 6.0, 4.2)  # 30% fall exactly
    assert c.percent_change == pytest.approx(-30)
    assert c.improvement_thresholds_met == (30,)
    assert compare(NRS, 8, 4).improvement_thresholds_met == (30, 50)
    assert compare(NRS, 10, 7).improvement_thresholds_met == (30,)
    assert compare(NRS, 10, 8).improvement_thresholds_met == ()
    assert compare(NRS, 0, 3).percent_change is None  # no percent of a zero baseline
    assert compare(NRS, 5, 2).reliable_improvement is None  # no reliable-change rule for NRS


def test_it_uses_jacobson_truax_for_peg():
    jt = PEG.jacobson_truax
    assert (jt.s_pre, jt.r_xx) == (2.0, 0.73) and jt.source
    s_diff = math.sqrt(2 * (2.0 * math.sqrt(1 - 0.73)) ** 2)
    assert rci(jt, 7, 4) == pytest.approx(-3 / s_diff)  # = -2.04
    assert reliable_change_threshold(PEG) == pytest.approx(1.96 * s_diff)  # about 2.88 points
    assert compare(PEG, 7, 4).reliable_improvement  # |RCI| 2.04 > 1.96
    assert not compare(PEG, 7, 4.5).reliable_improvement  # |RCI| 1.70
    assert compare(PEG, 3, 6).reliable_deterioration
    assert compare(PEG, 7, 4).case_at_baseline is None  # no caseness for PEG


def test_it_counts_exactly_30_and_50_percent_falls_of_unrounded_peg_means():
    assert compare(PEG, 20 / 3, 14 / 3).improvement_thresholds_met == (30,)  # 6.67 -> 4.67 is exactly 30%
    assert compare(PEG, 20 / 3, 10 / 3).improvement_thresholds_met == (30, 50)  # 6.67 -> 3.33 is exactly 50%
    assert compare(PEG, 20 / 3, 15 / 3).improvement_thresholds_met == ()  # 25%
    assert compare(PEG, 6.67, 4.67).improvement_thresholds_met == ()  # what rounded means used to give


def test_the_progress_page_says_30_percent_for_a_stored_peg_fall_of_exactly_30(personas, clients):
    from modules.outcomes import selectors, services

    for vector in ((7, 7, 6), (5, 5, 4)):  # 20/3 (stored 6.67) -> 14/3 (stored 4.67)
        answers = list(zip([i.code for i in PEG_INSTRUMENT.items], vector, strict=True))
        services.submit_response(actor=personas.patient, patient=personas.patient, questionnaire="peg", answers=answers)
    change = selectors.changes_from_baseline(selectors.score_series(personas.patient.pk))["peg"]
    assert change.percent_change == pytest.approx(-30) and change.improvement_thresholds_met == (30,)
    page = clients["patient"].get("/outcomes/").content.decode()
    assert "6.67 → 4.67" in page and "-30%" in page
    assert "30% or more: a meaningful change" in page and "Less than 30%" not in page
