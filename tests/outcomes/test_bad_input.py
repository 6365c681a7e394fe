"""Bad input to every questionnaire (a missing item, a value out of range, an item from another
instrument): a clear error on the page, status 400, and nothing stored."""

from __future__ import annotations

import pytest

from modules.outcomes import services
from modules.outcomes.instruments import INSTRUMENTS, QUESTIONNAIRES
from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score


def valid(slug: str) -> dict[str, int]:
    return {code: min(item.values) for code, (_i, item) in QUESTIONNAIRES[slug].items_by_code.items()}


def foreign_item(slug: str) -> str:
    """An item of an instrument this questionnaire does not include (or, for one that includes them
    all, the unscored PHQ-9 total code, which is no item at all)."""
    mine = QUESTIONNAIRES[slug].items_by_code
    others = (item.code for inst in INSTRUMENTS.values() for item in inst.items if item.code not in mine)
    return next(others, "44261-6")


def nothing_stored() -> bool:
    return not (QuestionnaireResponse.objects.exists() or Score.objects.exists() or RiskAlert.objects.exists())


@pytest.mark.parametrize("slug", sorted(QUESTIONNAIRES))
def test_it_refuses_bad_input_to_every_questionnaire_and_stores_nothing(personas, clients, slug):
    url = f"/outcomes/q/{slug}/"
    answers = valid(slug)
    required = QUESTIONNAIRES[slug].required_codes[0]
    item = QUESTIONNAIRES[slug].items_by_code[required][1]
    cases = [
        ({k: v for k, v in answers.items() if k != required}, "Please answer this question."),
        ({**answers, required: max(item.values) + 1}, "Choose one of the answers offered."),
        ({**answers, required: min(item.values) - 1}, "Choose one of the answers offered."),
        ({**answers, required: "abc"}, "Choose one of the answers offered."),
        ({**answers, foreign_item(slug): 1}, "This question is not part of this questionnaire."),
    ]
    for payload, message in cases:
        response = clients["patient"].post(url, payload)
        assert response.status_code == 400, (slug, payload)
        assert message in response.content.decode(), (slug, message)
        assert nothing_stored()
    assert clients["patient"].post(url, answers).status_code == 200  # the valid one is accepted


def test_the_service_refuses_an_unknown_questionnaire(personas):
    with pytest.raises(services.scoring.AnswerErrors) as exc:
        services.submit_response(actor=personas.patient, patient=personas.patient, questionnaire="bdi", answers=[])
    assert exc.value.errors == {"__all__": ["Unknown questionnaire."]}
    assert nothing_stored()


def test_a_bad_amendment_keeps_the_original_alone(personas, clients):
    original = services.submit_response(
        actor=personas.patient, patient=personas.patient, questionnaire="peg", answers=list(valid("peg").items())
    ).response
    payload = {**valid("peg"), "peg-pain": 11, "reason": "typo"}
    response = clients["patient"].post(f"/outcomes/responses/{original.pk}/amend/", payload)
    assert response.status_code == 400 and "Choose one of the answers offered." in response.content.decode()
    assert list(QuestionnaireResponse.objects.values_list("pk", flat=True)) == [original.pk]
    assert Score.objects.count() == 1
