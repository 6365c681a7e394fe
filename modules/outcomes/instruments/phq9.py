"""PHQ-9 (Kroenke, Spitzer and Williams 2001). Depression, last 2 weeks, items 0-3.

Licence: "No permission required to reproduce, translate, display or distribute" (Pfizer).
Translations must be the validated versions (phqscreeners.com), not ad-hoc ones: the wording is
data here (``wording(en, fr)``), not in the gettext catalogue. French: the Canadian French
version, transcribed verbatim; its source and what is left to check are in ``FRENCH``.
Item 9 (44260-8) above 0 is a risk screen: it calls for a clinician's follow-up risk assessment.
Change: caseness >= 10; reliable change 6 points (NHS Talking Therapies).
"""

from django.utils.translation import gettext_lazy as _

from .base import AnswerOption, Band, Instrument, Item, LanguageVersion, Scale, wording

PFIZER_LICENCE = "Pfizer: no permission required to reproduce, translate, display or distribute."

FREQUENCY = (
    AnswerOption(0, wording("Not at all", "Jamais"), "LA6568-5"),
    AnswerOption(1, wording("Several days", "Plusieurs jours"), "LA6569-3"),
    AnswerOption(2, wording("More than half the days", "Plus de sept jours"), "LA6570-1"),
    AnswerOption(3, wording("Nearly every day", "Presque tous les jours"), "LA6571-9"),
)
DIFFICULTY = (
    AnswerOption(0, wording("Not difficult at all", "Pas du tout difficile(s)"), "LA6572-7"),
    AnswerOption(1, wording("Somewhat difficult", "Plutôt difficile(s)"), "LA6573-5"),
    AnswerOption(2, wording("Very difficult", "Très difficile(s)"), "LA6575-0"),
    AnswerOption(3, wording("Extremely difficult", "Extrêmement difficile(s)"), "LA6574-3"),
)

RISK_ITEM = "44260-8"
ITEMS = (
    Item(
        "44250-9",
        wording("Little interest or pleasure in doing things", "Peu d’intérêt ou de plaisir à faire des choses"),
        FREQUENCY,
    ),
    Item(
        "44255-8",
        wording("Feeling down, depressed, or hopeless", "Se sentir triste, déprimé(e) ou désespéré(e)"),
        FREQUENCY,
    ),
    Item(
        "44259-0",
        wording(
            "Trouble falling or staying asleep, or sleeping too much",
            "Difficultés à s’endormir ou à rester endormi(e), ou trop dormir",
        ),
        FREQUENCY,
    ),
    Item(
        "44254-1",
        wording("Feeling tired or having little energy", "Se sentir fatigué(e) ou avoir peu d’énergie"),
        FREQUENCY,
    ),
    Item("44251-7", wording("Poor appetite or overeating", "Peu d’appétit ou trop manger"), FREQUENCY),
    Item(
        "44258-2",
        wording(
            "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
            "Mauvaise perception de vous-même — ou vous pensez que vous êtes un perdant ou que vous n’avez pas "
            "satisfait vos propres attentes ou celles de votre famille",
        ),
        FREQUENCY,
    ),
    Item(
        "44252-5",
        wording(
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            "Difficultés à se concentrer sur des choses telles que lire le journal ou regarder la télévision",
        ),
        FREQUENCY,
    ),
    Item(
        "44253-3",
        wording(
            "Moving or speaking so slowly that other people could have noticed. Or the opposite: being so "
            "fidgety or restless that you have been moving around a lot more than usual",
            "Vous bougez ou parlez si lentement que les autres personnes ont pu le remarquer. Ou au contraire — "
            "vous êtes si agité(e) que vous bougez beaucoup plus que d’habitude",
        ),
        FREQUENCY,
    ),
    Item(
        RISK_ITEM,
        wording(
            "Thoughts that you would be better off dead, or of hurting yourself in some way",
            "Vous avez pensé que vous seriez mieux mort(e) ou pensé à vous blesser d’une façon ou d’une autre",
        ),
        FREQUENCY,
        risk_if_above=0,
    ),
    Item(
        "69722-7",
        wording(
            "If you checked off any problems, how difficult have these problems made it for you to do your "
            "work, take care of things at home, or get along with other people?",
            "Si vous avez coché au moins un des problèmes nommés dans ce questionnaire, répondez à la question "
            "suivante : dans quelle mesure ce(s) problème(s) a-t-il (ont-ils) rendu difficile(s) votre travail, "
            "vos tâches à la maison ou votre capacité à bien vous entendre avec les autres?",
        ),
        DIFFICULTY,
        scored=False,
        required=False,
    ),
)

FRENCH = LanguageVersion(
    language="fr",
    availability="published",
    source=(
        "PHQ-9, Canadian French version (Pfizer; phqscreeners.com 'French (Canada)'), as published by the "
        "Institut national de santé publique du Québec, Boîte à outils pour la surveillance post-sinistre des "
        "impacts sur la santé mentale, Questionnaire 2 (https://www.inspq.qc.ca/boite-outils-pour-la-"
        "surveillance-post-sinistre-des-impacts-sur-la-sante-mentale/instruments-de-mesure-standardises/"
        "questionnaires/symptomes-depressifs): instructions, answer options and items 1-9. Item 10 (not "
        "scored): stem from the bilingual form carrying the Pfizer French footer ('Mis au point par les Drs "
        "Robert L. Spitzer, Janet B. Williams et Kurt Kroenke ... Aucune permission requise pour reproduire, "
        "traduire, afficher ou distribuer'); its answer options from the Douglas Research Centre's Open Data "
        "Capture PHQ-9 (French)."
    ),
    licence=PFIZER_LICENCE,
    verification=(
        "Items 1-9, instructions and options: verbatim from INSPQ, and identical to the Open Data Capture "
        "French text (items). Not compared with the phqscreeners.com PDF itself (not reachable when written); "
        "the item-10 answer options rest on one copy. The clinical lead checks all of it against the Pfizer "
        "French (Canada) PDF before clinical use."
    ),
)

PHQ9 = Instrument(
    slug="phq-9",
    name="PHQ-9",
    title=_("Patient Health Questionnaire (PHQ-9)"),
    period=wording(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        "Au cours des deux dernières semaines, à quelle fréquence avez-vous été dérangé(e) par les problèmes suivants?",
    ),
    items=ITEMS,
    panel_code="44249-1",
    scales=(
        Scale(
            key="phq9",
            label="PHQ-9",
            rule="sum",
            items=tuple(item.code for item in ITEMS if item.scored),
            minimum=0,
            maximum=27,
            code="44261-6",
            bands=(
                Band(0, 4, "minimal", _("Minimal")),
                Band(5, 9, "mild", _("Mild")),
                Band(10, 14, "moderate", _("Moderate")),
                Band(15, 19, "moderately-severe", _("Moderately severe")),
                Band(20, 27, "severe", _("Severe")),
            ),
            caseness=10,
            reliable_change=6,
        ),
    ),
    licence=PFIZER_LICENCE,
    reference="Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16:606-613.",
    languages=(FRENCH,),
)
