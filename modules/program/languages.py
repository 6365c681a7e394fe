"""Which language a person reads the program in.

Content is written in English (the source) and translated per language, in sibling files with
the language before the extension (``lesson.fr.md``). The interface speaks in locale codes
(``fr-ca``, ``en``); content is kept per base language, so every French locale reads ``fr``.
"""

from __future__ import annotations

SOURCE_LANGUAGE = "en"
# Every language the program may be translated into (the loader looks for these files only).
TRANSLATED_LANGUAGES = ("fr",)
CONTENT_LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATED_LANGUAGES)


def content_language(code: str | None) -> str:
    """The content language for an interface language code: "fr-ca", "fr_CA" and "fr" read
    French; anything unknown or empty reads the English source."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in CONTENT_LANGUAGES else SOURCE_LANGUAGE
