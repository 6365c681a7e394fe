"""Branded e-mails: the clinic's name, a plain-text body and the same words as HTML.

Every e-mail Paceway sends about a person's account or care goes through here (allauth's too, via
the account adapter). Bodies say that something happened and where to look, never health data:
no scores, answers, diagnoses or message text.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .language import language_of

BLANK_LINES = re.compile(r"\n\s*\n")


def subject_line(subject: str) -> str:
    subject = " ".join(str(subject).split())
    prefix = f"{settings.CLINIC_NAME}: "
    return subject if subject.startswith(prefix) else prefix + subject


def html_from_text(text: str, *, subject: str = "") -> str:
    """The HTML alternative: the text's paragraphs in the clinic's simple layout."""
    paragraphs = [p.strip() for p in BLANK_LINES.split(text.strip()) if p.strip()]
    return render_to_string(
        "emails/base.html",
        {
            "paragraphs": paragraphs,
            "subject": subject,
            "clinic_name": settings.CLINIC_NAME,
            "site_url": settings.SITE_URL,
        },
    )


def build(*, to: list[str], subject: str, text: str) -> EmailMultiAlternatives:
    subject = subject_line(subject)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html_from_text(text, subject=subject), "text/html")
    return message


def render(template: str, context: dict[str, Any], *, language: str | None = None) -> tuple[str, str]:
    """(subject, text) from ``emails/<template>.txt``: its first line is the subject."""
    full = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_contact": settings.CLINIC_CONTACT,
        "site_url": settings.SITE_URL,
        **context,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        rendered = render_to_string(f"emails/{template}.txt", full).strip()
    subject, _sep, body = rendered.partition("\n")
    return subject.strip(), body.strip() + "\n"


def build_for(person: Any, *, subject: str, text: str) -> EmailMultiAlternatives:
    """``build`` with the HTML layout's own words in the recipient's language too."""
    with translation.override(language_of(person)):
        return build(to=[person.email], subject=subject, text=text)


def send_on_commit(*, user: Any, template: str, context: dict[str, Any] | None = None) -> None:
    """Render now (in the person's language), send after the surrounding transaction commits."""
    if user is None or not getattr(user, "email", "") or not getattr(user, "is_active", True):
        return
    subject, text = render(template, {"name": user.name, **(context or {})}, language=language_of(user))
    message = build_for(user, subject=subject, text=text)
    transaction.on_commit(message.send)
