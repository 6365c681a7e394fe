"""Issue 11: three to five short questions at the end of each core lesson, in English and Canadian
French, kept with the content; kind feedback for every choice, never a mark; the patient's answers
are kept and their therapist sees them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.utils import timezone
from django.utils.html import escape

from modules.program import quizzes, services
from modules.program.loader import CONTENT_ROOT, load_program
from modules.program.models import LessonAnswer
from tests.conftest import client_for

PROGRAM = CONTENT_ROOT / "chronic-pain"
LESSON_URL = "/program/modules/understanding-pain/lesson/"


def _core_module_folders() -> list[Path]:
    folders = []
    for module_file in sorted(PROGRAM.glob("*/module.yaml")):
        if yaml.safe_load(module_file.read_text())["kind"] == "core":
            folders.append(module_file.parent)
    return folders


def test_every_core_lesson_ends_with_three_to_five_questions_in_english_and_french():
    folders = _core_module_folders()
    assert [f.name[:2] for f in folders] == [f"{n:02d}" for n in range(1, 9)]
    for folder in folders:
        module = yaml.safe_load((folder / "module.yaml").read_text())
        lesson_steps = {s["slug"] for s in module["steps"] if s["kind"] == "lesson"}
        english = quizzes.parse_quiz(folder / "quiz.yaml", module["slug"])
        french = quizzes.parse_quiz(folder / "quiz.fr.yaml", module["slug"])
        assert english.step in lesson_steps, folder.name
        assert 3 <= len(english.questions) <= 5, folder.name
        assert quizzes.shape(french) == quizzes.shape(english), folder.name
        for quiz in (english, french):
            for question in quiz.questions:
                assert all(c.feedback for c in question.choices)
        # The French reads French (not a copy of the English), with its typography.
        assert french.intro != english.intro and "\u00a0:" in french.intro
        for q_en, q_fr in zip(english.questions, french.questions, strict=True):
            assert q_en.text != q_fr.text
    optional = [f for f in PROGRAM.glob("*/module.yaml") if f.parent not in folders]
    assert optional and not any((f.parent / "quiz.yaml").exists() for f in optional)


def test_it_never_marks_the_answers():
    """No choice's feedback scolds, and no question reads like an exam."""
    for folder in _core_module_folders():
        for name in ("quiz.yaml", "quiz.fr.yaml"):
            text = (folder / name).read_text().lower()
            for word in ("wrong!", "incorrect", "score", "fail the", "mauvaise réponse!", "faux!"):
                assert word not in text, (folder.name, name, word)


@pytest.mark.parametrize(
    "change",
    [
        lambda q: q.__setitem__("questions", q["questions"][:2]),  # too few questions
        lambda q: q["questions"][0]["choices"][0].__setitem__("lesson", True),  # two lesson marks
        lambda q: q["questions"][0]["choices"][0].__setitem__("id", "renamed"),  # ids differ from English
    ],
)
def test_it_refuses_a_translation_or_a_quiz_that_does_not_hold_together(tmp_path, change):
    folder = tmp_path / "chronic-pain"
    shutil.copytree(PROGRAM, folder)
    french = folder / "01-understanding-pain" / "quiz.fr.yaml"
    data = yaml.safe_load(french.read_text())
    change(data)
    french.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(quizzes.QuizError):
        quizzes.quiz_for("chronic-pain", "understanding-pain", "fr", root=tmp_path)


@pytest.fixture
def real_enrolment(personas):
    program = load_program(PROGRAM).program
    return services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=timezone.localdate()
    )


def _quiz(language: str = "en") -> quizzes.Quiz:
    quiz = quizzes.quiz_for("chronic-pain", "understanding-pain", language)
    assert quiz is not None
    return quiz


def test_the_patient_answers_and_reads_kind_feedback_with_no_mark(personas, real_enrolment):
    client = client_for(personas.patient)
    quiz = _quiz()
    page = client.get(LESSON_URL).content.decode()
    assert 'id="lesson-questions"' in page and escape(quiz.questions[0].text) in page
    assert all(escape(c.feedback) not in page for q in quiz.questions for c in q.choices)  # nothing shown before

    first, second = quiz.questions[0], quiz.questions[1]
    not_the_lesson = next(c for c in first.choices if not c.lesson)
    the_lesson = next(c for c in second.choices if c.lesson)
    response = client.post(LESSON_URL, {f"q-{first.id}": not_the_lesson.id, f"q-{second.id}": the_lesson.id})
    assert response.status_code == 302 and response["Location"].endswith("#lesson-questions")

    page = client.get(LESSON_URL).content.decode()
    assert escape(not_the_lesson.feedback) in page and escape(the_lesson.feedback) in page
    assert "Your answers are kept. Your therapist can see them." in page
    assert re.search(rf'value="{not_the_lesson.id}" checked', page)
    assert not re.search(r"\d+ ?/ ?\d+ (correct|right)|score", page, re.IGNORECASE)
    kept = {a.question: a.choice for a in LessonAnswer.objects.filter(enrolment=real_enrolment)}
    assert kept == {first.id: not_the_lesson.id, second.id: the_lesson.id}

    # Answering again keeps the new pick, one row per question.
    client.post(LESSON_URL, {f"q-{first.id}": next(c for c in first.choices if c.lesson).id})
    kept = {a.question: a.choice for a in LessonAnswer.objects.filter(enrolment=real_enrolment)}
    assert kept[first.id] != not_the_lesson.id and len(kept) == 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "pick an answer to at least one question"),
        ({"q-pain-is-real": "sensitive-system", "q-smoke-alarm": "not-a-choice"}, "not one of the choices"),
    ],
)
def test_bad_answers_get_a_clear_message_and_change_nothing(personas, real_enrolment, data, message):
    response = client_for(personas.patient).post(LESSON_URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LessonAnswer.objects.exists()


def test_the_questions_follow_the_lesson_only_and_a_locked_module_refuses_answers(personas, real_enrolment):
    client = client_for(personas.patient)
    assert 'id="lesson-questions"' not in client.get("/program/modules/understanding-pain/story/").content.decode()
    assert client.post("/program/modules/understanding-pain/story/", {"q-pain-is-real": "imagined"}).status_code == 404
    locked = client.post("/program/modules/activity-pacing/lesson/", {"q-baseline": "eighty-percent"})
    assert locked.status_code == 403
    assert not LessonAnswer.objects.exists()


def test_a_french_reader_gets_the_questions_in_french(personas, real_enrolment):
    client = client_for(personas.patient)
    client.post("/i18n/setlang/", {"language": "fr"})
    page = client.get(LESSON_URL).content.decode()
    french = _quiz("fr")
    assert escape(french.intro) in page and escape(french.questions[0].text) in page
    pick = french.questions[0].choices[1]
    client.post(LESSON_URL, {f"q-{french.questions[0].id}": pick.id})
    assert escape(pick.feedback) in client.get(LESSON_URL).content.decode()


def test_the_therapist_sees_the_answers_and_strangers_do_not(personas, real_enrolment):
    quiz = _quiz()
    question = quiz.questions[2]
    pick = next(c for c in question.choices if not c.lesson)
    client_for(personas.patient).post(LESSON_URL, {f"q-{question.id}": pick.id})
    url = f"/program/patients/{personas.patient.pk}/"
    page = client_for(personas.therapist).get(url).content.decode()
    assert 'id="lesson-answers"' in page and escape(question.text) in page and escape(pick.text) in page
    assert "talk it over" in page
    for who in (personas.stranger, personas.unassigned_therapist, personas.admin):
        assert client_for(who).get(url).status_code == 404
    # Nobody else answers for the patient: the lesson page is the patient's own.
    for who in (personas.therapist, personas.unassigned_therapist, personas.admin):
        assert client_for(who).post(LESSON_URL, {f"q-{question.id}": pick.id}).status_code == 404
    assert LessonAnswer.objects.count() == 1


def test_a_stranger_patient_cannot_touch_anothers_answers(personas, real_enrolment):
    """The stranger has no enrolment: the same address is their own (empty) program, never the patient's."""
    question = _quiz().questions[0]
    response = client_for(personas.stranger).post(LESSON_URL, {f"q-{question.id}": question.choices[0].id})
    assert response.status_code in (200, 302, 404)
    assert not LessonAnswer.objects.exists()
