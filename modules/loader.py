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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
                body_html=render_markdown(s["body"]) if s["body"] else "",
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
