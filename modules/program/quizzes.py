"""Questions at the end of a core lesson: a gentle check of understanding, never a test.

Kept with the content, one file per language in the module's folder::

    NN-slug/quiz.yaml       step (the lesson they follow), intro, questions
    NN-slug/quiz.fr.yaml    the same questions in Canadian French

A question has an ``id``, its ``text`` and two to four ``choices``; each choice has an ``id``, its
``text``, the kind ``feedback`` shown once it is picked, and ``lesson: true`` on the one the lesson
teaches (exactly one). Nothing is scored: whatever is picked, the patient reads a warm word and the
idea again; the answer is kept so the therapist can talk it over.

Answers are stored by question and choice id, so ids never change once published (a reworded
question keeps its id; a new idea gets a new id). A translation must have the same step, question
ids, choice ids and lesson marks as the English: only the words differ. The files are read here,
not by the program loader, and checked once per process (and by the tests for every core module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .languages import CONTENT_LANGUAGES, SOURCE_LANGUAGE

CONTENT_ROOT = Path(__file__).resolve().parent / "content"  # the same folder the program loader reads
LANGUAGES = CONTENT_LANGUAGES
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class QuizError(Exception):
    """A quiz file that cannot be shown: the message names the file and the question."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    feedback: str
    lesson: bool


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[Choice, ...]

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Quiz:
    module: str  # the module's slug
    step: str  # the slug of the lesson step the questions follow
    intro: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def file_name(language: str) -> str:
    return "quiz.yaml" if language == SOURCE_LANGUAGE else f"quiz.{language}.yaml"


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuizError(f"{where}: text is required")
    return value.strip()


def _id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not ID.match(value):
        raise QuizError(f"{where}: id {value!r} must be lower-case letters, digits and dashes")
    return value


def parse_quiz(path: Path, module: str) -> Quiz:
    """Read and check one quiz file (3 to 5 questions, 2 to 4 choices, exactly one the lesson's)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuizError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise QuizError(f"{path}: expected a mapping with step, intro and questions")
    raw_questions = data["questions"]
    if not MIN_QUESTIONS <= len(raw_questions) <= MAX_QUESTIONS:
        raise QuizError(f"{path}: {len(raw_questions)} questions; a lesson ends with 3 to 5")
    questions = []
    for number, q in enumerate(raw_questions, start=1):
        where = f"{path}, question {number}"
        if not isinstance(q, dict) or not isinstance(q.get("choices"), list):
            raise QuizError(f"{where}: needs id, text and choices")
        choices = []
        for c in q["choices"]:
            if not isinstance(c, dict):
                raise QuizError(f"{where}: a choice needs id, text and feedback")
            choices.append(
                Choice(
                    id=_id(c.get("id"), where),
                    text=_text(c.get("text"), where),
                    feedback=_text(c.get("feedback"), where),
                    lesson=c.get("lesson") is True,
                )
            )
        if not 2 <= len(choices) <= 4 or len({c.id for c in choices}) != len(choices):
            raise QuizError(f"{where}: 2 to 4 choices with different ids")
        if sum(c.lesson for c in choices) != 1:
            raise QuizError(f"{where}: exactly one choice is marked lesson: true")
        questions.append(Question(id=_id(q.get("id"), where), text=_text(q.get("text"), where), choices=tuple(choices)))
    if len({q.id for q in questions}) != len(questions):
        raise QuizError(f"{path}: two questions share an id")
    return Quiz(
        module=module,
        step=_id(data.get("step"), str(path)),
        intro=_text(data.get("intro"), str(path)),
        questions=tuple(questions),
    )


def shape(quiz: Quiz) -> tuple[Any, ...]:
    """Everything a translation must keep: the step, and each question's and choice's id and mark."""
    return (quiz.step, tuple((q.id, tuple((c.id, c.lesson) for c in q.choices)) for q in quiz.questions))


def _module_slug(folder: Path) -> str | None:
    try:
        data = yaml.safe_load((folder / "module.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return str(data["slug"]) if isinstance(data, dict) and data.get("slug") else None


@cache
def _quizzes(root: Path, program: str) -> dict[tuple[str, str], Quiz]:
    """Every quiz of one program, by (module slug, language), translations checked against English."""
    found: dict[tuple[str, str], Quiz] = {}
    for program_file in root.glob("*/program.yaml"):
        meta = yaml.safe_load(program_file.read_text(encoding="utf-8")) or {}
        if meta.get("slug") != program:
            continue
        for english in sorted(program_file.parent.glob("*/quiz.yaml")):
            module = _module_slug(english.parent)
            if module is None:
                raise QuizError(f"{english}: no module.yaml with a slug beside it")
            source = parse_quiz(english, module)
            found[(module, SOURCE_LANGUAGE)] = source
            for language in LANGUAGES[1:]:
                path = english.with_name(file_name(language))
                if not path.is_file():
                    continue
                translated = parse_quiz(path, module)
                if shape(translated) != shape(source):
                    raise QuizError(f"{path}: its step, question ids, choice ids or lesson marks differ from English")
                found[(module, language)] = translated
    return found


def quiz_for(program: str, module: str, language: str = SOURCE_LANGUAGE, *, root: Path = CONTENT_ROOT) -> Quiz | None:
    """The questions at the end of this module's lesson, in ``language`` (English when the module
    has no translation yet), or None when the module has none."""
    quizzes = _quizzes(root, program)
    return quizzes.get((module, language)) or quizzes.get((module, SOURCE_LANGUAGE))
