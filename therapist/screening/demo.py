"""Demo screening data (loaded by `make run` through paceway.accounts.hooks.demo_data_loaders).

- Consent text version 1 is published (by migration; re-published here if missing).
- ``patient3`` (Jo, no therapist, not enrolled) has consented and sent an intake that waits for a
  decision, so the demo clinical lead (``therapist2``) sees it in "Screening decisions waiting".
Idempotent: a patient who already has an intake is left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from modules.outcomes.instruments import GAD7, PEG, PHQ9

from .consent_text import CONSENT_TEXT_V1
from .models import ConsentText, Intake

JO_ANSWERS = {
    "pain_three_months": "yes",
    "pain_duration_months": "30",
    "pain_condition": "Low back pain since a fall at work",
    "care_family_doctor": "on",
    "care_physiotherapy": "on",
    "device_access": "yes",
    "tech_comfort": "4",
    "weekly_minutes": "90",
    "prefers_in_person": "unsure",
    "readiness": "4",
    "language": "fr-ca",
    # The intake's contact step (fictional numbers).
    "contact-preferred_name": "Jo",
    "contact-phone": "514-555-0163",
    "contact-text_ok": "on",
    "contact-emergency_name": "Luc Tremblay",
    "contact-emergency_relationship": "partenaire",
    "contact-emergency_phone": "514-555-0188",
    "contact-province": "QC",
}


@transaction.atomic
def load_demo_screening(accounts: dict[str, Any]) -> None:
    from .services import give_consent, submit_intake

    if not ConsentText.objects.filter(published_at__isnull=False).exists():
        ConsentText.objects.create(version=1, text=CONSENT_TEXT_V1, published_at=timezone.now())
    jo = accounts.get("patient3")
    if jo is None or Intake.objects.filter(patient=jo).exists():
        return
    current = ConsentText.objects.filter(published_at__isnull=False).order_by("-version").first()
    assert current is not None
    give_consent(actor=jo, patient=jo, version=current.version)
    answers = list(zip([i.code for i in PEG.items], [6, 7, 6], strict=True))
    answers += list(zip([i.code for i in PHQ9.items if i.scored], [1, 2, 1, 2, 1, 1, 1, 0, 0], strict=True))
    answers += list(zip([i.code for i in GAD7.items], [1, 1, 2, 1, 0, 1, 1], strict=True))
    submit_intake(actor=jo, patient=jo, data=JO_ANSWERS, answers=answers)
