"""Issue 11: the live risk banner is unmistakable: it arrives while the therapist's dashboard is
open, as role="alert", in the warning colour (never the look of a routine notice such as "Signed
in"), and says the level."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PATIENT, THERAPIST, chromium_missing, follow_up_and_resolve
from tests.browser.test_outcomes import RISK_ITEM
from tests.live_servers import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]
# The level in the live line comes with the risk helper's branch (wip/risk: every level, live);
# until it is merged this test is expected to fail on "says the level" (strict: it must fail).
LEVELS_LIVE = (ROOT / "modules/outcomes/templates/outcomes/partials/alert_banner_script.html").exists()

LEVEL_WORDS = ("high", "moderate", "low", "not screened", "not yet screened", "possible risk", "urgent")
COLOURS = """() => {
  const line = document.querySelector('#live-alert li');
  const style = getComputedStyle(line);
  const probe = document.createElement('ul'); probe.className = 'flash';
  const item = document.createElement('li'); item.className = 'success'; probe.appendChild(item);
  document.getElementById('main').appendChild(probe);
  const notice = getComputedStyle(item).backgroundColor;
  probe.remove();
  return {line: style.backgroundColor, text: style.color, notice, weight: style.fontWeight};
}"""


@pytest.mark.xfail(not LEVELS_LIVE, reason="the live banner's level arrives with wip/risk", strict=True)
def test_a_live_risk_alert_is_unmistakable_on_the_therapists_dashboard(login):
    from playwright.sync_api import expect

    therapist = login(THERAPIST)
    with therapist.expect_websocket(lambda ws: "/ws/alerts/" in ws.url):
        therapist.goto("/therapist/")
    therapist.wait_for_timeout(500)  # the socket's join; the patient below takes far longer anyway

    patient = login(PATIENT)
    patient.goto("/outcomes/q/phq-9/")
    names = patient.locator("fieldset.q-item input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]"
    )
    for name in names:
        patient.locator(f'input[type=radio][name="{name}"][value="{"1" if name == RISK_ITEM else "0"}"]').check()
    patient.get_by_role("button", name="Send my answers").click()
    expect(patient.locator("section.crisis[role=alert]")).to_be_visible()

    try:
        banner = therapist.locator("#live-alert")
        expect(banner.locator("li.live, li").last).to_be_visible(timeout=15_000)
        assert therapist.locator("#live-alert-region").get_attribute("role") == "alert"
        text = banner.inner_text().lower()
        assert any(word in text for word in LEVEL_WORDS), text
        colours = therapist.evaluate(COLOURS)
        assert colours["line"] != colours["notice"], colours
        assert colours["line"] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), colours
        assert therapist.errors == []

    finally:
        # Leave the shared demo as it was: this alert followed up and resolved.
        therapist.goto("/outcomes/alerts/")
        therapist.locator("article.alert-row", has_text="Pat Morgan").first.get_by_role(
            "link", name="Follow up and resolve"
        ).click()
        follow_up_and_resolve(therapist, "Called Pat; safety plan reviewed; no current intent.")
