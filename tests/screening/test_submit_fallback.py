"""The intake form keeps its answers and shows the crisis resources if it cannot be saved now
(issue 15): the same fallback as the questionnaires, with current suicidal plans as a risk answer."""

from __future__ import annotations

import re


def test_it_puts_the_fallback_in_the_intake_page_and_marks_both_risk_answers(clients, program):
    page = clients["patient"].get("/screening/").content.decode()
    assert re.search(r"<form [^>]*data-submit-fallback", page)
    assert "data-offline-crisis" in page and "/static/outcomes/submit-fallback.js" in page
    assert re.search(r'<input type="checkbox" name="flag_suicidal_plans"[^>]*data-risk', page)
    assert re.search(r'name="44260-8" value="1"[^>]*data-risk-above="0"', page)
