"""The mid-program review: due after module 3 (configurable), recorded with both sides' words and
the shared decision, shown to the patient in "Your plan", flagged on the dashboard."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from modules.program import selectors, services
from modules.program.loader import load_program
from modules.program.models import ProgramReview
from therapist.workspace.selectors import caseload, has_flag

MINI = Path(__file__).resolve().parents[1] / "program" / "content" / "mini"
REVIEW = {
    "what_helps": "Pacing walks in the morning",
    "what_gets_in_the_way": "Long shifts on Thursdays",
    "patient_words": "I want to keep going but slower",
    "therapist_words": "Scores are steady; we add a week to module 4",
    "decision": "adjust",
}


@pytest.fixture
def enrolment(personas):
    program = load_program(MINI).program
    return services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=date(2026, 1, 5)
    )


def complete(enrolment, n):
    for plan in enrolment.plans.filter(included=True).order_by("position")[:n]:
        plan.completed_at = timezone.now()
        plan.save(update_fields=["completed_at"])


def row(personas):
    return next(r for r in caseload(personas.therapist) if r.patient == personas.patient)


def test_it_is_due_after_module_3_and_not_before(personas, enrolment):
    complete(enrolment, 2)
    assert not row(personas).program_review_due
    complete(enrolment, 3)
    assert row(personas).program_review_due and has_flag(row(personas), "midreview")


def test_the_module_is_configurable(personas, enrolment, settings):
    settings.PROGRAM_REVIEW_AFTER_MODULE = 2
    complete(enrolment, 2)
    assert row(personas).program_review_due
    assert selectors.review_due(2, [], after=3) is False and selectors.review_due(3, [1], after=3) is True


def test_the_therapist_records_it_and_the_patient_reads_it(personas, clients, enrolment):
    complete(enrolment, 3)
    page = clients["therapist"].get(f"/therapist/patients/{personas.patient.pk}/").content.decode()
    assert "Mid-program review with the patient" in page and "Review due" in page
    response = clients["therapist"].post(f"/therapist/patients/{personas.patient.pk}/program-review/", REVIEW)
    assert response.status_code == 302
    review = ProgramReview.objects.get()
    assert review.after_module == 3 and review.decision == "adjust" and review.created_by == personas.therapist
    assert not row(personas).program_review_due
    plan = clients["patient"].get("/program/plan/").content.decode()
    assert "Your progress reviews" in plan and "Adjust the plan" in plan
    assert "I want to keep going but slower" in plan and "we add a week to module 4" in plan


@pytest.mark.parametrize("missing", ["patient_words", "therapist_words", "decision"])
def test_both_sides_words_and_a_decision_are_needed(personas, clients, enrolment, missing):
    response = clients["therapist"].post(
        f"/therapist/patients/{personas.patient.pk}/program-review/", {**REVIEW, missing: ""}
    )
    assert response.status_code == 302 and not ProgramReview.objects.exists()
    with pytest.raises(ValidationError):
        services.record_program_review(actor=personas.therapist, enrolment=enrolment, **{**REVIEW, missing: " "})


@pytest.mark.parametrize("who", ["stranger", "unassigned_therapist", "patient", "admin"])
def test_a_stranger_is_refused(personas, clients, enrolment, who):
    response = clients[who].post(f"/therapist/patients/{personas.patient.pk}/program-review/", REVIEW)
    assert response.status_code == 404 and not ProgramReview.objects.exists()


def test_the_review_keeps_the_scores_gone_through_with_the_paired_verdict(personas, clients, enrolment):
    from datetime import timedelta

    from modules.outcomes import services as outcomes
    from tests.outcomes.helpers import weekly

    def sit(phq: int, gad: int, days_ago: int) -> None:
        outcomes.submit_response(
            actor=personas.patient,
            patient=personas.patient,
            questionnaire="weekly-check-in",
            answers=list(weekly(phq=[phq, *[0] * 8], gad=[gad, *[0] * 6], peg=6).items()),
            submitted_at=timezone.now() - timedelta(days=days_ago),
        )

    # Not a case at the start, neither measure changes reliably: the pair's verdict on both rows.
    sit(3, 3, days_ago=20)
    sit(0, 3, days_ago=2)
    complete(enrolment, 3)
    clients["therapist"].post(f"/therapist/patients/{personas.patient.pk}/program-review/", REVIEW)
    review = ProgramReview.objects.get()
    by_label = {line["label"]: line for line in review.scores}
    assert by_label["PHQ-9"]["start"] == "3" and by_label["PHQ-9"]["end"] == "0"
    assert by_label["PHQ-9"]["verdict"] == by_label["GAD-7"]["verdict"] == "no reliable change"
    sit(0, 0, days_ago=1)  # a later score does not change what was discussed
    plan = clients["patient"].get("/program/plan/").content.decode()
    assert "Your scores so far" in plan and "no reliable change" in plan
    assert ProgramReview.objects.get().scores == review.scores
    assert "Your scores so far" not in clients["stranger"].get("/program/plan/").content.decode()
