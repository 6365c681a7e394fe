"""Screening free text for phrases that suggest suicidal thinking or self-harm (the lists are
data: ``data/risk_phrases.yaml``, English and French). Pure and fast: one compiled pattern."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

PHRASES_FILE = Path(__file__).with_name("data") / "risk_phrases.yaml"


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    phrases = sorted(
        {_normalise(p) for language in ("en", "fr") for p in data.get(language, [])}, key=len, reverse=True
    )
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def suggests_risk(text: str) -> bool:
    """True when the text contains one of the listed phrases (whole words)."""
    return bool(text) and _pattern().search(_normalise(text)) is not None
