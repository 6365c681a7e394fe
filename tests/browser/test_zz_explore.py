import pytest
from tests.browser.conftest import THERAPIST, ADMIN
pytestmark = pytest.mark.browser

def test_it_explores(login, paceway_server):
    t = login(THERAPIST)
    print(t.url)
    print(t.locator("main").inner_html()[:5000])
    t.goto("/outcomes/alerts/")
    print(t.locator("main").inner_html()[:5000])
    a = login(ADMIN)
    print(a.locator("main").inner_html()[:5000])
