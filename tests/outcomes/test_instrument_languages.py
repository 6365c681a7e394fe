"""Questionnaires in French: published wording kept as instrument data, English with a note where
no French version can be used, the same scores in either language, and the language in FHIR."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from modules.outcomes import scoring, services
from modules.outcomes.fhir import observations_for, response_resource
from modules.outcomes.instruments import GAD7, INSTRUMENTS, PHQ9, QUESTIONNAIRES, SCREENER, Wording
from modules.outcomes.instruments.base import ENGLISH_ONLY_NOTE_FR
from modules.outcomes.models import Score

from .helpers import complete, weekly, with_item9

PATIENT_NOTE = "Ce questionnaire n'est offert qu'en anglais pour le moment."
GAD7_FIRST_ITEM_FR = "Sentiment de nervosité, d’anxiété ou de tension"
ALL_INSTRUMENTS = [*INSTRUMENTS.values(), *SCREENER.instruments]


def _texts(instrument):
    for item in instrument.items:
        yield item.text
        yield from (option.label for option in item.options)
        yield from (anchor for anchor in item.anchors if anchor)


@pytest.mark.parametrize("instrument", ALL_INSTRUMENTS, ids=lambda i: i.slug)
def test_every_instrument_says_what_it_offers_in_french(instrument):
    french = instrument.language_version("fr")
    assert french is not None, "each instrument records its French status as data"
    assert french.verification
    if french.availability == "published":
        assert french.source and french.licence
        with translation.override("fr"):
            assert all(isinstance(t, Wording) and t.has("fr") for t in _texts(instrument))
    if french.availability == "unavailable":
        assert french.note == ENGLISH_ONLY_NOTE_FR == PATIENT_NOTE


@pytest.mark.parametrize(
    "instrument",
    [i for i in ALL_INSTRUMENTS if i.language_version("fr").availability != "paceway"],
    ids=lambda i: i.slug,
)
def test_a_translator_cannot_alter_published_wording(instrument):
    """The items of a validated instrument are data, never gettext messages from the catalogue."""
    assert not any(isinstance(text, Promise) for text in _texts(instrument))
    if isinstance(instrument.period, Wording) or instrument.language_version("fr").availability == "published":
        assert not isinstance(instrument.period, Promise)


def test_phq9_and_gad7_are_in_canadian_french():
    with translation.override("fr"):
        assert str(PHQ9.items[0].text) == "Peu d’intérêt ou de plaisir à faire des choses"
        assert [str(o.label) for o in PHQ9.items[0].options] == [
            "Jamais",
            "Plusieurs jours",
            "Plus de sept jours",
            "Presque tous les jours",
        ]
        assert PHQ9.language_note() == ""
        assert str(GAD7.items[0].text) == GAD7_FIRST_ITEM_FR
        assert str(GAD7.period).startswith("Au cours des 14 derniers jours")
        # The Canadian French GAD-7 has its own options: not the PHQ-9's "Plus de sept jours".
        assert [str(o.label) for o in GAD7.items[0].options] == [
            "Jamais",
            "Plusieurs jours",
            "Plus de la moitié des jours",
            "Presque tous les jours",
        ]
        assert GAD7.language_note() == ""
        assert GAD7.language_here == "fr"
    with translation.override("en"):
        assert str(PHQ9.items[0].text) == "Little interest or pleasure in doing things"
        assert str(GAD7.items[0].text) == "Feeling nervous, anxious, or on edge"
        assert GAD7.language_note() == ""


@pytest.mark.parametrize("slug", ["weekly-check-in", "baseline", "post-treatment", "follow-up", "phq-9", "gad-7"])
def test_the_same_answers_score_the_same_in_both_languages(slug):
    answers = complete(slug, with_item9(weekly(phq=[3, 2, 1, 0, 3, 2, 1, 0, 1], gad=2, peg=[7, 6, 5], nrs=8), 1))
    results = {}
    for language in ("en", "fr"):
        with translation.override(language):
            result = scoring.validate_and_score(QUESTIONNAIRES[slug], list(answers.items()))
        results[language] = [(s.scale.key, s.stored, s.band.key if s.band else "") for s in result.scores]
        results[language + "-risk"] = result.risk
    assert results["en"] == results["fr"] and results["en"]
    assert results["en-risk"] == results["fr-risk"] is (slug != "gad-7")  # the GAD-7 has no risk item


def _submit_in(language, patient, answers):
    with translation.override(language):
        return services.submit_response(
            actor=patient, patient=patient, questionnaire="weekly-check-in", answers=list(answers.items())
        )


def test_a_patient_answering_in_french_gets_the_same_stored_scores(personas):
    p = personas.patient
    answers = weekly(phq=[2, 1, 1, 0, 2, 1, 0, 0, 0], gad=[1, 2, 0, 1, 3, 0, 1], peg=[6, 5, 4], nrs=[5, 7])
    english = _submit_in("en", p, answers)
    french = _submit_in("fr", p, answers)
    assert (english.response.language, french.response.language) == ("en", "fr")

    def stored(submission):
        return sorted(Score.objects.filter(response=submission.response).values_list("scale", "total", "band"))

    assert stored(english) == stored(french)
    assert dict((s[0], s[1]) for s in stored(french))["phq9"] == 7


def test_the_fhir_response_carries_its_language_and_the_wording_shown(personas):
    p = personas.patient
    answers = weekly(phq=1, gad=1)
    french = _submit_in("fr", p, answers).response
    english = _submit_in("en", p, answers).response
    definition = QUESTIONNAIRES["weekly-check-in"]
    ref = "urn:uuid:patient"
    with translation.override("en"):  # whoever exports, the response keeps its own language
        fr_resource = response_resource(french, definition, ref)
        en_resource = response_resource(english, definition, ref)
        phq_observations = observations_for(french, PHQ9, [], ref)
        gad_observations = observations_for(french, GAD7, [], ref)
    assert fr_resource["language"] == "fr-CA" and en_resource["language"] == "en"
    groups = {g["linkId"]: g for g in fr_resource["item"]}
    assert groups["phq-9"]["item"][0]["text"] == "Peu d’intérêt ou de plaisir à faire des choses"
    assert groups["phq-9"]["item"][0]["answer"][0]["valueCoding"] == {
        "system": "http://loinc.org",
        "code": "LA6569-3",
        "display": "Plusieurs jours",
    }
    assert groups["gad-7"]["item"][0]["text"] == GAD7_FIRST_ITEM_FR
    assert groups["gad-7"]["item"][0]["answer"][0]["valueCoding"]["display"] == "Plusieurs jours"
    en_groups = {g["linkId"]: g for g in en_resource["item"]}
    assert en_groups["phq-9"]["item"][0]["text"] == "Little interest or pleasure in doing things"
    assert en_groups["gad-7"]["item"][0]["text"] == "Feeling nervous, anxious, or on edge"
    assert phq_observations[0][1]["code"]["text"] == "Peu d’intérêt ou de plaisir à faire des choses"
    assert gad_observations[0][1]["code"]["text"] == GAD7_FIRST_ITEM_FR


def _in_french(client, user):
    user.preferred_language = "fr"
    user.save(update_fields=["preferred_language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def test_the_check_in_page_in_french_shows_the_french_items(personas, clients):
    page = _in_french(clients["patient"], personas.patient).get("/outcomes/q/weekly-check-in/").content.decode()
    assert "Peu d’intérêt ou de plaisir à faire des choses" in page
    assert "Plus de sept jours" in page
    assert "Little interest or pleasure in doing things" not in page
    # GAD-7 in its Canadian French version: French items, marked as French, under no English-only note.
    assert GAD7_FIRST_ITEM_FR in page
    assert "Plus de la moitié des jours" in page
    assert "Feeling nervous, anxious, or on edge" not in page
    section = page[page.index("(GAD-7)") : page.index("</section>", page.index("(GAD-7)"))]
    assert 'class="q-language-note"' not in section
    assert 'lang="fr"' in section and 'lang="en"' not in section


def test_the_check_in_page_in_english_has_no_language_note(clients):
    page = clients["patient"].get("/outcomes/q/weekly-check-in/").content.decode()
    assert "Little interest or pleasure in doing things" in page
    assert "Peu d’intérêt" not in page
    assert "Ce questionnaire" not in page


def test_answers_posted_from_the_french_page_score_like_english_ones(personas, clients):
    client = _in_french(clients["patient"], personas.patient)
    answers = weekly(phq=2, gad=1)
    done = client.post("/outcomes/q/weekly-check-in/", answers)
    assert done.status_code == 200
    response = personas.patient.questionnaire_responses.get()
    assert response.language == "fr"
    assert Score.objects.get(response=response, scale="phq9").total == 18
    assert Score.objects.get(response=response, scale="gad7").total == 7


def test_a_stranger_cannot_see_another_patients_french_response(personas, clients):
    """No new route: the export of a French response stays behind the existing access rules."""
    _submit_in("fr", personas.patient, weekly(phq=1))
    refused = clients["stranger"].get(f"/outcomes/patients/{personas.patient.pk}/discharge.json")
    assert refused.status_code in (403, 404)


def test_the_pain_scale_and_impression_of_change_are_in_french_with_the_same_values():
    """Paceway's own wording of generic scales (no published text to transcribe) is interface text."""
    from modules.outcomes.instruments import PAIN_NRS, PGIC

    with translation.override("fr-ca"):
        assert str(PAIN_NRS.items[0].text) == "Votre douleur en moyenne au cours de la dernière semaine"
        assert str(PAIN_NRS.items[0].options[0].label) == "0 (aucune douleur)"
        assert str(PGIC.items[0].options[0].label) == "Énormément mieux"
        assert PAIN_NRS.language_note() == "" and PGIC.language_note() == ""
    with translation.override("en"):
        assert str(PAIN_NRS.items[0].options[10].label) == "10 (worst pain imaginable)"
    assert [o.value for o in PAIN_NRS.items[0].options] == list(range(11))
