"""PEG: pain intensity and interference (Krebs et al., J Gen Intern Med 2009). Public domain.

Three items 0-10 over the last week; score = mean of the three (0-10). No severity bands are
published, so none are shipped. Change: percent change from baseline with the IMMPACT thresholds
(30% moderately important / responder, 50% substantial), plus a Jacobson-Truax index:

- r_xx = 0.73: internal consistency (Cronbach's alpha) reported by Krebs et al. 2009 in their
  primary-care sample (the lower of the two reported values, so the index is conservative).
- s_pre = 2.0: a working standard deviation of baseline PEG scores in chronic-pain samples.
  The clinical lead should replace it with the service's own baseline SD once n >= 50.
  With these values a change is reliable when it exceeds 1.96 * sqrt(2) * 2.0 * sqrt(0.27) = 2.88.

Items use local codes: no LOINC codes are shipped for PEG here rather than guessed ones.
The wording is data (plain strings, not in the gettext catalogue). French: no published Canadian
French PEG was found, so French speakers see the English items with a note (``FRENCH``).
"""

from django.utils.translation import gettext_lazy as _

from .base import (
    ENGLISH_ONLY_NOTE_FR,
    LOCAL_SYSTEM,
    Instrument,
    Item,
    JacobsonTruax,
    LanguageVersion,
    Scale,
    numeric_options,
)

PAIN = numeric_options(0, 10, "no pain", "pain as bad as you can imagine")
INTERFERENCE = numeric_options(0, 10, "does not interfere", "completely interferes")

ITEMS = (
    Item(
        "peg-pain",
        "What number best describes your pain on average in the past week?",
        PAIN,
        system=LOCAL_SYSTEM,
        anchors=("No pain", "Pain as bad as you can imagine"),
    ),
    Item(
        "peg-enjoyment",
        "What number best describes how, during the past week, pain has interfered with your enjoyment of life?",
        INTERFERENCE,
        system=LOCAL_SYSTEM,
        anchors=("Does not interfere", "Completely interferes"),
    ),
    Item(
        "peg-activity",
        "What number best describes how, during the past week, pain has interfered with your general activity?",
        INTERFERENCE,
        system=LOCAL_SYSTEM,
        anchors=("Does not interfere", "Completely interferes"),
    ),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="unavailable",
    note=ENGLISH_ONLY_NOTE_FR,
    verification=(
        "No published, validated Canadian French version of the PEG was found (December 2026); a Paceway "
        "translation would not be a validated instrument, so none is shipped."
    ),
)

PEG = Instrument(
    slug="peg",
    name="PEG",
    title=_("Pain, enjoyment of life and general activity (PEG)"),
    period="Think about the past week.",
    items=ITEMS,
    panel_code="peg",
    panel_system=LOCAL_SYSTEM,
    scales=(
        Scale(
            key="peg",
            label="PEG",
            rule="mean",
            items=tuple(item.code for item in ITEMS),
            minimum=0,
            maximum=10,
            code="peg-score",
            system=LOCAL_SYSTEM,
            percent_thresholds=(30, 50),
            jacobson_truax=JacobsonTruax(
                s_pre=2.0,
                r_xx=0.73,
                source="r_xx: Krebs et al. 2009 (alpha, primary care); s_pre: working value, see peg.py",
            ),
            decimals=2,
        ),
    ),
    licence="Public domain.",
    reference="Krebs EE et al. J Gen Intern Med 2009;24(6):733-738.",
    languages=(FRENCH,),
)
