"""Text that is not the interface's: the program content (Markdown and YAML, translated as files by
language, not through the catalogue), the questionnaires' items, and what the demo people wrote
(diary notes, messages: a person's own words are never translated)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "modules" / "program" / "content"
INSTRUMENTS = ROOT / "modules" / "outcomes" / "instruments"
DEMO_MODULES = [
    ROOT / "modules" / "program" / "demo.py",
    ROOT / "modules" / "outcomes" / "demo.py",
    ROOT / "messaging" / "demo.py",
    ROOT / "therapist" / "workspace" / "demo.py",
    ROOT / "therapist" / "screening" / "demo.py",
    ROOT / "platform" / "paceway" / "accounts" / "demo.py",
]
CONSENT = ROOT / "therapist" / "screening" / "migrations"
MARKUP = re.compile(r"[*_`#>|\[\]]+|\(\S+\)|<[^>]+>|\(\S*$")
EDGES = re.compile(r"^[\W\d]+|[\W\d]+$")
PIECES = re.compile(r"\s[;·—|]\s|\s\(\s*\)|:\s*;|\s·\s|\s\(v\d+\)")


def _normal(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"').replace("&#x27;", "'")
    text = " ".join(MARKUP.sub(" ", text).split()).lower()
    return EDGES.sub("", text.removesuffix(" · paceway"))


def pieces(text: str) -> list[str]:
    """A shown string split where the page joins several things (titles, dates, names)."""
    return [p for p in (EDGES.sub("", piece.strip()) for piece in PIECES.split(text)) if p]


def _constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@cache
def content_corpus() -> str:
    """Program content and questionnaire items, normalised, in one string to search in."""
    parts = [
        p.read_text(encoding="utf-8")
        for p in sorted(CONTENT.rglob("*"))
        if p.suffix in {".md", ".yaml", ".yml", ".svg"}
    ]
    parts += [s for p in sorted(INSTRUMENTS.glob("*.py")) for s in _constants(p)]
    parts += [s for p in sorted(CONSENT.glob("*consent*.py")) for s in _constants(p)]  # the consent text
    return "\n".join(_normal(p) for p in parts)


@cache
def authored_corpus() -> str:
    return "\n".join(_normal(s) for p in DEMO_MODULES if p.exists() for s in _constants(p))


KEY_VALUE = re.compile(r"^\s*-?\s*\w+:\s*[\"']?(.+?)[\"']?\s*$", re.M)


@cache
def content_phrases() -> tuple[str, ...]:
    """Titles and names from the content files and questionnaires, longest first: taken out of a
    shown string ("Semaine 1 : Understanding your pain") before the interface's words are checked."""
    found = {m.group(1) for p in CONTENT.rglob("*.yaml") for m in KEY_VALUE.finditer(p.read_text(encoding="utf-8"))}
    found |= {s for p in INSTRUMENTS.glob("*.py") for s in _constants(p)}
    return tuple(sorted((s for s in found if len(s) > 3 and "\n" not in s), key=len, reverse=True))


def strip_content(text: str) -> str:
    for phrase in content_phrases():
        if phrase in text:
            text = text.replace(phrase, " ")
    return text


def _all_in(text: str, corpus: str) -> bool:
    found = [_normal(p) for p in pieces(text)]
    return bool(found) and all(len(p) <= 2 or p in corpus for p in found)


def is_content(text: str) -> bool:
    return _all_in(text, content_corpus())


def is_authored(text: str) -> bool:
    return _all_in(text, authored_corpus())
