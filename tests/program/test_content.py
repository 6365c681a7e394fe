from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from modules.program.loader import load_program, render_markdown
from modules.program.models import Module, Program, PublishedContentError, Step

from .conftest import MINI


def test_it_loads_a_program_with_modules_and_steps(program):
    assert program.published_at is not None
    assert program.modules.count() == 4
    assert program.modules.get(number=4).kind == "optional"
    step = Step.objects.get(module__program=program, module__number=1, slug="diary")
    assert step.kind == "exercise" and step.exercise == "pain_diary" and step.prompt == "Fill in your diary."
    reflection = Step.objects.get(module__program=program, slug="reflection")
    assert reflection.exercise == "reflection"


def test_it_is_idempotent(db):
    first = load_program(MINI)
    second = load_program(MINI)
    assert first.created and not second.created
    assert first.program.pk == second.program.pk
    assert Program.objects.count() == 1 and Module.objects.count() == 4


def test_it_makes_a_new_version_when_content_changes(db, tmp_path):
    v1 = load_program(MINI).program
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    lesson = copy / "01-first" / "lesson.md"
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    v2 = load_program(copy).program
    assert (v1.slug, v1.version) == ("mini", 1)
    assert (v2.slug, v2.version) == ("mini", 2)
    assert "One more line" not in Step.objects.get(module__program=v1, module__number=1, slug="lesson").body_html


def test_published_content_is_immutable(program):
    program.title = "Changed"
    with pytest.raises(PublishedContentError):
        program.save()
    step = Step.objects.filter(module__program=program).first()
    step.title = "Changed"
    with pytest.raises(PublishedContentError):
        step.save()
    with pytest.raises(PublishedContentError):
        step.module.delete()


def test_markdown_is_rendered_safely(program):
    html = Step.objects.get(module__program=program, module__number=1, slug="lesson").body_html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert 'href="https://example.org"' in html
    assert "onerror" not in render_markdown('<img src=x onerror="alert(1)">')


def test_the_command_loads_the_shipped_content_twice_without_change(db):
    out = StringIO()
    call_command("load_content", stdout=out)
    call_command("load_content", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Loaded: chronic-pain v")
    assert lines[1] == lines[0].replace("Loaded", "Unchanged")
    program = Program.objects.get(slug="chronic-pain")
    assert program.modules.filter(kind="core").count() == 8
    assert program.modules.filter(kind="optional").count() >= 3
