"""Progress pages with SVG charts and table alternative; schedule; amendments; demo data."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from modules.outcomes import selectors, services
from modules.outcomes.demo import load_demo_outcomes
from modules.outcomes.models import QuestionnaireResponse, RiskAlert

from .helpers import NRS_CODES, complete, weekly, with_item9


def submit(patient, slug, answers, when=None):
    return services.submit_response(
        actor=patient, patient=patient, questionnaire=slug, answers=list(answers.items()), submitted_at=when
    )


def test_progress_page_has_charts_tables_and_change(personas, clients):
    load_demo_outcomes({"patient": personas.patient})
    page = clients["patient"].get("/outcomes/").content.decode()
    assert page.count("<svg") == 8  # PHQ-9, GAD-7, PEG, NRS average and worst, PROMIS interference, function, sleep
    assert 'role="img"' in page and "<desc" in page and "<table>" in page
    assert "Baseline" in page and "Reliable improvement" in page
    assert "<script" not in page.split("<main")[1]
    assert "Moderate" in page  # band label
    therapist_page = clients["therapist"].get(f"/outcomes/patients/{personas.patient.pk}/").content.decode()
    assert therapist_page.count("<svg") == 8
    assert "Reliable improvement" in therapist_page


def test_demo_data_shows_improvement_and_an_open_alert(personas):
    load_demo_outcomes({"patient": personas.patient, "patient2": personas.stranger})
    load_demo_outcomes({"patient": personas.patient, "patient2": personas.stranger})  # idempotent
    series = selectors.score_series(personas.patient.pk)
    assert [p.total for p in series["phq9"]] == [14, 10, 6]
    assert [p.total for p in series["gad7"]] == [12, 9, 6]
    assert series["peg"][-1].total < series["peg"][0].total
    change = selectors.changes_from_baseline(series)["phq9"]
    assert change.reliable_improvement
    paired = selectors.latest_paired_change(series)  # 14 -> 6 and 12 -> 6: both fall reliably, both below caseness
    assert paired is not None and paired.reliable_improvement and paired.reliable_recovery
    assert RiskAlert.objects.filter(patient=personas.stranger, status="open").count() == 1
    assert not RiskAlert.objects.filter(patient=personas.patient).exists()


def test_amendment_replaces_scores_but_keeps_the_original(personas, clients):
    first = submit(personas.patient, "weekly-check-in", with_item9(weekly(phq=1), 0))
    page = clients["patient"].get(f"/outcomes/responses/{first.response.pk}/amend/")
    assert page.status_code == 200
    no_reason = clients["patient"].post(f"/outcomes/responses/{first.response.pk}/amend/", weekly(phq=0))
    assert no_reason.status_code == 400
    done = clients["patient"].post(
        f"/outcomes/responses/{first.response.pk}/amend/", {**weekly(phq=0), "reason": "Wrong week"}
    )
    assert done.status_code == 200
    assert QuestionnaireResponse.objects.filter(patient=personas.patient).count() == 2
    original = QuestionnaireResponse.objects.get(pk=first.response.pk)
    assert original.answers["44250-9"] == 1
    series = selectors.score_series(personas.patient.pk)
    assert [p.total for p in series["phq9"]] == [0]
    assert series["phq9"][0].at == original.submitted_at  # measured when first answered


def test_schedule_due_and_overdue(personas):
    start = timezone.now()
    assert selectors.due_questionnaires(personas.patient, now=start)[0].status == "due"  # baseline, nothing yet
    baseline = complete("baseline", {**weekly(), **dict(zip(NRS_CODES, [5, 6], strict=True))})
    with time_machine.travel(start, tick=False):
        submit(personas.patient, "baseline", baseline)
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient, now=start + timedelta(days=1))}
    assert items["baseline"].status == "done" and items["week-1"].status == "upcoming"
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient, now=start + timedelta(days=7))}
    assert items["week-1"].status == "due"
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient, now=start + timedelta(days=11))}
    assert items["week-1"].status == "overdue"
    submit(personas.patient, "weekly-check-in", weekly(), when=start + timedelta(days=11))
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient, now=start + timedelta(days=11))}
    assert items["week-1"].status == "done"
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient, now=start + timedelta(days=60))}
    assert items["post"].status == "overdue" and items["week-2"].status == "missed"
    items = {d.key: d for d in selectors.due_questionnaires(personas.patient, now=start + timedelta(days=57))}
    assert items["post"].status == "due"
    assert items["follow-up"].due_on == timezone.localdate(start + timedelta(days=56 + 91))


def test_the_form_renders_every_item_by_code(clients, personas):
    page = clients["patient"].get("/outcomes/q/weekly-check-in/").content.decode()
    for code in weekly():
        assert f'name="{code}"' in page
    assert 'name="69722-7"' in page  # the unscored PHQ-9 difficulty question
