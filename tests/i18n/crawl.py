"""Walk every page a person can reach by following links from their start page, one address per
route of the URL configuration (so the walk is bounded and a new page shows up by itself)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Never followed: they act (sign out), switch language, or are not pages.
SKIP_PREFIXES = ("/i18n/", "/static/", "/api/", "/accounts/logout/", "/metrics", "/healthz", "/readyz")
# The admin pages of third-party apps no clinician works in (scheduler, authenticators, the built-in
# groups whose permission names Django stores in English at migrate time).
SKIP_PREFIXES += ("/admin/django_celery_beat/", "/admin/mfa/", "/admin/auth/", "/admin/account/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        elif tag == "form" and attributes.get("method", "get").lower() == "get" and attributes.get("action"):
            self.hrefs.append(attributes["action"])


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


@dataclass
class Page:
    url: str
    route: str
    routes: set[str]  # the address's route and, after redirects, the final one
    status: int
    html: str
    content_type: str


def links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin("http://testserver" + base, href))
        if parts.netloc != "testserver" or parts.path.startswith(SKIP_PREFIXES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk(client: Client, starts: list[str], *, limit: int = 400) -> Iterator[Page]:
    """Breadth-first from ``starts``; each route once (its first address found)."""
    queue = list(starts)
    seen_routes: set[str] = set()
    seen_urls: set[str] = set()
    while queue and len(seen_urls) < limit:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        route = route_of(urlsplit(url).path)
        if route is None or route in seen_routes:
            continue
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        final_route = route_of(urlsplit(final).path) or route
        seen_routes.update({route, final_route})
        content_type = response.get("Content-Type", "")
        html = response.content.decode("utf-8", "replace") if "html" in content_type else ""
        yield Page(final, final_route, {route, final_route}, response.status_code, html, content_type)
        queue.extend(links(html, urlsplit(final).path))
