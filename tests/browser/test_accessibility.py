"""Issue 11: axe-core (npm, tests/browser/package.json) finds no violations on any page of any
role, at 1280 and 360 px."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import chromium_missing
from tests.browser.pages import pages_of
from tests.browser.test_layout import PEOPLE, page_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing(), reason="/usr/bin/chromium is not installed"),
]

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install axe-core")
        result = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 or not AXE.exists():
            pytest.skip(f"axe-core could not be installed: {result.stderr[-500:]}")
    return AXE.read_text()


def _violations(page: Any, axe: str) -> list[str]:
    page.evaluate(axe)  # through the DevTools protocol, so the page's CSP stays as it is
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [json.dumps(v) for v in result]


def _audit(page: Any, paths: list[str], axe: str, problems: list[str]) -> None:
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(path)
            for violation in _violations(page, axe):
                problems.append(f"{width}px {path}: {violation}")


def test_it_has_no_axe_violations_on_any_page(login, new_page, axe_source, demo_ids):
    """Every page of tests/browser/pages.py, for every person who uses it, at 1280 and 360 px."""
    problems: list[str] = []
    for who in PEOPLE:
        _audit(page_for(who, login, new_page), pages_of(who, demo_ids), axe_source, problems)
    assert problems == [], "\n".join(problems)
