"""PROMIS short forms: raw sums, T-scores from the scoring tables (every answer vector, every
boundary), where each table comes from, reliable change from the tables' standard errors, the
licence recorded, and the dashboard flag for function that got reliably worse (personas).

The 6-item tables (Pain Interference 6a, Physical Function 6b) are recomputed here from the PROMIS
item calibrations by the scoring manual's method, and the same computation is shown to reproduce
the published PROMIS-29 4a tables, which share 4 items with each form. The Sleep Disturbance 4a
table is the published one, transcribed here a second time.
"""

from __future__ import annotations

import itertools
import math
from datetime import timedelta

import pytest
from django.utils import timezone

from modules.outcomes import scoring, services
from modules.outcomes.change import compare, reliable_change_threshold
from modules.outcomes.instruments import (
    PAIN_INTERFERENCE,
    PHYSICAL_FUNCTION,
    QUESTIONNAIRES,
    SCALES,
    SLEEP_DISTURBANCE,
    TScoreTable,
)

from .helpers import complete

# PROMIS item calibrations (graded response model: slope, 4 thresholds), Assessment Center.
PI_ITEMS = {
    "PAININ9": (6.53406, (0.1579, 0.8959, 1.4377, 2.0103)),
    "PAININ22": (5.3971, (0.1709, 0.8366, 1.3266, 1.9589)),
    "PAININ31": (5.90514, (0.473, 1.0094, 1.5063, 2.077)),
    "PAININ34": (4.92619, (0.1771, 0.8447, 1.363, 1.9795)),
    "PAININ12": (5.29892, (0.1808, 0.8281, 1.2865, 1.8824)),
    "PAININ36": (5.69697, (0.3417, 0.959, 1.4786, 2.036)),
}
PF_ITEMS = {
    "PFA11": (4.83487, (-1.9837, -1.5298, -1.1056, -0.4545)),
    "PFA21": (4.23685, (-1.885, -1.4805, -1.0464, -0.3953)),
    "PFA23": (4.28753, (-1.9146, -1.5792, -1.1944, -0.6814)),
    "PFA53": (4.43957, (-2.546, -1.9738, -1.4509, -0.8195)),
    "PFC12": (4.68283, (-1.4213, -0.9182, -0.3854, 0.0586)),
    "PFB1": (4.38889, (-2.4474, -1.6384, -1.076, -0.632)),
}
# Published PROMIS-29 (v2) T-score tables, raw 4..20.
PUBLISHED_PI_4A = (41.6, 49.6, 52.0, 53.9, 55.6, 57.1, 58.5, 59.9, 61.2, 62.5, 63.8, 65.2, 66.6, 68.0, 69.7, 71.6, 75.6)
PUBLISHED_PF_4A = (22.9, 26.9, 29.1, 30.7, 32.1, 33.3, 34.4, 35.6, 36.7, 37.9, 39.1, 40.4, 41.8, 43.4, 45.3, 48.0, 56.9)
# Published Sleep Disturbance 4a table (raw 4..20): T-score and SE.
PUBLISHED_SD_4A = (
    (32.0, 5.2), (37.5, 4.0), (41.1, 3.7), (43.8, 3.5), (46.2, 3.5), (48.4, 3.4), (50.5, 3.4), (52.4, 3.4),
    (54.3, 3.4), (56.1, 3.4), (57.9, 3.3), (59.8, 3.3), (61.7, 3.3), (63.8, 3.4), (66.0, 3.4), (68.8, 3.7),
    (73.3, 4.6),
)  # fmt: skip


def eap_summed_score_table(items: list[tuple[float, tuple[float, ...]]]) -> list[tuple[float, float]]:
    """(T, SE) for each summed score: Lord-Wingersky recursion, N(0, 1) prior, 81 points on -4..4."""
    grid = [-4 + 0.1 * i for i in range(81)]
    prior = [math.exp(-q * q / 2) for q in grid]
    likelihood = {0: [1.0] * len(grid)}
    for slope, thresholds in items:
        above = [[1.0] * len(grid)]
        above += [[1 / (1 + math.exp(-slope * (q - b))) for q in grid] for b in thresholds]
        above += [[0.0] * len(grid)]
        category = [[above[k][i] - above[k + 1][i] for i in range(len(grid))] for k in range(len(thresholds) + 1)]
        nxt: dict[int, list[float]] = {}
        for total, lik in likelihood.items():
            for k, prob in enumerate(category):
                acc = nxt.setdefault(total + k, [0.0] * len(grid))
                for i in range(len(grid)):
                    acc[i] += lik[i] * prob[i]
        likelihood = nxt
    out = []
    for total in sorted(likelihood):
        w = [likelihood[total][i] * prior[i] for i in range(len(grid))]
        mean = sum(wi * q for wi, q in zip(w, grid, strict=True)) / sum(w)
        sd = math.sqrt(sum(wi * (q - mean) ** 2 for wi, q in zip(w, grid, strict=True)) / sum(w))
        out.append((round(50 + 10 * mean, 1), round(10 * sd, 1)))
    return out


def test_the_method_reproduces_the_published_promis_29_tables():
    pi4 = eap_summed_score_table([PI_ITEMS[k] for k in ("PAININ9", "PAININ22", "PAININ31", "PAININ34")])
    pf4 = eap_summed_score_table([PF_ITEMS[k] for k in ("PFA11", "PFA21", "PFA23", "PFA53")])
    assert tuple(t for t, _se in pi4) == PUBLISHED_PI_4A
    assert tuple(t for t, _se in pf4) == PUBLISHED_PF_4A


@pytest.mark.parametrize(
    ("instrument", "calibrations"),
    [(PAIN_INTERFERENCE, PI_ITEMS), (PHYSICAL_FUNCTION, PF_ITEMS)],
)
def test_the_six_item_tables_are_the_method_applied_to_the_forms_items(instrument, calibrations):
    codes = [item.code.removeprefix("promis-") for item in instrument.items]
    assert sorted(codes) == sorted(calibrations)  # the form's items, no more, no fewer
    table = instrument.scales[1].tscores
    assert [(t, se) for _raw, t, se in table.rows] == eap_summed_score_table([calibrations[c] for c in codes])
    assert table.verified is False and "Not yet compared" in table.source


def test_the_sleep_table_is_the_published_one():
    table = SLEEP_DISTURBANCE.scales[1].tscores
    assert table.verified is True
    assert [(raw, t, se) for raw, t, se in table.rows] == [
        (raw, t, se) for raw, (t, se) in zip(range(4, 21), PUBLISHED_SD_4A, strict=True)
    ]


@pytest.mark.parametrize(
    ("slug", "raw_key", "low", "high", "t_low", "t_high"),
    [
        ("promis-pain-interference-6b", "promis-pi", 6, 30, 41.1, 76.2),
        ("promis-physical-function-6b", "promis-pf", 6, 30, 21.6, 58.7),
        ("promis-sleep-disturbance-4a", "promis-sleep", 4, 20, 32.0, 73.3),
    ],
)
def test_every_answer_vector_gets_its_raw_sum_and_the_tables_t_score(slug, raw_key, low, high, t_low, t_high):
    form = QUESTIONNAIRES[slug]
    codes = list(form.items_by_code)
    table = SCALES[f"{raw_key}-t"][1].tscores
    seen = set()
    for vector in itertools.product(range(1, 6), repeat=len(codes)):
        result = scoring.validate_and_score(form, list(zip(codes, vector, strict=True))[::-1])
        raw, t = result.scores
        assert raw.scale.key == raw_key and raw.total == sum(vector)
        assert t.scale.key == f"{raw_key}-t" and t.total == table.rows[sum(vector) - low][1]
        assert str(t.stored) == f"{t.total:.1f}"
        seen.add(raw.total)
    assert seen == set(range(low, high + 1))  # every row of the table is reached
    # Boundaries: the lowest and highest answers, and one step in from each.
    assert [table.t_score(r) for r in (low, high)] == [t_low, t_high]
    assert table.t_score(low) < table.t_score(low + 1) and table.t_score(high - 1) < table.t_score(high)
    for outside in (low - 1, high + 1):
        with pytest.raises(ValueError):
            table.t_score(outside)


def test_a_table_with_a_gap_or_a_fall_is_refused():
    with pytest.raises(ValueError):
        TScoreTable(rows=((4, 30.0, 5.0), (6, 40.0, 4.0)), source="x", verified=False)
    with pytest.raises(ValueError):
        TScoreTable(rows=((4, 30.0, 5.0), (5, 29.0, 4.0)), source="x", verified=False)


def test_the_licence_and_the_wording_check_are_recorded():
    for instrument in (PAIN_INTERFERENCE, PHYSICAL_FUNCTION, SLEEP_DISTURBANCE):
        assert "HealthMeasures" in instrument.licence and "clinical care" in instrument.licence
        assert "official translations only" in instrument.licence
        assert "PDF" in instrument.reference  # says the wording was not checked against the PDF form
    assert "6a" in PAIN_INTERFERENCE.name and PAIN_INTERFERENCE.version == "v1.0 6a"
    assert [i.code for i in PAIN_INTERFERENCE.items] == [
        "promis-PAININ9", "promis-PAININ22", "promis-PAININ31", "promis-PAININ34", "promis-PAININ12", "promis-PAININ36"
    ]  # fmt: skip
    assert not SCALES["promis-pi"][1].shown and SCALES["promis-pi-t"][1].shown


def test_reliable_change_on_a_t_score_uses_both_standard_errors():
    pi, pf = SCALES["promis-pi-t"][1], SCALES["promis-pf-t"][1]
    # PI 60.4 (SE 1.4) -> 64.8 (SE 1.5): 4.4 > 1.96 * sqrt(1.4^2 + 1.5^2) = 4.02: reliably worse.
    worse = compare(pi, 60.4, 64.8)
    assert worse.reliable_deterioration and not worse.reliable_improvement
    assert worse.rci == pytest.approx(4.4 / math.hypot(1.4, 1.5))
    assert not compare(pi, 60.4, 63.8).reliable_deterioration  # 3.4 < 4.00
    assert compare(pi, 64.8, 60.4).reliable_improvement
    # Physical function: higher is better, so a fall is the deterioration.
    assert compare(pf, 40.2, 34.3).reliable_deterioration  # 5.9 > 1.96 * sqrt(1.8^2 + 1.8^2) = 4.99
    assert not compare(pf, 40.2, 36.0).reliable_deterioration  # 4.2
    assert compare(pf, 34.3, 40.2).reliable_improvement
    assert reliable_change_threshold(pf, 40.2) == pytest.approx(1.96 * math.sqrt(2) * 1.8)


@pytest.mark.parametrize("bad", [0, 6, "", "three", 2.5])
def test_an_out_of_range_promis_answer_is_refused_and_nothing_is_stored(personas, bad):
    from modules.outcomes.models import QuestionnaireResponse, Score

    answers = complete("promis-physical-function-6b", {})
    answers["promis-PFA11"] = bad  # type: ignore[assignment]
    with pytest.raises(scoring.AnswerErrors) as caught:
        services.submit_response(
            actor=personas.patient,
            patient=personas.patient,
            questionnaire="promis-physical-function-6b",
            answers=list(answers.items()),
        )
    assert "promis-PFA11" in caught.value.errors
    assert not QuestionnaireResponse.objects.exists() and not Score.objects.exists()


# The dashboard flags function that got reliably worse ------------------------------------------


def _promis(patient, questionnaire: str, *, pf: int, pi: int, days_ago: int) -> None:
    """A sitting with every PF item answered ``pf`` and every PI item ``pi`` (1-5)."""
    answers = complete(questionnaire, {})
    for item in PHYSICAL_FUNCTION.items:
        answers[item.code] = pf
    for item in PAIN_INTERFERENCE.items:
        answers[item.code] = pi
    services.submit_response(
        actor=patient,
        patient=patient,
        questionnaire=questionnaire,
        answers=list(answers.items()),
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def _row(therapist, patient):
    from therapist.workspace.selectors import caseload

    return next(r for r in caseload(therapist) if r.patient == patient)


def test_the_dashboard_flags_physical_function_that_got_reliably_worse(personas, clients):
    # PF raw 24 (T 43.1, SE 1.9) -> 18 (T 37.6, SE 1.8): a fall of 5.5 > 5.13. PI unchanged.
    _promis(personas.patient, "baseline", pf=4, pi=2, days_ago=60)
    _promis(personas.patient, "post-treatment", pf=3, pi=2, days_ago=1)
    row = _row(personas.therapist, personas.patient)
    assert row.deteriorated and row.worse_in == ["function"]
    page = clients["therapist"].get("/therapist/").content.decode()
    assert "Reliable deterioration: function" in page
    assert personas.patient.name in clients["therapist"].get("/therapist/?flag=deteriorated").content.decode()
    # Nobody else sees the patient on a dashboard.
    assert personas.patient.name not in clients["unassigned_therapist"].get("/therapist/").content.decode()
    assert clients["stranger"].get("/therapist/").status_code in (302, 403, 404)


def test_the_dashboard_flags_pain_interference_that_got_reliably_worse(personas):
    # PI raw 12 (T 55.6, SE 1.5) -> 18 (T 61.2, SE 1.4): a rise of 5.6 > 4.02.
    _promis(personas.patient, "baseline", pf=4, pi=2, days_ago=60)
    _promis(personas.patient, "post-treatment", pf=4, pi=3, days_ago=1)
    assert _row(personas.therapist, personas.patient).worse_in == ["function"]


def test_a_change_within_measurement_error_is_not_flagged(personas):
    # PF raw 24 -> 23 (T 43.1 -> 42.1) is well within the SEs; PI raw 12 -> 12.
    _promis(personas.patient, "baseline", pf=4, pi=2, days_ago=60)
    answers = complete("post-treatment", {})
    for item in PHYSICAL_FUNCTION.items:
        answers[item.code] = 4
    answers["promis-PFB1"] = 3
    for item in PAIN_INTERFERENCE.items:
        answers[item.code] = 2
    services.submit_response(
        actor=personas.patient, patient=personas.patient, questionnaire="post-treatment", answers=list(answers.items())
    )
    row = _row(personas.therapist, personas.patient)
    assert not row.deteriorated and row.worse_in == [] and len(row.function) == 2


def test_the_backfill_adds_the_t_score_of_every_older_raw_sum_once(personas):
    import importlib

    from django.apps import apps

    from modules.outcomes.models import Score

    _promis(personas.patient, "baseline", pf=4, pi=2, days_ago=60)
    Score.objects.filter(scale__endswith="-t").delete()  # as saved before the T-score scales existed
    backfill = importlib.import_module("modules.outcomes.migrations.0008_promis_t_scores").backfill
    backfill(apps, None)
    backfill(apps, None)  # idempotent
    got = dict(Score.objects.filter(scale__endswith="-t").values_list("scale", "total"))
    assert {k: float(v) for k, v in got.items()} == {"promis-pf-t": 43.1, "promis-pi-t": 55.6, "promis-sleep-t": 32.0}


def test_the_t_scores_reach_the_discharge_document_and_the_fhir_export_valid(personas):
    import json

    from fhir.resources.R4B.bundle import Bundle

    from modules.outcomes.discharge import discharge_document, discharge_summary
    from modules.outcomes.fhir import patient_bundle

    _promis(personas.patient, "baseline", pf=4, pi=2, days_ago=60)
    _promis(personas.patient, "post-treatment", pf=3, pi=2, days_ago=1)
    summary = discharge_summary(personas.patient)
    lines = {line.key: line for line in summary.scores}
    assert (lines["promis-pf-t"].start, lines["promis-pf-t"].end) == (43.1, 37.6)
    assert lines["promis-pf-t"].verdict == "reliable deterioration" and "promis-pf" not in lines
    Bundle.model_validate(json.loads(json.dumps(discharge_document(summary))))
    export = patient_bundle(personas.patient)
    Bundle.model_validate(json.loads(json.dumps(export)))
    values = [
        e["resource"]["valueQuantity"]["value"]
        for e in export["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "promis-pf-6b-tscore"
    ]
    assert sorted(values) == [37.6, 43.1]
