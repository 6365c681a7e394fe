"""Load program content (YAML + Markdown files) into versioned, immutable database rows.

Layout of one program folder::

    program.yaml                 slug, version, title, summary, days_between_modules, require_previous_complete
    NN-slug/module.yaml          slug, number, kind, title, summary, estimated_minutes, homework, steps
    NN-slug/lesson.md ...        files named by lesson steps
    NN-slug/figure.svg           illustrations named by lessons

Translations sit beside the English files with the language before the extension
(``program.fr.yaml``, ``NN-slug/module.fr.yaml``, ``lesson.fr.md``, ``figure.fr.svg``). A language
exists once its ``program.<language>.yaml`` does; it is then loaded into the same program version
as the English, and refused unless every module, step, homework count and exercise field matches
the English (only the human text differs): a step is one step whatever language it is read in.

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

from .languages import SOURCE_LANGUAGE, TRANSLATED_LANGUAGES
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


def _sibling(name: str, language: str) -> str:
    """The file name of a translation: ``lesson.md`` -> ``lesson.fr.md``; English keeps the name."""
    if language == SOURCE_LANGUAGE:
        return name
    stem, dot, extension = name.rpartition(".")
    if stem.endswith(f".{language}"):
        return name
    return f"{stem}.{language}{dot}{extension}" if dot else f"{name}.{language}"


def _figures(folder: Path, body: str, where: str, language: str = SOURCE_LANGUAGE) -> list[dict[str, str]]:
    """The illustrations a lesson names; in a translation each resolves to its translated SVG
    (``pain-alarm.svg`` -> ``pain-alarm.fr.svg``), which must exist."""
    figures = []
    for match in FIGURE_LINE.finditer(body):
        name = _sibling(match["file"], language)
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            raise ContentError(f"{where}: missing illustration {name}")
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


# Keys of module.yaml steps that hold human text (translated); every other key of a step, such as
# slug, kind, exercise and instrument, is an exercise field and must be identical in every language.
STEP_TEXT_KEYS = {"title", "intro", "prompt", "file"}
MODULE_TEXT_KEYS = {"title", "summary", "homework", "steps"}
PROGRAM_TEXT_KEYS = {"title", "summary"}


def _parse_module(module_file: Path, language: str = SOURCE_LANGUAGE) -> dict[str, Any]:
    m = _read_yaml(module_file)
    where = f"{module_file} (module {m.get('slug')!r})"
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
            if language != SOURCE_LANGUAGE and not str(s["file"]).endswith(f".{language}.md"):
                raise ContentError(
                    f"{where}, step {order} ({s['slug']!r}): file {s['file']!r} is not the {language!r} "
                    f"translation (expected {_sibling(str(s['file']), language)})"
                )
            path = (module_file.parent / s["file"]).resolve()
            if module_file.parent.resolve() not in path.parents or not path.is_file():
                raise ContentError(f"{where}: missing lesson file {s['file']}")
            body = path.read_text(encoding="utf-8")
            figures = _figures(module_file.parent, body, where, language)
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
    return {
        "slug": str(m["slug"]),
        "number": int(m["number"]),
        "kind": kind,
        "title": str(m["title"]),
        "summary": str(m.get("summary", "")),
        "estimated_minutes": int(m.get("estimated_minutes", 30)),
        "homework": [str(h) for h in m.get("homework", []) or []],
        "steps": steps,
    }


def _differs(where: str, what: str, english: Any, translated: Any) -> ContentError:
    return ContentError(f"{where}: {what} is {translated!r} here but {english!r} in English")


def check_module_parity(module_file: Path, language: str) -> dict[str, Any]:
    """Compare ``NN-slug/module.<language>.yaml`` with the English ``module.yaml`` beside it and
    return the parsed translation. Refused (naming the module and step) unless it has the same
    module fields, homework count and steps, in the same order, with the same exercise fields:
    only human text (titles, summaries, homework items, intros, prompts, lesson files) may differ."""
    translated_file = module_file.with_name(f"module.{language}.yaml")
    folder = module_file.parent.name
    english = _read_yaml(module_file)
    if not translated_file.is_file():
        raise ContentError(
            f"{folder} (module {english.get('slug')!r}): the {language!r} version has no {translated_file.name}"
        )
    translated = _read_yaml(translated_file)
    where = f"{folder}/{translated_file.name} (module {english.get('slug')!r})"
    if set(english) != set(translated):
        raise _differs(where, "the set of fields", sorted(english), sorted(translated))
    for key in sorted(set(english) - MODULE_TEXT_KEYS):
        if english[key] != translated[key]:
            raise _differs(where, key, english[key], translated[key])
    homework_en, homework_tr = english.get("homework") or [], translated.get("homework") or []
    if len(homework_en) != len(homework_tr):
        raise _differs(where, "the number of homework items", len(homework_en), len(homework_tr))
    steps_en, steps_tr = english.get("steps") or [], translated.get("steps") or []
    for order, (step_en, step_tr) in enumerate(zip(steps_en, steps_tr, strict=False), start=1):
        at = f"{where}, step {order} ({step_en.get('slug')!r})"
        if not isinstance(step_tr, dict) or set(step_en) != set(step_tr):
            fields = sorted(step_tr) if isinstance(step_tr, dict) else step_tr
            raise _differs(at, "the set of fields", sorted(step_en), fields)
        for key in ("slug", "kind", *sorted(set(step_en) - STEP_TEXT_KEYS - {"slug", "kind"})):
            if step_en[key] != step_tr[key]:
                raise _differs(at, key, step_en[key], step_tr[key])
    if len(steps_en) != len(steps_tr):
        raise _differs(where, "the number of steps", len(steps_en), len(steps_tr))
    parsed_en, parsed_tr = _parse_module(module_file), _parse_module(translated_file, language)
    for step_en, step_tr in zip(parsed_en["steps"], parsed_tr["steps"], strict=True):
        figures_en = [f["file"] for f in step_en["figures"]]
        figures_tr = [f["file"].replace(f".{language}.svg", ".svg") for f in step_tr["figures"]]
        if figures_en != figures_tr:
            raise _differs(
                f"{where}, step {step_en['order']} ({step_en['slug']!r})", "the illustrations", figures_en, figures_tr
            )
    return parsed_tr


def _check_program_parity(folder: Path, language: str) -> dict[str, Any]:
    english, translated = _read_yaml(folder / "program.yaml"), _read_yaml(folder / f"program.{language}.yaml")
    where = f"{folder.name}/program.{language}.yaml"
    if set(english) != set(translated):
        raise _differs(where, "the set of fields", sorted(english), sorted(translated))
    for key in sorted(set(english) - PROGRAM_TEXT_KEYS):
        if english[key] != translated[key]:
            raise _differs(where, key, english[key], translated[key])
    if not translated.get("title"):
        raise ContentError(f"{where}: 'title' is required")
    return translated


def _translation(folder: Path, module_files: list[Path], language: str) -> dict[str, Any]:
    """One language version of the program, checked against the English: its human text only."""
    meta = _check_program_parity(folder, language)
    english_folders = {f.parent for f in module_files}
    for stray in sorted(folder.glob(f"*/module.{language}.yaml")):
        if stray.parent not in english_folders:
            raise ContentError(f"{stray.parent.name}: {stray.name} has no English module.yaml beside it")
    modules = {}
    for module_file in module_files:
        m = check_module_parity(module_file, language)
        modules[m["slug"]] = {
            "title": m["title"],
            "summary": m["summary"],
            "homework": m["homework"],
            "steps": {
                s["slug"]: {"title": s["title"], "prompt": s["prompt"], "body": s["body"], "figures": s["figures"]}
                for s in m["steps"]
            },
        }
    return {"title": str(meta["title"]), "summary": str(meta.get("summary", "")), "modules": modules}


def parse_program(folder: Path) -> dict[str, Any]:
    """Read and check one program folder into a plain dict (the thing that is hashed): the English
    program, and under ``translations`` the human text of each language version found."""
    meta = _read_yaml(folder / "program.yaml")
    for key in ("slug", "title"):
        if not meta.get(key):
            raise ContentError(f"{folder}/program.yaml: '{key}' is required")
    module_files = sorted(folder.glob("*/module.yaml"))
    modules = [_parse_module(module_file) for module_file in module_files]
    if not modules:
        raise ContentError(f"{folder}: no modules found")
    numbers = [m["number"] for m in modules]
    if len(set(numbers)) != len(numbers):
        raise ContentError(f"{folder}: duplicate module numbers")
    parsed: dict[str, Any] = {
        "slug": str(meta["slug"]),
        "version": int(meta.get("version", 1)),
        "title": str(meta["title"]),
        "summary": str(meta.get("summary", "")),
        "days_between_modules": int(meta.get("days_between_modules", 7)),
        "require_previous_complete": bool(meta.get("require_previous_complete", True)),
        "modules": modules,
    }
    translations = {
        language: _translation(folder, module_files, language)
        for language in TRANSLATED_LANGUAGES
        if (folder / f"program.{language}.yaml").is_file()
    }
    if translations:  # absent when there are none, so English-only content keeps its hash
        parsed["translations"] = translations
    return parsed


def content_hash(parsed: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parsed, sort_keys=True).encode()).hexdigest()


def _body_html(step: dict[str, Any]) -> str:
    return render_lesson(step["body"], step.get("figures", [])) if step["body"] else ""


def _step_texts(step: dict[str, Any]) -> dict[str, str]:
    return {
        "title": step["title"],
        "prompt": step["prompt"],
        "body_markdown": step["body"],
        "body_html": _body_html(step),
    }


@transaction.atomic
def load_program(folder: Path) -> LoadResult:
    parsed = parse_program(folder)
    digest = content_hash(parsed)
    slug = parsed["slug"]
    existing = Program.objects.filter(slug=slug, content_hash=digest).first()
    if existing is not None:
        return LoadResult(existing, False)
    latest = Program.objects.filter(slug=slug).aggregate(v=Max("version"))["v"] or 0
    translations: dict[str, Any] = parsed.get("translations", {})
    program = Program.objects.create(
        slug=slug,
        version=max(parsed["version"], latest + 1),
        title=parsed["title"],
        summary=parsed["summary"],
        days_between_modules=parsed["days_between_modules"],
        require_previous_complete=parsed["require_previous_complete"],
        content_hash=digest,
        translations={lang: {"title": t["title"], "summary": t["summary"]} for lang, t in translations.items()},
    )
    for m in parsed["modules"]:
        module_texts = {lang: t["modules"][m["slug"]] for lang, t in translations.items()}
        module = program.modules.create(
            slug=m["slug"],
            number=m["number"],
            kind=m["kind"],
            title=m["title"],
            summary=m["summary"],
            estimated_minutes=m["estimated_minutes"],
            homework=m["homework"],
            translations={
                lang: {"title": t["title"], "summary": t["summary"], "homework": t["homework"]}
                for lang, t in module_texts.items()
            },
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
                body_html=_body_html(s),
                translations={lang: _step_texts(t["steps"][s["slug"]]) for lang, t in module_texts.items()},
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
