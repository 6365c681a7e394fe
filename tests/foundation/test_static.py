"""Static files in production: collected with hashed, compressed names and served by WhiteNoise
with a far-future cache, without DEBUG and without a separate file server."""

from __future__ import annotations

import re

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client


def test_it_serves_the_stylesheet_under_a_hashed_name_with_a_long_cache(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False  # only what collectstatic wrote, as in the image
    settings.DEBUG = False
    call_command("collectstatic", interactive=False, verbosity=0)

    url = staticfiles_storage.url("css/paceway.css")
    assert re.fullmatch(r"/static/css/paceway\.[0-9a-f]{12}\.css", url), url
    client = Client()  # a new client loads the middleware, which indexes STATIC_ROOT
    response = client.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert max_age >= 31536000 and "immutable" in cache_control and "public" in cache_control
    assert response["Content-Encoding"] == "gzip"
    assert b"".join(response.streaming_content)

    unhashed = client.get("/static/css/paceway.css", secure=True)
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]


def test_it_renders_pages_with_the_hashed_stylesheet(settings, tmp_path, clients):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    page = clients["anonymous"].get("/accounts/login/")
    assert re.search(rb'href="/static/css/paceway\.[0-9a-f]{12}\.css"', page.content)
