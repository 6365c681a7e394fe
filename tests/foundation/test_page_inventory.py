"""Issue 11: the browser checks (360 and 1280 px, axe-core) cover every page a person uses.

Walks the URL configuration like test_route_inventory: each route is either a page in
``tests/browser/pages.py`` (with who opens it) or listed there as not a page, with the reason.
"""

from __future__ import annotations

from tests.browser.pages import NOT_PAGES, PAGES, classify
from tests.foundation.test_route_inventory import _routes


def test_every_route_is_a_checked_page_or_said_not_to_be_one():
    routes = sorted(set(_routes()))
    unclassified = [r for r in routes if classify(r) is None]
    assert unclassified == [], "add these to tests/browser/pages.py (PAGES or NOT_PAGES): " + ", ".join(unclassified)


def test_the_page_table_names_only_real_routes():
    routes = set(_routes())
    assert [r for r in PAGES if r not in routes] == []
    for prefix in NOT_PAGES:
        assert any(r == prefix or (prefix.endswith("/") and r.startswith(prefix)) for r in routes), prefix


def test_every_role_has_pages_on_the_list():
    people = {person for entries in PAGES.values() for person, _path in entries}
    assert len(people) == 8  # visitor, three patients, two therapists, the administrator, the privacy officer
