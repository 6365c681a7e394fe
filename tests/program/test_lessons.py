"""Issue 11, lessons people can see and hear: accessible SVG illustrations kept with the content
(checked when loaded), a "Listen" control, and a print-friendly page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modules.program.loader import CONTENT_ROOT, ContentError, load_program, parse_program, render_lesson
from modules.program.models import Step
from tests.conftest import client_for

from .conftest import MINI

FIGURES = {"pain-alarm.svg", "pain-cycle.svg", "boom-bust.svg", "thought-record.svg"}


def test_it_illustrates_the_key_ideas_with_accessible_svg():
    parsed = parse_program(CONTENT_ROOT / "chronic-pain")
    steps = [s for m in parsed["modules"] for s in m["steps"] if s["figures"]]
    assert {f["file"] for s in steps for f in s["figures"]} == FIGURES
    for step in steps:
        html = render_lesson(step["body"], step["figures"])
        assert html.count('<figure class="lesson-figure">') == len(step["figures"])
        assert html.count('role="img"') == len(step["figures"]) and "<title>" in html and "<desc>" in html
        assert "<figcaption>" in html and "![figure" not in html and "<script" not in html


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg" role="img"><title>x</title><desc>y</desc><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" role="img"><title>x</title><desc>y</desc><rect onclick="x()"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" role="img"><rect/></svg>',
    ],
)
def test_it_refuses_an_illustration_that_is_unsafe_or_has_no_text_alternative(db, tmp_path, svg):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    lesson = next(folder.glob("01-*/lesson.md"))
    (lesson.parent / "bad.svg").write_text(svg)
    lesson.write_text(lesson.read_text() + "\n\n![figure: A picture](bad.svg)\n")
    with pytest.raises(ContentError):
        load_program(folder)


def test_it_offers_listen_and_a_print_friendly_lesson(personas, program, enrolment):
    folder_step = Step.objects.filter(module__program=program, kind="lesson").first()
    page = (
        client_for(personas.patient)
        .get(f"/program/modules/{folder_step.module.slug}/{folder_step.slug}/")
        .content.decode()
    )
    assert 'id="listen"' in page and "modules/listen.js" in page and "Prefer paper? Print this page" in page
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/paceway.css")).read_text()
    assert "@media print" in css
    listen = Path(finders.find("modules/listen.js")).read_text()
    assert "speechSynthesis" in listen and "fetch(" not in listen  # the browser's own voice, no outside service
