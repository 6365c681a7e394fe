"""Columbia-Suicide Severity Rating Scale (C-SSRS), Screen Version, "recent" (past month) form,
as the follow-up screen after a positive PHQ-9 question 9 (Posner et al., Am J Psychiatry 2011;
the screener as published by the Columbia Lighthouse Project, cssrs.columbia.edu).

Licence (recorded as required): the C-SSRS is free to use without a licence fee, and without
permission, by clinicians, health systems, public health and research in non-commercial
settings; the wording must not be changed; translations must be the official ones. Use inside a
commercial (for-profit) product or trial needs a licence from the Columbia Lighthouse Project.
A clinic deploying Paceway commercially must obtain it. Paceway ships the English text only:
the items are data (plain strings, not in the gettext catalogue); Columbia's official Canadian
French screener could not be obtained verbatim when this was written, so French speakers see the
English items with a note (``FRENCH``); the instructions above them (Paceway's, with 9-8-8) are
translated as interface text.

Skip logic (as published): questions 3, 4 and 5 are asked only if question 2 is "yes"; the
"within the past 3 months" follow-up only if question 6 is "yes".

Triage (the screener's published colour coding):
- high: yes to 4 (intent) or 5 (plan), or 6 within the past 3 months (recent behaviour);
- moderate: yes to 3 (method), or 6 more than 3 months ago;
- low: otherwise (yes to 1 and/or 2 only, or no to everything after a positive PHQ-9 question 9).
No total is scored: the instrument has no scales, only the triage level.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from .base import ENGLISH_ONLY_NOTE_FR, LOCAL_SYSTEM, AnswerOption, Instrument, Item, LanguageVersion, Questionnaire

YES_NO = (
    AnswerOption(0, "No", "LA32-8"),
    AnswerOption(1, "Yes", "LA33-6"),
)

WISH_DEAD = "cssrs-1"
THOUGHTS = "cssrs-2"
METHOD = "cssrs-3"
INTENT = "cssrs-4"
PLAN = "cssrs-5"
BEHAVIOUR = "cssrs-6"
BEHAVIOUR_RECENT = "cssrs-6b"
ONLY_IF_THOUGHTS = (METHOD, INTENT, PLAN)

ITEMS = (
    Item(
        WISH_DEAD,
        "In the past month, have you wished you were dead or wished you could go to sleep and not wake up?",
        YES_NO,
        system=LOCAL_SYSTEM,
    ),
    Item(
        THOUGHTS,
        "In the past month, have you actually had any thoughts of killing yourself?",
        YES_NO,
        system=LOCAL_SYSTEM,
    ),
    Item(
        METHOD,
        "If yes to question 2: have you been thinking about how you might do this?",
        YES_NO,
        system=LOCAL_SYSTEM,
        required=False,
    ),
    Item(
        INTENT,
        "If yes to question 2: have you had these thoughts and had some intention of acting on them?",
        YES_NO,
        system=LOCAL_SYSTEM,
        required=False,
    ),
    Item(
        PLAN,
        "If yes to question 2: have you started to work out or worked out the details of how to kill yourself? "
        "Do you intend to carry out this plan?",
        YES_NO,
        system=LOCAL_SYSTEM,
        required=False,
    ),
    Item(
        BEHAVIOUR,
        "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
        YES_NO,
        system=LOCAL_SYSTEM,
    ),
    Item(
        BEHAVIOUR_RECENT,
        "If yes to question 6: was this within the past 3 months?",
        YES_NO,
        system=LOCAL_SYSTEM,
        required=False,
    ),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="unavailable",
    source="Wanted: the Columbia Lighthouse Project's official Canadian French C-SSRS Screen Version (recent).",
    note=ENGLISH_ONLY_NOTE_FR,
    verification=(
        "Only France-French versions of other C-SSRS forms (Mapi) were found in the sources searched "
        "(December 2026); Columbia's Canadian French screener must be obtained from Columbia. None is shipped."
    ),
)

CSSRS_SCREEN = Instrument(
    slug="cssrs-screen",
    name="C-SSRS Screen (recent)",
    title=_("A few more questions about how you have been feeling"),
    period=_("Please answer each question. You can stop and call 9-8-8 at any time."),
    items=ITEMS,
    scales=(),
    panel_code="cssrs-screen-recent",
    panel_system=LOCAL_SYSTEM,
    licence=(
        "Columbia Lighthouse Project: free for clinical, public-health and research use in non-commercial "
        "settings without permission or fee; wording unchanged; official translations only; commercial "
        "(for-profit) use requires a licence from Columbia (cssrs.columbia.edu)."
    ),
    reference="Posner K et al. Am J Psychiatry 2011;168:1266-77. C-SSRS Screen Version - Recent.",
    version="recent-2016",
    languages=(FRENCH,),
)

SCREENER = Questionnaire(CSSRS_SCREEN.slug, CSSRS_SCREEN.title, (CSSRS_SCREEN,))


def skip_errors(answers: Mapping[str, int]) -> dict[str, list[str]]:
    """Answers that break the published skip logic (validated answers in, field errors out)."""
    errors: dict[str, list[str]] = {}
    thoughts = answers.get(THOUGHTS) == 1
    for code in ONLY_IF_THOUGHTS:
        if thoughts and code not in answers:
            errors[code] = [str(_("Please answer this question."))]
        if not thoughts and code in answers:
            errors[code] = [str(_("Answer this question only if you answered yes to question 2."))]
    behaviour = answers.get(BEHAVIOUR) == 1
    if behaviour and BEHAVIOUR_RECENT not in answers:
        errors[BEHAVIOUR_RECENT] = [str(_("Please answer this question."))]
    if not behaviour and BEHAVIOUR_RECENT in answers:
        errors[BEHAVIOUR_RECENT] = [str(_("Answer this question only if you answered yes to question 6."))]
    return errors


def triage(answers: Mapping[str, int]) -> str:
    """ "low", "moderate" or "high" from the published rules (answers already validated)."""
    if answers.get(INTENT) == 1 or answers.get(PLAN) == 1:
        return "high"
    if answers.get(BEHAVIOUR) == 1 and answers.get(BEHAVIOUR_RECENT) == 1:
        return "high"
    if answers.get(METHOD) == 1 or answers.get(BEHAVIOUR) == 1:
        return "moderate"
    return "low"
