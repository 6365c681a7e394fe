"""Scoring over every possible answer vector, and validation that never yields a score."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest

from modules.outcomes import scoring
from modules.outcomes.instruments import QUESTIONNAIRES, RISK_ITEM

from .helpers import GAD_CODES, NRS_CODES, PEG_CODES, PGIC_CODES, PHQ_CODES, weekly

PHQ9 = QUESTIONNAIRES["phq-9"]


def phq_band(total: int) -> str:
    return ["minimal", "mild", "moderate", "moderately-severe", "severe"][min(total // 5, 4)]


def test_it_scores_all_262144_phq9_vectors_in_any_item_order():
    rng = random.Random(20260101)
    orders = []
    for _ in range(101):  # 101 deterministic shuffles, cycled (prime, so orders vary across vectors)
        order = list(range(9))
        rng.shuffle(order)
        orders.append(order)
    checked = 0
    for n, vector in enumerate(itertools.product(range(4), repeat=9)):
        pairs = [(PHQ_CODES[i], vector[i]) for i in orders[n % 101]]
        result = scoring.validate_and_score(PHQ9, pairs)
        (score,) = result.scores
        total = sum(vector)
        assert score.total == total
        assert score.band.key == phq_band(total)
        assert result.risk == (vector[8] > 0)  # item 9 is the 9th of the canonical order
        assert result.risk_items == ((RISK_ITEM,) if vector[8] else ())
        checked += 1
    assert checked == 4**9


def test_it_finds_item9_by_code_not_by_position():
    answers = [(code, 0) for code in PHQ_CODES if code != RISK_ITEM]
    result = scoring.validate_and_score(PHQ9, [(RISK_ITEM, 2), *answers])  # item 9 sent first
    assert result.risk and result.scores[0].total == 2
    # Last position holds a non-risk item answered 3: no risk.
    reordered = [(RISK_ITEM, 0)] + [(c, 0) for c in PHQ_CODES[:7]] + [(PHQ_CODES[7], 3)]
    assert not scoring.validate_and_score(PHQ9, reordered).risk


@pytest.mark.parametrize(
    "boundary",
    [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately-severe"),
        (19, "moderately-severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_puts_phq9_band_boundaries_at_5_10_15_20(boundary):
    total, band = boundary
    assert PHQ9.scales[0].band_for(total).key == band


def test_it_scores_all_gad7_vectors():
    gad7 = QUESTIONNAIRES["gad-7"]
    bands = {range(0, 5): "minimal", range(5, 10): "mild", range(10, 15): "moderate", range(15, 22): "severe"}
    for vector in itertools.product(range(4), repeat=7):
        pairs = list(zip(reversed(GAD_CODES), reversed(vector), strict=True))
        result = scoring.validate_and_score(gad7, pairs)
        total = sum(vector)
        assert result.scores[0].total == total
        assert result.scores[0].band.key == next(v for r, v in bands.items() if total in r)
        assert not result.risk


def test_it_scores_all_peg_vectors_as_the_mean():
    peg = QUESTIONNAIRES["peg"]
    for vector in itertools.product(range(11), repeat=3):
        result = scoring.validate_and_score(peg, list(zip(PEG_CODES, vector, strict=True))[::-1])
        score = result.scores[0]
        assert score.total == sum(vector) / 3  # unrounded: change and percentages use this
        assert score.stored == Decimal(str(round(sum(vector) / 3, 2)))  # rounded for storage and display
        assert scoring.exact_total(score.scale, float(score.stored)) == score.total  # recovered exactly
        assert 0 <= score.total <= 10


def test_it_scores_pain_nrs_and_pgic():
    nrs = QUESTIONNAIRES["pain-nrs"]
    for average, worst in itertools.product(range(11), repeat=2):
        result = scoring.validate_and_score(nrs, [(NRS_CODES[1], worst), (NRS_CODES[0], average)])
        assert {s.scale.key: s.total for s in result.scores} == {"nrs-average": average, "nrs-worst": worst}
    pgic = QUESTIONNAIRES["pgic"]
    assert [scoring.validate_and_score(pgic, [(PGIC_CODES[0], v)]).scores[0].band.key for v in range(1, 8)] == [
        "improved",
        "improved",
        "little-change",
        "little-change",
        "little-change",
        "worse",
        "worse",
    ]
    with pytest.raises(scoring.AnswerErrors):
        scoring.validate_and_score(pgic, [(PGIC_CODES[0], 0)])


def test_it_scores_the_weekly_check_in_per_instrument():
    q = QUESTIONNAIRES["weekly-check-in"]
    result = scoring.validate_and_score(q, list(weekly(phq=1, gad=2, peg=[4, 5, 6]).items()))
    assert {s.scale.key: s.total for s in result.scores} == {
        "peg": 5,
        "phq9": 9,
        "gad7": 14,
        "nrs-average": 5,
        "nrs-worst": 5,
    }
    assert result.risk


def _errors(q, pairs):
    with pytest.raises(scoring.AnswerErrors) as exc:
        scoring.validate_and_score(q, pairs)
    return exc.value.errors


def test_it_refuses_missing_out_of_range_duplicate_unknown_and_foreign_items():
    full = [(c, 1) for c in PHQ_CODES]
    assert RISK_ITEM in _errors(PHQ9, [p for p in full if p[0] != RISK_ITEM])  # missing item 9
    assert PHQ_CODES[0] in _errors(PHQ9, [(PHQ_CODES[0], 4), *full[1:]])  # out of range
    assert PHQ_CODES[0] in _errors(PHQ9, [(PHQ_CODES[0], -1), *full[1:]])
    assert PHQ_CODES[0] in _errors(PHQ9, [(PHQ_CODES[0], "1.5"), *full[1:]])
    assert PHQ_CODES[0] in _errors(PHQ9, [(PHQ_CODES[0], True), *full[1:]])
    assert PHQ_CODES[0] in _errors(PHQ9, [(PHQ_CODES[0], None), *full[1:]])
    assert PHQ_CODES[2] in _errors(PHQ9, [*full, (PHQ_CODES[2], 1)])  # duplicate, even with the same value
    assert "nope" in _errors(PHQ9, [*full, ("nope", 1)])  # unknown
    assert GAD_CODES[0] in _errors(PHQ9, [*full, (GAD_CODES[0], 1)])  # another instrument's item
    assert "__all__" in _errors(PHQ9, [*full, *[(f"x{i}", 0) for i in range(300)]])  # oversized
    assert set(_errors(PHQ9, [])) == set(PHQ_CODES)  # nothing answered: every required item


def test_it_accepts_digit_strings_and_an_omitted_optional_item():
    result = scoring.validate_and_score(PHQ9, [(c, "2") for c in PHQ_CODES] + [("69722-7", "")])
    assert result.scores[0].total == 18
    assert "69722-7" not in result.answers


# Every PROMIS answer vector, raw sum and T-score: test_promis.py.


def test_sleep_items_are_scored_so_that_higher_is_worse():
    from modules.outcomes.instruments import SLEEP_DISTURBANCE

    items = {i.code: i for i in SLEEP_DISTURBANCE.items}
    assert items["promis-Sleep109"].option(5).label == "Very poor"  # quality: very poor scores highest
    assert items["promis-Sleep116"].option(5).label == "Not at all"  # refreshing: reversed
    assert items["promis-Sleep44"].option(5).label == "Very much"


def test_every_instrument_records_its_licence_and_the_restricted_ones_are_not_shipped():
    from modules.outcomes.instruments import INSTRUMENTS

    for instrument in INSTRUMENTS.values():
        assert instrument.licence and instrument.reference, instrument.slug
    names = " ".join(i.name.lower() for i in INSTRUMENTS.values())
    assert "catastroph" not in names and "self-efficacy" not in names and "pseq" not in names


def test_the_schedule_asks_the_immpact_domains_at_baseline_post_and_follow_up_and_pain_weekly():
    for slug in ("baseline", "post-treatment", "follow-up"):
        slugs = {i.slug for i in QUESTIONNAIRES[slug].instruments}
        assert {"promis-pain-interference-6b", "promis-physical-function-6b", "promis-sleep-disturbance-4a",
                "health-care-use"} <= slugs  # fmt: skip
    assert "unwanted-effects" in {i.slug for i in QUESTIONNAIRES["post-treatment"].instruments}
    assert "pain-nrs" in {i.slug for i in QUESTIONNAIRES["weekly-check-in"].instruments}
