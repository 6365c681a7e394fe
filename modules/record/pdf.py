"""The patient's whole record as a PDF, from the same data as the JSON and the printable page.

fpdf2 (pure Python wheels, no system libraries) with DejaVu Sans kept beside this module (a
subset: Latin, punctuation and common symbols, so French and typed symbols print). Everything
is written as plain text: nothing a patient typed is read as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator("Paceway")
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 6, f"{self.page_no()}", align="C")

    def heading(self, text: str, level: int = 1) -> None:
        size = {1: 16, 2: 13, 3: 11}.get(level, 11)
        self.ln(2 if level > 1 else 4)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 10)

    def line_of(self, text: Any, *, bold_label: str = "") -> None:
        self.set_font(FAMILY, "", 10)
        value = "" if text is None else str(text)
        if bold_label:
            self.set_font(FAMILY, "B", 10)
            self.multi_cell(0, 5, bold_label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FAMILY, "", 10)
        self.multi_cell(0, 5, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def muted(self, text: str) -> None:
        self.set_text_color(90, 90, 90)
        self.line_of(text)
        self.set_text_color(0, 0, 0)


def _notes(doc: _Document, corrections: list[dict[str, Any]]) -> None:
    """Corrections and statements of disagreement about one item, printed beside it."""
    for c in corrections:
        doc.muted(
            _("Correction requested on %(when)s: %(text)s") % {"when": c["requested_at"], "text": c["correction"]}
        )
        if c.get("amendment"):
            doc.line_of(c["amendment"], bold_label=str(_("Amendment")))
        if c.get("refusal_reason"):
            doc.line_of(c["refusal_reason"], bold_label=str(_("Reasons for refusal")))
        if c.get("disagreement"):
            doc.line_of(c["disagreement"], bold_label=str(_("Statement of disagreement")))


def render(record: dict[str, Any], *, generated_at: str) -> bytes:
    """The PDF bytes of ``whole_record``'s dict."""
    profile = record["profile"]
    name = profile["name"] or profile["email"]
    doc = _Document(str(_("The Paceway record of %(name)s") % {"name": name}))
    doc.heading(str(_("The Paceway record of %(name)s") % {"name": name}))
    doc.muted(str(_("Made on %(when)s.") % {"when": generated_at}))

    doc.heading(str(_("Profile and contact details")), 2)
    for label, value in (
        (_("Name"), profile["name"]),
        (_("E-mail address"), profile["email"]),
        (_("Language"), profile["preferred_language"]),
        (_("Joined"), profile["date_joined"]),
    ):
        doc.line_of(f"{label}: {value or '—'}")
    for contact in record.get("contact_details", []):
        doc.heading(str(_("Contact details saved %(when)s") % {"when": contact["saved_at"]}), 3)
        for f in contact["fields"]:
            value = f["value"]
            shown = _("Yes") if value is True else _("No") if value is False else (value or "—")
            doc.line_of(f"{f['label']}: {shown}")
        _notes(doc, contact.get("corrections", []))
    doc.heading(str(_("Care team")), 3)
    for a in record["care_team"]:
        ended = f" – {a['ended_at']}" if a["ended_at"] else ""
        doc.line_of(f"{a['therapist']['name']} ({a['therapist']['role']}): {a['assigned_at']}{ended}")
    if not record["care_team"]:
        doc.muted(str(_("No therapist has been assigned.")))

    doc.heading(str(_("Intake and screening decision")), 2)
    for intake in record["intakes"]:
        doc.heading(str(_("Intake of %(when)s") % {"when": intake["submitted_at"]}), 3)
        for a in intake["answers"]:
            doc.line_of(f"{a['label']}: {'—' if a['shown'] is None else a['shown']}")
        decision = intake["decision"]
        if decision:
            doc.line_of(f"{decision['decision_label']} ({decision['by']['name'] if decision['by'] else ''})")
            doc.line_of(decision["explanation"], bold_label=str(_("Explanation")))
        _notes(doc, intake.get("corrections", []))
    if not record["intakes"]:
        doc.muted(str(_("No intake.")))

    doc.heading(str(_("Consents")), 2)
    for c in record["consents"]:
        withdrawn = f", {_('withdrawn')} {c['withdrawn_at']}" if c["withdrawn_at"] else ""
        doc.line_of(f"{_('Version')} {c['version']}, {c['given_at']}{withdrawn}")

    doc.heading(str(_("Program, plan and plan changes")), 2)
    for e in record["enrolments"]:
        doc.heading(f"{e['program']} ({e['start_date']})", 3)
        for p in e["plan"]:
            done = f", {_('completed')} {p['completed_at']}" if p["completed_at"] else ""
            doc.line_of(f"{p['module']}{done}")
        for t in e["plan_changes"]:
            doc.line_of(f"{t['at']}: {t['module']} — {t['action_label']}: {t['reason']}")

    doc.heading(str(_("Exercises and diary")), 2)
    for x in record["exercises"]:
        doc.heading(f"{x['kind_label']}, {x['entry_date']}", 3)
        for f in x["shown"]:
            doc.line_of(f"{f['label']}: {f['value']}")
        _notes(doc, x.get("corrections", []))
    if not record["exercises"]:
        doc.muted(str(_("None.")))

    doc.heading(str(_("Questionnaires and scores")), 2)
    for q in record["questionnaires"]:
        doc.heading(f"{q['title']}, {q['submitted_at']}", 3)
        if q["amends_id"]:
            doc.muted(f"{_('A correction')}: {q['amendment_reason']}")
        scores = " · ".join(
            f"{s['scale']}: {s['total']:g}" + (f" ({s['band']})" if s["band"] else "") for s in q["scores"]
        )
        if scores:
            doc.line_of(scores)
        doc.muted(", ".join(f"{code}: {value}" for code, value in q["answers"].items()))
        _notes(doc, q.get("corrections", []))

    doc.heading(str(_("Messages")), 2)
    for m in record["messages"]["items"]:
        doc.muted(f"{m['sender']}, {m['created_at']}")
        doc.line_of(m["body"])
        _notes(doc, m.get("corrections", []))
    if not record["messages"]["items"]:
        doc.muted(str(_("None.")))

    doc.heading(str(_("Safety alerts and their follow-up")), 2)
    for a in record["alerts"]:
        doc.line_of(f"{a['created_at']}: {a['status_label']}")
        if a["resolution_note"]:
            doc.line_of(a["resolution_note"])

    doc.heading(str(_("Weekly reviews by your therapist")), 2)
    for w in record["weekly_reviews"]:
        doc.line_of(f"{w['week_start']}: {w['therapist']['name']}, {w['minutes']} min")

    doc.heading(str(_("Corrections")), 2)
    for c in record["corrections"]:
        doc.heading(f"{c['item']} ({c['requested_at']})", 3)
        doc.line_of(c["correction"])
        doc.muted(c["status"])
        if c["amendment"]:
            doc.line_of(c["amendment"], bold_label=str(_("Amendment")))
        if c["refusal_reason"]:
            doc.line_of(c["refusal_reason"], bold_label=str(_("Reasons for refusal")))
        if c["disagreement"]:
            doc.line_of(c["disagreement"], bold_label=str(_("Statement of disagreement")))
    return bytes(doc.output())
