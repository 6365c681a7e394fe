"""The paired PHQ-9 + GAD-7 rules (NHS Talking Therapies), proven over every pair of start and end
scores: PHQ-9 0-27 x GAD-7 0-21 at both ends (379,456 cases), against an oracle written here from
the rule's wording in the clinical reference, not from the code under test."""

from __future__ import annotations

import itertools

import pytest

from modules.outcomes.change import GAD7_SCALE, PHQ9_SCALE, compare, paired, paired_scores

PHQ = range(28)
GAD = range(22)


def oracle(p0: int, g0: int, p1: int, g1: int) -> tuple[str, bool | None, bool | None]:
    """(verdict, recovery, reliable recovery) straight from the reference's sentences."""
    phq_better, phq_worse = p0 - p1 >= 6, p1 - p0 >= 6
    gad_better, gad_worse = g0 - g1 >= 4, g1 - g0 >= 4
    improvement = (phq_better and not gad_worse) or (gad_better and not phq_worse)
    deterioration = (phq_worse and not gad_better) or (gad_worse and not phq_better)
    assert not (improvement and deterioration)
    verdict = (
        "reliable-improvement" if improvement else "reliable-deterioration" if deterioration else "no-reliable-change"
    )
    if not (p0 >= 10 or g0 >= 8):
        return verdict, None, None
    recovered = p1 < 10 and g1 < 8
    return verdict, recovered, recovered and improvement


def test_it_agrees_with_the_oracle_on_every_pair_of_start_and_end_scores():
    phq = {(a, b): compare(PHQ9_SCALE, a, b) for a in PHQ for b in PHQ}
    gad = {(a, b): compare(GAD7_SCALE, a, b) for a in GAD for b in GAD}
    checked = 0
    counts: dict[str, int] = {}
    for p0, p1, g0, g1 in itertools.product(PHQ, PHQ, GAD, GAD):
        result = paired(phq[p0, p1], gad[g0, g1])
        expected = oracle(p0, g0, p1, g1)
        if (result.verdict, result.recovery, result.reliable_recovery) != expected:
            pytest.fail(f"PHQ-9 {p0}->{p1}, GAD-7 {g0}->{g1}: got {result}, expected {expected}")
        counts[result.verdict] = counts.get(result.verdict, 0) + 1
        checked += 1
    assert checked == 28 * 28 * 22 * 22 == 379_456
    assert all(counts[v] > 0 for v in ("reliable-improvement", "reliable-deterioration", "no-reliable-change"))


@pytest.mark.parametrize(
    ("scores", "verdict", "recovery", "reliable_recovery"),
    [
        ((16, 8, 10, 8), "reliable-improvement", False, False),  # PHQ-9 -6 exactly; GAD-7 still a case at 8
        ((16, 8, 9, 7), "reliable-improvement", True, True),  # both below caseness (9 < 10, 7 < 8)
        ((16, 8, 11, 7), "no-reliable-change", False, False),  # -5 and -1: not reliable, PHQ-9 still a case
        ((12, 2, 9, 1), "no-reliable-change", True, False),  # recovered without reliable improvement
        ((16, 2, 10, 6), "no-reliable-change", False, False),  # PHQ-9 -6 but GAD-7 +4: one of each
        ((4, 3, 10, 3), "reliable-deterioration", None, None),  # +6, not a case at the start
        ((9, 8, 9, 4), "reliable-improvement", True, True),  # a case on GAD-7 alone (8 exactly)
        ((9, 7, 9, 7), "no-reliable-change", None, None),  # 9 < 10 and 7 < 8: not a case
        ((20, 15, 14, 18), "reliable-improvement", False, False),  # -6 and +3 (under 4): improvement, still a case
    ],
)
def test_it_gets_the_boundaries_right(scores, verdict, recovery, reliable_recovery):
    result = paired_scores(*scores)
    assert (result.verdict, result.recovery, result.reliable_recovery) == (verdict, recovery, reliable_recovery)


def test_per_measure_results_ride_along_labelled():
    result = paired_scores(16, 2, 10, 6)
    assert result.phq9.reliable_improvement and result.gad7.reliable_deterioration
    assert not result.reliable_improvement and not result.reliable_deterioration


def test_it_refuses_the_measures_the_wrong_way_round():
    with pytest.raises(ValueError, match="PHQ-9"):
        paired(compare(GAD7_SCALE, 8, 4), compare(PHQ9_SCALE, 16, 8))


def _sit(patient, phq: int, gad: int, peg: int, days_ago: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from modules.outcomes import services

    from .helpers import weekly

    phq_items = [min(3, max(0, phq - 3 * i)) for i in range(8)] + [0]  # item 9 always 0
    gad_items = [min(3, max(0, gad - 3 * i)) for i in range(7)]
    services.submit_response(
        actor=patient,
        patient=patient,
        questionnaire="weekly-check-in",
        answers=list(weekly(phq=phq_items, gad=gad_items, peg=peg).items()),
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_charts_show_one_paired_verdict_and_never_a_lone_recovery(personas, clients):
    _sit(personas.patient, phq=16, gad=12, peg=5, days_ago=20)
    _sit(personas.patient, phq=8, gad=12, peg=5, days_ago=1)  # PHQ-9 -8 and below 10; GAD-7 still a case
    page = clients["patient"].get("/outcomes/").content.decode()
    assert page.count("Mood and worry together (PHQ-9 and GAD-7)") == 2  # on both charts, the same verdict
    assert "Not yet: at least one is still at or above the clinical threshold" in page
    assert "Recovered" not in page
    assert "PHQ-9 alone" in page and "reliable fall on this measure" in page


def test_one_measure_better_and_the_other_worse_is_no_reliable_change_on_every_page(personas, clients):
    from therapist.workspace.selectors import caseload

    _sit(personas.patient, phq=16, gad=4, peg=5, days_ago=20)
    _sit(personas.patient, phq=10, gad=8, peg=5, days_ago=1)  # PHQ-9 -6, GAD-7 +4
    page = clients["therapist"].get(f"/outcomes/patients/{personas.patient.pk}/").content.decode()
    verdicts = [chunk.split("</dd>")[0] for chunk in page.split('class="paired-verdict">')[1:]]
    assert verdicts == ["No reliable change yet"] * 2
    row = next(r for r in caseload(personas.therapist) if r.patient == personas.patient)
    assert row.mood is not None and row.mood.verdict == "no-reliable-change" and not row.deteriorated


def test_the_dashboard_flags_pain_that_got_reliably_worse(personas):
    from therapist.workspace.selectors import caseload

    _sit(personas.patient, phq=5, gad=4, peg=3, days_ago=20)
    _sit(personas.patient, phq=5, gad=4, peg=7, days_ago=1)  # PEG 3 -> 7: beyond the 2.88-point RCI
    row = next(r for r in caseload(personas.therapist) if r.patient == personas.patient)
    assert row.mood is not None and row.mood.verdict == "no-reliable-change"
    assert row.pain is not None and row.pain.reliable_deterioration and row.deteriorated
