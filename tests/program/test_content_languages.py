"""Issue 12, the program in Canadian French: every language version loads into the same program
version, the loader refuses a translation whose structure differs from the English, and a patient
reads the program in their language and can switch at any time without losing progress."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from modules.program import services
from modules.program.languages import content_language
from modules.program.loader import CONTENT_ROOT, ContentError, check_module_parity, load_program, render_lesson
from modules.program.models import Program, Step, StepCompletion
from tests.conftest import client_for

BILINGUAL = Path(__file__).parent / "content" / "bilingual"


def _edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def _remove(relative: str) -> Callable[[Path], None]:
    return lambda folder: (folder / relative).unlink()


def _stray(relative: str) -> Callable[[Path], None]:
    """A translated module with no English beside it."""

    def add(folder: Path) -> None:
        (folder / relative).parent.mkdir()
        shutil.copy(folder / "02-second" / "module.fr.yaml", folder / relative)

    return add


@pytest.fixture
def program(db: None) -> Program:
    return load_program(BILINGUAL).program


@pytest.fixture
def enrolment(personas, program):
    return services.enrol_patient(
        actor=personas.therapist, patient=personas.patient, program=program, start_date=timezone.localdate()
    )


def test_it_maps_interface_languages_to_content_languages():
    assert [content_language(c) for c in ("fr-ca", "fr_CA", "fr", "FR-CA")] == ["fr"] * 4
    assert [content_language(c) for c in ("en", "en-us", "", None, "de")] == ["en"] * 5


def test_it_loads_every_language_into_one_program_version(program):
    again = load_program(BILINGUAL)
    assert not again.created and Program.objects.count() == 1
    assert program.translations["fr"]["title"] == "Programme bilingue"
    module = program.modules.get(slug="first")
    assert module.translations["fr"]["homework"][0] == "Remplissez votre journal chaque jour."
    lesson = Step.objects.get(module=module, slug="lesson")
    french = lesson.translations["fr"]
    assert french["title"] == "Pourquoi la douleur peut durer"
    assert "<strong>réelle</strong>" in french["body_html"]
    # Illustrations resolve to the translated SVG; the English keeps its own.
    assert "<title>L'alarme de la douleur</title>" in french["body_html"] and "Alarme</text>" in french["body_html"]
    assert "<title>The pain alarm</title>" in lesson.body_html and "Alarme" not in lesson.body_html
    assert (
        Step.objects.get(module=module, slug="diary").translations["fr"]["prompt"] == "Notez votre douleur chaque jour."
    )


def test_a_translated_copy_is_for_reading_only(program):
    from modules.program.models import PublishedContentError

    step = Step.objects.get(module__program=program, module__slug="first", slug="lesson")
    shown = step.in_language("fr-ca")
    assert (shown.pk, shown.title) == (step.pk, "Pourquoi la douleur peut durer") and step.title == "Why pain can last"
    assert step.in_language("en") is step
    with pytest.raises(PublishedContentError):
        shown.save()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_remove("02-second/module.fr.yaml"), ["02-second", "'second'", "module.fr.yaml"]),
        (_stray("03-third/module.fr.yaml"), ["03-third", "no English module.yaml"]),
        (_edit("01-first/lesson.fr.md", "](alarm.svg)", "](other.svg)"), ["'first'", "other"]),
        (_edit("01-first/module.fr.yaml", "slug: diary", "slug: journal"), ["'first'", "step 2", "'diary'", "slug"]),
        (
            _edit("01-first/module.fr.yaml", "exercise: pain_diary", "exercise: sleep_diary"),
            ["'first'", "step 2", "exercise", "sleep_diary"],
        ),
        (
            _edit("01-first/module.fr.yaml", "instrument: weekly-check-in", "instrument: phq9"),
            ["'first'", "step 3", "'check-in'", "instrument"],
        ),
        (_edit("01-first/module.fr.yaml", "kind: exercise", "kind: reflection"), ["'first'", "step 2", "kind"]),
        (_edit("01-first/module.fr.yaml", '  - "Parlez d\'une idée à une personne de confiance."\n', ""), ["homework"]),
        (_edit("01-first/module.fr.yaml", "number: 1", "number: 3"), ["'first'", "number"]),
        (_edit("01-first/module.fr.yaml", "file: lesson.fr.md", "file: lesson.md"), ["'first'", "lesson.fr.md"]),
        (_edit("02-second/module.fr.yaml", 'prompt: "', 'intro: "'), ["'second'", "step 1", "fields"]),
        (_edit("program.fr.yaml", "days_between_modules: 7", "days_between_modules: 5"), ["program.fr.yaml"]),
        (_remove("01-first/alarm.fr.svg"), ["first", "alarm.fr.svg"]),
    ],
)
def test_it_refuses_a_translation_that_does_not_match_the_english(db, tmp_path, change, expected):
    folder = tmp_path / "bilingual"
    shutil.copytree(BILINGUAL, folder)
    change(folder)
    with pytest.raises(ContentError) as refused:
        load_program(folder)
    for fragment in expected:
        assert fragment in str(refused.value)
    assert not Program.objects.exists()


def test_it_refuses_a_translated_step_added_or_moved(db, tmp_path):
    folder = tmp_path / "bilingual"
    shutil.copytree(BILINGUAL, folder)
    french = folder / "02-second" / "module.fr.yaml"
    french.write_text(
        french.read_text(encoding="utf-8")
        + '  - slug: more\n    kind: reflection\n    title: "Encore"\n    prompt: "Autre chose?"\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="number of steps"):
        load_program(folder)


def test_english_only_content_loads_as_before(db, tmp_path):
    folder = tmp_path / "bilingual"
    shutil.copytree(BILINGUAL, folder)
    (folder / "program.fr.yaml").unlink()  # no language version declared: the French files wait
    program = load_program(folder).program
    assert program.translations == {} and not Step.objects.exclude(translations={}).exists()


def test_a_french_speaking_patient_reads_french_and_keeps_progress_when_switching(personas, enrolment):
    personas.patient.preferred_language = "fr-ca"
    personas.patient.save(update_fields=["preferred_language"])
    patient = client_for(personas.patient)
    patient.post("/i18n/setlang/", {"language": "fr-ca", "next": "/program/"})

    lesson = patient.get("/program/modules/first/lesson/").content.decode()
    assert "Pourquoi la douleur peut durer" in lesson and "<strong>réelle</strong>" in lesson
    assert "<title>L'alarme de la douleur</title>" in lesson and "Why pain can last" not in lesson
    assert '<article class="prose" lang="fr">' in lesson  # read aloud with a French voice
    module = patient.get("/program/modules/first/").content.decode()
    assert "Comprendre la douleur" in module and "Remplissez votre journal chaque jour." in module
    assert "Commencez votre journal" in module and "Fill in your diary" not in module
    home = patient.get("/program/").content.decode()
    assert "Programme bilingue" in home and "Comprendre la douleur" in home
    assert patient.post("/program/modules/first/lesson/complete/").status_code == 302

    patient.post("/i18n/setlang/", {"language": "en", "next": "/program/"})
    module = patient.get("/program/modules/first/").content.decode()
    assert "Understanding pain" in module and "Fill in your diary every day." in module
    assert "Comprendre la douleur" not in module
    lesson = patient.get("/program/modules/first/lesson/").content.decode()
    assert "Why pain can last" in lesson and "The pain alarm</title>" in lesson
    assert '<article class="prose" lang="en">' in lesson
    # Progress belongs to the step, not to the language it was read in.
    assert StepCompletion.objects.filter(enrolment=enrolment, step__slug="lesson").count() == 1
    assert 'class="badge"' in lesson

    patient.post("/i18n/setlang/", {"language": "fr-ca", "next": "/program/"})
    assert patient.get("/program/modules/first/lesson/complete/").status_code == 405
    assert patient.post("/program/modules/first/lesson/complete/").status_code == 302
    assert StepCompletion.objects.filter(enrolment=enrolment).count() == 1


def _speaks(user, language: str) -> None:
    type(user).objects.filter(pk=user.pk).update(preferred_language=language)


def test_the_progress_api_speaks_the_readers_language(personas, enrolment):
    patient = client_for(personas.patient)
    _speaks(personas.patient, "fr-ca")  # a signed-in person reads in their account's language
    french = patient.get("/api/v1/program/patients/me/progress").json()
    _speaks(personas.patient, "en")
    english = patient.get("/api/v1/program/patients/me/progress").json()
    assert french["program"]["title"] == "Programme bilingue" and english["program"]["title"] == "Bilingual program"
    assert french["modules"][0]["title"] == "Comprendre la douleur"
    assert [s["slug"] for s in french["modules"][0]["steps"]] == [s["slug"] for s in english["modules"][0]["steps"]]


TRANSLATED_MODULES = sorted(
    module_file
    for module_file in (CONTENT_ROOT / "chronic-pain").glob("*/module.yaml")
    if module_file.with_name("module.fr.yaml").is_file()
)


@pytest.mark.parametrize("module_file", TRANSLATED_MODULES, ids=lambda p: p.parent.name)
def test_every_translated_module_of_the_real_program_matches_the_english(module_file):
    french = check_module_parity(module_file, "fr")
    steps = [s for s in french["steps"] if s["kind"] == "lesson"]
    assert steps and all(s["body"].strip() for s in steps)
    for step in steps:
        html = render_lesson(step["body"], step["figures"])
        assert html.count('<figure class="lesson-figure">') == len(step["figures"])
        for figure in step["figures"]:  # the French drawing, not the English one
            english = (module_file.parent / figure["file"]).read_text(encoding="utf-8")
            assert re.search(r"<title>.*?</title>", english)[0] not in figure["svg"]


def test_the_whole_real_program_is_in_french(db):
    """Every module of the shipped program has its French version, and the program loads with it:
    every step carries French text, every lesson a French body."""
    folder = CONTENT_ROOT / "chronic-pain"
    assert (folder / "program.fr.yaml").is_file()
    assert [f.parent.name for f in TRANSLATED_MODULES] == sorted(f.parent.name for f in folder.glob("*/module.yaml"))
    program = load_program(folder).program
    assert program.translations["fr"]["title"] == "Bien vivre avec la douleur chronique"
    for module in program.modules.all():
        assert module.translations["fr"]["title"] and len(module.translations["fr"]["homework"]) == len(module.homework)
    for step in Step.objects.filter(module__program=program):
        french = step.translations["fr"]
        assert french["title"], step
        assert bool(french["body_html"]) == bool(step.body_html), step
        assert french["body_html"] != step.body_html or not step.body_html, step
