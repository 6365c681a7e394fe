"""Finding English on a page or in an e-mail meant to be in French.

What a person sees: text nodes outside <script>/<style>/<template>, plus the alt, title, aria-label
and placeholder attributes, and the value of buttons. A subtree marked ``lang="en"`` is English on
purpose (the "English" link of the language switcher, program content shown in English until its
French version exists) and is left out; so is ``translate="no"`` (names, codes).

A string is English when it is an English msgid of the catalogue that French translates to
something else, or when it holds a common English word that is not also French.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "fr_CA" / "LC_MESSAGES" / "django.po"

# Common English words that are not French words too ("on", "a", "an", "or", "son", "page", "plan",
# "message", "minute", "note", "date", "client", "total" are French and left out).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "your",
        "you",
        "yours",
        "and",
        "with",
        "please",
        "week",
        "weeks",
        "this",
        "that",
        "these",
        "those",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "how",
        "here",
        "there",
        "today",
        "tomorrow",
        "yesterday",
        "of",
        "to",
        "for",
        "from",
        "into",
        "about",
        "after",
        "before",
        "between",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "yes",
        "can",
        "cannot",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "must",
        "my",
        "our",
        "we",
        "they",
        "them",
        "their",
        "it",
        "its",
        "he",
        "she",
        "his",
        "her",
        "him",
        "all",
        "any",
        "some",
        "more",
        "most",
        "less",
        "other",
        "only",
        "just",
        "also",
        "very",
        "new",
        "open",
        "close",
        "closed",
        "edit",
        "delete",
        "cancel",
        "submit",
        "continue",
        "start",
        "started",
        "done",
        "save",
        "saved",
        "send",
        "sent",
        "back",
        "next",
        "previous",
        "read",
        "write",
        "written",
        "sign",
        "log",
        "login",
        "logout",
        "in",
        "out",
        "up",
        "down",
        "by",
        "at",
        "if",
        "then",
        "than",
        "so",
        "but",
        "because",
        "while",
        "until",
        "since",
        "again",
        "each",
        "every",
        "help",
        "home",
        "account",
        "settings",
        "password",
        "email",
        "day",
        "days",
        "hours",
        "hour",
        "month",
        "months",
        "year",
        "years",
        "first",
        "last",
        "same",
        "see",
        "show",
        "hide",
        "view",
        "check",
        "follow",
        "following",
        "follows",
        "there's",
        "don't",
        "can't",
        "won't",
        "isn't",
        "it's",
        "you're",
        "we'll",
        "i'm",
        "let's",
        "nothing",
        "something",
        "everything",
        "anyone",
        "someone",
        "nobody",
        "everyone",
        "how's",
        "what's",
        "thank",
        "thanks",
        "welcome",
        "request",
        "requested",
        "reply",
        "replies",
        "answer",
        "answers",
        "answered",
        "lesson",
        "lessons",
        "diary",
        "entry",
        "entries",
        "goal",
        "goals",
        "progress",
        "program",
        "homework",
        "weekly",
        "daily",
        "alerts",
        "review",
        "reviewed",
        "waiting",
        "assigned",
        "therapist",
        "therapists",
        "patient's",
        "unread",
        "inbox",
        "dashboard",
        "sleep",
        "pain",
        "because",
        "wrong",
        "right",
        "left",
        "found",
        "missing",
        "please",
        "try",
        "again",
        "allowed",
        "required",
        "optional",
        "choose",
        "chosen",
        "completed",
        "locked",
        "unlocked",
        "current",
        "due",
        "overdue",
        "upcoming",
        "pending",
        "active",
        "inactive",
        "stopped",
    ]
)

# Names, codes and units that are the same in both languages.
ALLOWED = frozenset(
    [
        "paceway",
        "phq-9",
        "phq9",
        "gad-7",
        "gad7",
        "pcs",
        "pseq",
        "bpi",
        "tsk",
        "isi",
        "psqi",
        "fhir",
        "csv",
        "json",
        "pdf",
        "api",
        "totp",
        "2fa",
        "qr",
        "kg",
        "cm",
        "mm",
        "min",
        "h",
        "km",
        "9-8-8",
        "911",
        "ok",
        "url",
        "id",
    ]
)

# Codes shown as codes: answers by item code (44250-9: 2), JSON settings; in the administration
# also audit actions and task names (outcomes.response.submit), with their time.
CODE = re.compile(r"^(?:[\[{].*[\]}]|[\w-]+: \d+(?:, [\w-]+: \d+)*)$")
ADMIN_CODE = re.compile(r"^(?:[\d: -]+)?[a-z_]+(?:\.[a-z_]+)+(?: \|.*)?$")
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")
VISIBLE_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
HIDDEN_TAGS = {"script", "style", "template", "noscript"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hides its subtree)

    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        hides = (
            tag in HIDDEN_TAGS
            or attributes.get("lang", "").lower().startswith("en")
            or attributes.get("translate") == "no"
        )
        if not hides and not self._hidden():
            for name in VISIBLE_ATTRIBUTES:
                if attributes.get(name):
                    self.strings.append(attributes[name])
            is_button = tag == "button" or (
                tag == "input" and attributes.get("type", "").lower() in {"submit", "button", "reset"}
            )
            if is_button and attributes.get("value") and tag == "input":
                self.strings.append(attributes["value"])
        if tag not in VOID_TAGS:
            self._stack.append((tag, hides))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.strings.append(data)


def visible_strings(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [" ".join(s.split()) for s in parser.strings if s.strip()]


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].encode("utf-8").decode("unicode_escape")


@cache
def english_msgids() -> frozenset[str]:
    """The catalogue's msgids whose French differs (so that seeing them means English leaked)."""
    if not CATALOGUE.exists():
        return frozenset()
    found: set[str] = set()
    msgid: list[str] = []
    msgstr: list[str] = []
    current: list[str] | None = None
    entries: list[tuple[str, str]] = []
    for raw in [*CATALOGUE.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("msgid "):
            if msgid:
                entries.append(("".join(msgid), "".join(msgstr)))
            msgid, msgstr, current = [_unquote(line)], [], msgid
            current = msgid
        elif line.startswith("msgstr"):
            current = msgstr
            msgstr.append(_unquote(line))
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
        elif not line and msgid:
            entries.append(("".join(msgid), "".join(msgstr)))
            msgid, msgstr, current = [], [], None
    for english, french in entries:
        english = " ".join(english.split())
        if len(english) > 3 and "%" not in english and "{" not in english and english != " ".join(french.split()):
            found.add(english)
    return frozenset(found)


URL = re.compile(r"https?://\S+")


def english_words(text: str) -> list[str]:
    text = URL.sub(" ", text)  # addresses are not words
    words = [w.lower().strip("'") for w in WORD.findall(text)]
    return [w for w in words if w in ENGLISH_WORDS and w not in ALLOWED]


def is_code(text: str, *, admin: bool = False) -> bool:
    code = text.strip(": ›")
    return bool(CODE.match(code) or (admin and ADMIN_CODE.match(code)))


def english_in(
    strings: list[str], *, allowed: frozenset[str] | set[str] = frozenset(), admin: bool = False
) -> list[str]:
    """The strings that look English: a known msgid, or two or more English words, or one English
    word in a short string (a button, a label)."""
    msgids = english_msgids()
    leaks = []
    for text in strings:
        if text in allowed or text.lower() in ALLOWED or is_code(text, admin=admin):
            continue
        stripped = text
        for name in allowed:
            stripped = stripped.replace(name, " ")
        words = english_words(stripped)
        if URL.fullmatch(stripped.strip()):
            continue
        if stripped.strip() in msgids or len(words) >= 2 or (words and len(WORD.findall(stripped)) <= 3):
            leaks.append(text)
    return leaks
