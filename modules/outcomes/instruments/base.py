"""The instrument framework: questionnaires described as plain, immutable data.

An :class:`Instrument` is a list of :class:`Item` (each identified by a code: its LOINC code
where LOINC has one, otherwise a local code) with :class:`AnswerOption` (value + LOINC answer
code), and one or more :class:`Scale` (scoring rule, severity bands, total-score LOINC, change
rules). Adding an instrument is a data change: a new module in this package registered in
``instruments/__init__.py`` plus its scoring test. A :class:`Questionnaire` is what a patient
fills in at once: one or more instruments (e.g. the weekly check-in = PEG + PHQ-9 + GAD-7).

Languages: the wording of a validated instrument is data, kept with the instrument as a
:class:`Wording` (one text per language), never in the gettext catalogue, so a translator cannot
alter it. The active language picks the text, with English as the fallback. Each instrument says
per language (:class:`LanguageVersion`) whether a published version is shipped, where it comes
from and under which licence, or that none is, with the short note shown to the patient then.
Scoring only ever reads answer values, so it is the same whatever the language.

Nothing here touches the database; everything is pure and fast.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Union

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import get_language

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

FALLBACK_LANGUAGE = "en"


def base_language(code: str | None) -> str:
    """ "fr-ca" -> "fr": instrument texts are kept per base language."""
    return (code or FALLBACK_LANGUAGE).split("-")[0].split("_")[0].lower()


@dataclass(frozen=True)
class Wording:
    """A published wording in each language it exists in; shown in the active language.

    English is required and is the fallback. ``str()`` resolves at display time (like a lazy
    translation), so templates, exports and scoring code need no language argument.
    """

    texts: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        if not dict(self.texts).get(FALLBACK_LANGUAGE):
            raise ValueError("a wording needs its English text")

    def in_language(self, language: str | None) -> str:
        texts = dict(self.texts)
        return texts.get(base_language(language)) or texts[FALLBACK_LANGUAGE]

    def has(self, language: str | None) -> bool:
        return base_language(language) in dict(self.texts)

    def __str__(self) -> str:
        return self.in_language(get_language())

    def __bool__(self) -> bool:
        return True

    def __html__(self) -> str:
        from django.utils.html import escape

        return str(escape(str(self)))


def wording(en: str, fr: str | None = None) -> Wording:
    """A wording from its English text and, where a published French one exists, that text."""
    texts = [(FALLBACK_LANGUAGE, en)]
    if fr is not None:
        texts.append(("fr", fr))
    return Wording(tuple(texts))


# A display string: plain, marked for translation (gettext_lazy), or a published wording.
Text = Union[str, "_StrPromise", Wording]

Availability = Literal["published", "paceway", "unavailable"]

# Shown (in French) above an instrument's English items when no French version can be used.
ENGLISH_ONLY_NOTE_FR = "Ce questionnaire n'est offert qu'en anglais pour le moment."


@dataclass(frozen=True)
class LanguageVersion:
    """What an instrument offers in one language, recorded as data with its source.

    - ``published``: the published (validated) version, transcribed verbatim from ``source``;
    - ``paceway``: Paceway's own items (not a validated instrument), translated with the
      interface text (gettext), like any other Paceway wording;
    - ``unavailable``: no published version could be used; the English items are shown with
      ``note`` (in this language) telling the patient so.
    """

    language: str
    availability: Availability
    source: str = ""
    licence: str = ""
    note: str = ""  # shown to the patient above the items when the version is unavailable
    verification: str = ""  # how the wording was checked, and what is still to check


LOINC = "http://loinc.org"
# Items, answers and scores without a LOINC code use this local code system (never a guessed LOINC).
LOCAL_SYSTEM = "https://paceway.org/fhir/CodeSystem/outcomes"

Rule = Literal["sum", "mean", "single", "tscore"]


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: Text
    code: str = ""  # LOINC answer code (LA...), or "" when none is defined
    system: str = LOINC


@dataclass(frozen=True)
class Item:
    code: str  # unique across all instruments; the key of the answers JSON
    text: Text
    options: tuple[AnswerOption, ...]
    system: str = LOINC
    scored: bool = True
    required: bool = True
    risk_if_above: int | None = None  # an answer above this value is a positive risk screen
    anchors: tuple[Text, Text] = ("", "")  # labels of the ends of a 0-10 scale, for display
    values: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", frozenset(o.value for o in self.options))

    def option(self, value: int) -> AnswerOption:
        for option in self.options:
            if option.value == value:
                return option
        raise KeyError(value)


@dataclass(frozen=True)
class Band:
    """Scores from ``low`` to ``high`` inclusive."""

    low: float
    high: float
    key: str
    label: Text


@dataclass(frozen=True)
class JacobsonTruax:
    """Parameters of the reliable change index (RCI) for a scale without a service threshold.

    RCI = (x_post - x_pre) / S_diff, S_diff = sqrt(2 * SE^2), SE = s_pre * sqrt(1 - r_xx);
    reliable when |RCI| > 1.96. ``source`` says where s_pre and r_xx come from.
    """

    s_pre: float
    r_xx: float
    source: str


@dataclass(frozen=True)
class TScoreTable:
    """A raw-summed-score to T-score table (PROMIS short forms: T mean 50, SD 10 in the reference
    population), with the standard error of each T-score.

    ``rows`` are (raw sum, T-score, SE), one per possible raw sum, in order. ``verified`` is True
    only when every row has been checked against the published scoring table named in
    ``source``; otherwise ``source`` says how the rows were obtained and what is left to check.
    """

    rows: tuple[tuple[int, float, float], ...]
    source: str
    verified: bool

    def __post_init__(self) -> None:
        raws = [raw for raw, _t, _se in self.rows]
        if raws != list(range(raws[0], raws[0] + len(raws))):
            raise ValueError("a T-score table needs one row per raw score, in order")
        ts = [t for _raw, t, _se in self.rows]
        if any(b <= a for a, b in itertools.pairwise(ts)):
            raise ValueError("T-scores must rise with the raw score")

    def t_score(self, raw: int) -> float:
        first = self.rows[0][0]
        if not first <= raw < first + len(self.rows):
            raise ValueError(f"raw score {raw} is outside the table")
        return self.rows[raw - first][1]

    def standard_error(self, t_score: float) -> float:
        """The SE of a T-score of the table (T-scores are unique, so the row is found by T; a value
        between rows, from an older table, takes the nearest row's)."""
        return min(self.rows, key=lambda row: abs(row[1] - t_score))[2]

    @property
    def low(self) -> float:
        return self.rows[0][1]

    @property
    def high(self) -> float:
        return self.rows[-1][1]


@dataclass(frozen=True)
class Scale:
    key: str  # unique across instruments, e.g. "phq9"
    label: Text
    rule: Rule
    items: tuple[str, ...]  # item codes
    minimum: float
    maximum: float
    bands: tuple[Band, ...] = ()
    code: str = ""  # LOINC (or local) code of the total score
    system: str = LOINC
    unit: str = "{score}"
    higher_is_worse: bool = True
    # Change rules (see change.py). All optional: a scale uses the ones it has.
    caseness: float | None = None  # a case at or above this score
    reliable_change: float | None = None  # service threshold for reliable change
    percent_thresholds: tuple[int, ...] = ()  # e.g. (30, 50) for pain
    jacobson_truax: JacobsonTruax | None = None
    decimals: int = 0
    # rule "tscore": the raw sum of ``items`` looked up in this table (PROMIS short forms).
    tscores: TScoreTable | None = None
    # False for a score kept in the record but not charted or analysed on its own (a PROMIS raw
    # sum, shown through its T-score).
    shown: bool = True

    def __post_init__(self) -> None:
        if (self.rule == "tscore") != (self.tscores is not None):
            raise ValueError(f"{self.key}: the rule 'tscore' goes with a T-score table, and only with it")

    def band_for(self, total: float) -> Band | None:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None


@dataclass(frozen=True)
class Instrument:
    slug: str
    name: str
    title: Text
    period: Text  # the look-back period shown above the items
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    language: str = "en"
    panel_code: str = ""  # LOINC panel code, or a local code
    panel_system: str = LOINC
    licence: str = ""
    reference: str = ""
    version: str = "1"
    languages: tuple[LanguageVersion, ...] = ()  # besides English, the language of the original
    items_by_code: dict[str, Item] = field(init=False, repr=False, compare=False)

    def language_version(self, language: str | None) -> LanguageVersion | None:
        """The record for ``language`` (None for English, the original)."""
        wanted = base_language(language)
        return next((v for v in self.languages if v.language == wanted), None)

    def offered_in(self, language: str | None) -> bool:
        """Whether the items are shown in ``language`` (English always is)."""
        if base_language(language) == FALLBACK_LANGUAGE:
            return True
        version = self.language_version(language)
        return version is not None and version.availability != "unavailable"

    def shown_language(self, language: str | None) -> str:
        """The language the items are actually shown in when ``language`` is active."""
        return base_language(language) if self.offered_in(language) else FALLBACK_LANGUAGE

    @property
    def language_here(self) -> str:
        """The language the items are shown in under the active language (for ``lang=``)."""
        return self.shown_language(get_language())

    def language_note(self, language: str | None = None) -> str:
        """The patient-facing note when this instrument is not offered in the active language."""
        language = language or get_language()
        version = self.language_version(language)
        if version is None or self.offered_in(language):
            return ""
        return version.note

    def __post_init__(self) -> None:
        for version in self.languages:
            if version.availability != "published":
                continue
            missing = [item.code for item in self.items if not _has_language(item, version.language)]
            if missing or (isinstance(self.period, Wording) and not self.period.has(version.language)):
                raise ValueError(f"{self.slug}: {version.language} version is incomplete: {missing or 'period'}")
        codes = [item.code for item in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{self.slug}: duplicate item codes")
        for scale in self.scales:
            unknown = set(scale.items) - set(codes)
            if unknown:
                raise ValueError(f"{self.slug}: scale {scale.key} uses unknown items {sorted(unknown)}")
        object.__setattr__(self, "items_by_code", {item.code: item for item in self.items})


@dataclass(frozen=True)
class Questionnaire:
    """What is filled in at one sitting: one or more instruments, in display order."""

    slug: str
    title: Text
    instruments: tuple[Instrument, ...]
    description: Text = ""
    items_by_code: dict[str, tuple[Instrument, Item]] = field(init=False, repr=False, compare=False)
    required_codes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    risk_items: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        mapping: dict[str, tuple[Instrument, Item]] = {}
        for instrument in self.instruments:
            for item in instrument.items:
                if item.code in mapping:
                    raise ValueError(f"{self.slug}: item {item.code} appears twice")
                mapping[item.code] = (instrument, item)
        object.__setattr__(self, "items_by_code", mapping)
        object.__setattr__(self, "required_codes", tuple(code for code, (_i, item) in mapping.items() if item.required))
        object.__setattr__(
            self,
            "risk_items",
            tuple((code, item.risk_if_above) for code, (_i, item) in mapping.items() if item.risk_if_above is not None),
        )

    @property
    def scales(self) -> tuple[Scale, ...]:
        return tuple(scale for instrument in self.instruments for scale in instrument.scales)


def _has_language(item: Item, language: str) -> bool:
    """Every text of the item exists in ``language`` (a published version must be complete)."""
    texts: list[object] = [item.text, *(o.label for o in item.options), *(a for a in item.anchors if a)]
    return all(not isinstance(t, Wording) or t.has(language) for t in texts) and isinstance(item.text, Wording)


def numeric_options(low: int, high: int, low_label: Text = "", high_label: Text = "") -> tuple[AnswerOption, ...]:
    """0..10 style options: the value is the answer, no LOINC answer code."""
    options = []
    for value in range(low, high + 1):
        label: Text = str(value)
        end = low_label if value == low else high_label if value == high else ""
        if isinstance(end, Wording):
            label = Wording(tuple((lang, f"{value} ({text})") for lang, text in end.texts))
        elif isinstance(end, Promise):  # interface text: translated when shown
            label = format_lazy("{} ({})", value, end)
        elif end:
            label = f"{value} ({end})"
        options.append(AnswerOption(value, label, code="", system=LOCAL_SYSTEM))
    return tuple(options)
