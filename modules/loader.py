"""Load program content (YAML + Markdown files) into versioned, immutable database rows.

Layout of one program folder::

    program.yaml                 slug, version, title, summary, days_between_modules, require_previous_complete
    NN-slug/module.yaml          slug, number, kind, title, summary, estimated_minutes, homework, steps
    NN-slug/lesson.md ...        files named by lesson steps

Loading the same files twice changes nothing; changed files make a new published version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import markdown
import nh3
import yaml
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import STEP_EXERCISES, ModuleKind, Program, StepKind

CONTENT_ROOT = Path(__file__).resolve().parent / "content"

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}


class ContentError(Exception):
    pass


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised: no raw HTML, scripts or event handlers survive."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Illustrations kept with the content: a line ``![figure: caption](file.svg)`` in a lesson puts the
# SVG (from the module's folder, checked: no scripts, handlers or outside links; a <title> and a
# <desc> as its text alternative) inline, with its caption, where the line was.
FIGURE_LINE = re.compile(r"^!\[figure: (?P<caption>[^\]]+)\]\((?P<file>[\w.-]+\.svg)\)\s*$", re.MULTILINE)
SVG_NS = "{http://www.w3.org/2000/svg}"
FORBIDDEN_SVG = {"script", "foreignObject", "iframe", "image", "use", "style", "a"}


def _check_svg(text: str, where: str) -> str:
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - the repository's own content files, not user input
    except ElementTree.ParseError as exc:
        raise ContentError(f"{where}: {exc}") from exc
    if root.tag != SVG_NS + "svg" or root.get("role") != "img":
        raise ContentError(f'{where}: the root must be <svg role="img">')
    children = [child.tag for child in root]
    if children[:2] != [SVG_NS + "title", SVG_NS + "desc"]:
        raise ContentError(f"{where}: an illustration starts with <title> and <desc> (its text alternative)")
    for element in root.iter():
        if element.tag.removeprefix(SVG_NS) in FORBIDDEN_SVG:
            raise ContentError(f"{where}: <{element.tag.removeprefix(SVG_NS)}> is not allowed in an illustration")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name == "style" or ("href" in name and not value.startswith("#")):
                raise ContentError(f"{where}: attribute {name!r} is not allowed in an illustration")
    return text[text.index("<svg") :].strip()


def _figures(folder: Path, body: str, where: str) -> list[dict[str, str]]:
    figures = []
    for match in FIGURE_LINE.finditer(body):
        path = (folder / match["file"]).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            raise ContentError(f"{where}: missing illustration {match['file']}")
        svg = _check_svg(path.read_text(encoding="utf-8"), f"{where}: {match['file']}")
        figures.append({"file": match["file"], "caption": match["caption"].strip(), "svg": svg})
    return figures


def render_lesson(text: str, figures: list[dict[str, str]]) -> str:
    """A lesson's HTML: the sanitised Markdown with its checked illustrations put in place."""
    by_file = {f["file"]: f for f in figures}
    tokens: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        figure = by_file[match["file"]]
        token = f"PACEWAYFIGURE{len(tokens)}"
        tokens[token] = (
            f'<figure class="lesson-figure">{figure["svg"]}<figcaption>{escape(figure["caption"])}</figcaption></figure>'
        )
        return f"\n\n{token}\n\n"

    html = render_markdown(FIGURE_LINE.sub(placeholder, text))
    for token, figure_html in tokens.items():
        html = html.replace(f"<p>{token}</p>", figure_html)
    return html


@dataclass
class LoadResult:
    program: Program
    created: bool


def program_folders(root: Path = CONTENT_ROOT) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/program.yaml"))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping")
    return data


def parse_program(folder: Path) -> dict[str, Any]:
    """Read and check one program folder into a plain dict (the thing that is hashed)."""
    meta = _read_yaml(folder / "program.yaml")
    for key in ("slug", "title"):
        if not meta.get(key):
            raise ContentError(f"{folder}/program.yaml: '{key}' is required")
    modules = []
    for module_file in sorted(folder.glob("*/module.yaml")):
        m = _read_yaml(module_file)
        where = str(module_file)
        for key in ("slug", "number", "title", "steps"):
            if not m.get(key):
                raise ContentError(f"{where}: '{key}' is required")
        kind = m.get("kind", "core")
        if kind not in ModuleKind.values:
            raise ContentError(f"{where}: unknown kind {kind!r}")
        steps = []
        for order, s in enumerate(m["steps"], start=1):
            step_kind = s.get("kind")
            if step_kind not in StepKind.values or not s.get("slug") or not s.get("title"):
                raise ContentError(f"{where}: step {order} needs slug, title and a known kind")
            body = ""
            if step_kind == StepKind.LESSON:
                if not s.get("file"):
                    raise ContentError(f"{where}: lesson step {s['slug']} needs a file")
                path = (module_file.parent / s["file"]).resolve()
                if module_file.parent.resolve() not in path.parents or not path.is_file():
                    raise ContentError(f"{where}: missing lesson file {s['file']}")
                body = path.read_text(encoding="utf-8")
                figures = _figures(module_file.parent, body, where)
            else:
                figures = []
            exercise = s.get("exercise", "") or ""
            if step_kind == StepKind.EXERCISE and exercise not in STEP_EXERCISES:
                raise ContentError(f"{where}: step {s['slug']} has unknown exercise {exercise!r}")
            if step_kind in (StepKind.REFLECTION, StepKind.PRACTICE_LOG):
                exercise = step_kind
            steps.append(
                {
                    "slug": str(s["slug"]),
                    "order": order,
                    "kind": step_kind,
                    "title": str(s["title"]),
                    "exercise": exercise,
                    "instrument": str(s.get("instrument", "") or ""),
                    "prompt": str(s.get("prompt") or s.get("intro") or ""),
                    "body": body,
                    "figures": figures,
                }
            )
        modules.append(
            {
                "slug": str(m["slug"]),
                "number": int(m["number"]),
                "kind": kind,
                "title": str(m["title"]),
                "summary": str(m.get("summary", "")),
                "estimated_minutes": int(m.get("estimated_minutes", 30)),
                "homework": [str(h) for h in m.get("homework", []) or []],
                "steps": steps,
            }
        )
    if not modules:
        raise ContentError(f"{folder}: no modules found")
    numbers = [m["number"] for m in modules]
    if len(set(numbers)) != len(numbers):
        raise ContentError(f"{folder}: duplicate module numbers")
    return {
        "slug": str(meta["slug"]),
        "version": int(meta.get("version", 1)),
        "title": str(meta["title"]),
        "summary": str(meta.get("summary", "")),
        "days_between_modules": int(meta.get("days_between_modules", 7)),
        "require_previous_complete": bool(meta.get("require_previous_complete", True)),
        "modules": modules,
    }


def content_hash(parsed: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parsed, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def load_program(folder: Path) -> LoadResult:
    parsed = parse_program(folder)
    digest = content_hash(parsed)
    slug = parsed["slug"]
    existing = Program.objects.filter(slug=slug, content_hash=digest).first()
    if existing is not None:
        return LoadResult(existing, False)
    latest = Program.objects.filter(slug=slug).aggregate(v=Max("version"))["v"] or 0
    program = Program.objects.create(
        slug=slug,
        version=max(parsed["version"], latest + 1),
        title=parsed["title"],
        summary=parsed["summary"],
        days_between_modules=parsed["days_between_modules"],
        require_previous_complete=parsed["require_previous_complete"],
        content_hash=digest,
    )
    for m in parsed["modules"]:
        module = program.modules.create(
            slug=m["slug"],
            number=m["number"],
            kind=m["kind"],
            title=m["title"],
            summary=m["summary"],
            estimated_minutes=m["estimated_minutes"],
            homework=m["homework"],
        )
        for s in m["steps"]:
            module.steps.create(
                slug=s["slug"],
                order=s["order"],
                kind=s["kind"],
                title=s["title"],
                exercise=s["exercise"],
                instrument=s["instrument"],
                prompt=s["prompt"],
                body_markdown=s["body"],
                body_html=render_lesson(s["body"], s.get("figures", [])) if s["body"] else "",
            )
    # Publishing seals the version: from here on its rows refuse to change.
    Program.objects.filter(pk=program.pk).update(published_at=timezone.now())
    program.refresh_from_db()
    return LoadResult(program, True)


def latest_program(slug: str | None = None) -> Program | None:
    qs = Program.objects.filter(published_at__isnull=False)
    if slug:
        qs = qs.filter(slug=slug)
    return qs.order_by("-published_at", "-version").first()
