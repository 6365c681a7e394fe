"""GAD-7 (Spitzer et al. 2006). Anxiety, last 2 weeks, items 0-3 (same answer codes as PHQ-9).

Licence: "No permission required to reproduce, translate, display or distribute" (Pfizer).
Change: caseness >= 8; reliable change 4 points (NHS Talking Therapies).
"""

from django.utils.translation import gettext_lazy as _

from .base import Band, Instrument, Item, Scale
from .phq9 import FREQUENCY

ITEMS = (
    Item("69725-0", _("Feeling nervous, anxious, or on edge"), FREQUENCY),
    Item("68509-9", _("Not being able to stop or control worrying"), FREQUENCY),
    Item("69733-4", _("Worrying too much about different things"), FREQUENCY),
    Item("69734-2", _("Trouble relaxing"), FREQUENCY),
    Item("69735-9", _("Being so restless that it is hard to sit still"), FREQUENCY),
    Item("69689-8", _("Becoming easily annoyed or irritable"), FREQUENCY),
    Item("69736-7", _("Feeling afraid, as if something awful might happen"), FREQUENCY),
)

GAD7 = Instrument(
    slug="gad-7",
    name="GAD-7",
    title=_("Generalized Anxiety Disorder scale (GAD-7)"),
    period=_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    items=ITEMS,
    panel_code="69737-5",
    scales=(
        Scale(
            key="gad7",
            label="GAD-7",
            rule="sum",
            items=tuple(item.code for item in ITEMS),
            minimum=0,
            maximum=21,
            code="70274-6",
            bands=(
                Band(0, 4, "minimal", _("Minimal")),
                Band(5, 9, "mild", _("Mild")),
                Band(10, 14, "moderate", _("Moderate")),
                Band(15, 21, "severe", _("Severe")),
            ),
            caseness=8,
            reliable_change=4,
        ),
    ),
    licence="Pfizer: no permission required to reproduce, translate, display or distribute.",
    reference="Spitzer RL, Kroenke K, Williams JB, Lowe B. Arch Intern Med 2006;166:1092-1097.",
)
