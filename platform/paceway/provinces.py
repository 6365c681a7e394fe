"""Canada's provinces and territories (codes and names), for addresses and crisis lines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROVINCES = (
    ("AB", _("Alberta")),
    ("BC", _("British Columbia")),
    ("MB", _("Manitoba")),
    ("NB", _("New Brunswick")),
    ("NL", _("Newfoundland and Labrador")),
    ("NS", _("Nova Scotia")),
    ("NT", _("Northwest Territories")),
    ("NU", _("Nunavut")),
    ("ON", _("Ontario")),
    ("PE", _("Prince Edward Island")),
    ("QC", _("Quebec")),
    ("SK", _("Saskatchewan")),
    ("YT", _("Yukon")),
)
PROVINCE_CODES = frozenset(code for code, _label in PROVINCES)
