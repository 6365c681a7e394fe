"""Issue 11, newcomer polish: the port, the CSP nonce, the favicon, branded e-mails, sign-up
asks for a name and offers a time zone, and each person's details (bad zone: nothing changes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core import mail
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from paceway.accounts.models import User
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SITE_URL"}}
    env.update({"PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", "DJANGO_SETTINGS_MODULE": "paceway.settings", **extra})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_makes_site_url_follow_the_port_in_development():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    assert _python(code, PORT="8101") == "http://127.0.0.1:8101"
    assert _python(code) == "http://127.0.0.1:8000"
    assert _python(code, PORT="8101", SITE_URL="https://paceway.example.org/") == "https://paceway.example.org"


def test_it_prints_the_port_make_run_serves_on():
    code = "import runpy; m = runpy.run_path('deploy/run_all.py', run_name='not_main'); print(m['PORT'], m['ENDPOINT'])"
    assert _python(code, PORT="8101").startswith("8101 tcp:port=8101:")
    demo = "import django; django.setup(); from paceway.accounts.demo import describe; print(describe({}))"
    assert "Open http://127.0.0.1:8101" in _python(demo, PORT="8101")


def test_it_sends_a_real_nonce_in_the_content_security_policy(db):
    from csp.middleware import CSPMiddleware

    def view(request):
        return HttpResponse(
            Template('<script nonce="{{ request.csp_nonce }}"></script>').render(Context({"request": request}))
        )

    request = RequestFactory().get("/")
    response = CSPMiddleware(view)(request)
    header = response["Content-Security-Policy"]
    assert "'nonce'" not in header
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    # A page that uses no nonce gets no nonce source, and never the literal 'nonce'.
    plain = CSPMiddleware(lambda r: HttpResponse("ok"))(RequestFactory().get("/"))
    assert "'nonce" not in plain["Content-Security-Policy"]


def test_it_links_a_favicon(client, db):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon" in page
    assert finders.find("favicon.svg")


def test_it_asks_for_a_name_at_sign_up_and_brands_the_e_mail(client, db, settings):
    settings.CLINIC_NAME = "Lakeside Pain Clinic"
    page = client.get("/accounts/signup/").content.decode()
    assert "What should we call you?" in page and "time-zones" in page
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Robin",
            "pronouns": "they/them",
            "time_zone": "Europe/Paris",
            "email": "robin@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="robin@example.org")
    assert (user.display_name, user.pronouns, user.time_zone) == ("Robin", "they/them", "Europe/Paris")
    [message] = mail.outbox
    assert message.subject.startswith("Lakeside Pain Clinic: ")
    assert "Hello from" not in message.body and "testserver" not in message.body
    assert "Lakeside Pain Clinic" in message.body
    html = dict((mime, body) for body, mime in message.alternatives)["text/html"]
    assert "Lakeside Pain Clinic" in html and "<p" in html


def test_it_refuses_sign_up_without_a_name_or_with_an_unknown_zone(client, db):
    for extra in ({"display_name": ""}, {"display_name": "Robin", "time_zone": "Mars/Olympus_Mons"}):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "robin@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                **extra,
            },
        )
        assert response.status_code == 200
    assert "is not a time zone we know" in response.content.decode()
    assert not User.objects.filter(email="robin@example.org").exists()


def test_it_lets_a_person_change_their_details_and_refuses_a_zone_that_does_not_exist(clients, personas):
    client = clients["patient"]
    assert client.get("/accounts/details/").status_code == 200
    response = client.post(
        "/accounts/details/", {"me-display_name": "Patsy", "me-pronouns": "she/her", "me-time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    personas.patient.refresh_from_db()
    assert (personas.patient.display_name, personas.patient.time_zone) == ("Patsy", "Asia/Tokyo")
    response = client.post("/accounts/details/", {"me-display_name": "Changed", "me-time_zone": "Nowhere/Atlantis"})
    assert response.status_code == 400
    assert "is not a time zone we know" in response.content.decode()
    personas.patient.refresh_from_db()
    assert (personas.patient.display_name, personas.patient.time_zone) == ("Patsy", "Asia/Tokyo")


def test_it_refuses_the_details_page_to_visitors(clients):
    response = clients["anonymous"].get("/accounts/details/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lets_a_therapist_write_what_patients_read_about_them(clients, personas):
    response = clients["therapist"].post(
        "/accounts/details/",
        {
            "me-display_name": "Dr. One",
            "me-time_zone": "",
            "profile-public_profile": "I have worked with people in pain for ten years.",
            "profile-welcome_message": "Welcome! I will read your work every week.",
        },
    )
    assert response.status_code == 302
    profile = personas.therapist.therapist_profile
    profile.refresh_from_db()
    assert profile.welcome_message.startswith("Welcome!")
