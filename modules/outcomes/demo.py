"""Demo outcomes (loaded by `make run` through paceway.accounts.hooks.demo_data_loaders).

- ``patient`` (Pat): a baseline and two weekly check-ins showing improvement.
- ``patient2`` (Sam): a baseline with PHQ-9 question 9 answered "several days" and an open alert,
  so the demo therapist sees an alert first, with Sam's phone number (fictional 555-01xx numbers)
  and emergency contact on the alert card.
Idempotent: a patient who already has responses is left alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from .instruments import GAD7, PAIN_NRS, PEG, PHQ9, QUESTIONNAIRES, RISK_ITEM, WEEKLY_CHECK_IN
from .models import QuestionnaireResponse


def _answers(slug: str, phq: list[int], gad: list[int], peg: list[int], nrs: list[int]) -> list[tuple[str, int]]:
    """The given PHQ-9, GAD-7, PEG and NRS answers; any other item of the questionnaire (the
    IMMPACT forms of the baseline) gets its middle answer."""
    pairs = dict(zip([i.code for i in PHQ9.items if i.scored], phq, strict=True))
    pairs |= dict(zip([i.code for i in GAD7.items], gad, strict=True))
    pairs |= dict(zip([i.code for i in PEG.items], peg, strict=True))
    pairs |= dict(zip([i.code for i in PAIN_NRS.items], nrs, strict=True))
    for code, (_instrument, item) in QUESTIONNAIRES[slug].items_by_code.items():
        if item.required and code not in pairs:
            values = sorted(item.values)
            pairs[code] = values[len(values) // 2]
    return list(pairs.items())


def load_demo_outcomes(accounts: dict[str, Any]) -> None:
    from .services import submit_response

    now = timezone.now()
    pat, sam = accounts.get("patient"), accounts.get("patient2")
    if pat is not None and not QuestionnaireResponse.objects.filter(patient=pat).exists():
        plan = [
            (21, "baseline", [2, 2, 2, 2, 1, 2, 2, 1, 0], [2, 2, 2, 2, 1, 2, 1], [7, 7, 8], [7, 9]),  # PHQ 14, GAD 12
            (
                14,
                WEEKLY_CHECK_IN,
                [2, 1, 2, 1, 1, 1, 1, 1, 0],
                [1, 2, 1, 2, 1, 1, 1],
                [6, 6, 7],
                [6, 8],
            ),  # PHQ 10, GAD 9
            (7, WEEKLY_CHECK_IN, [1, 1, 1, 1, 0, 1, 1, 0, 0], [1, 1, 1, 1, 0, 1, 1], [5, 4, 5], [5, 7]),  # PHQ 6, GAD 6
        ]
        for days_ago, slug, phq, gad, peg, nrs in plan:
            submit_response(
                actor=pat,
                patient=pat,
                questionnaire=slug,
                answers=_answers(slug, phq, gad, peg, nrs),
                submitted_at=now - timedelta(days=days_ago),
            )
    if sam is not None and not QuestionnaireResponse.objects.filter(patient=sam).exists():
        phq = [2, 2, 1, 2, 1, 2, 1, 1, 1]
        assert dict(zip([i.code for i in PHQ9.items if i.scored], phq, strict=True))[RISK_ITEM] == 1
        submit_response(
            actor=sam,
            patient=sam,
            questionnaire="baseline",
            answers=_answers("baseline", phq, [2, 1, 2, 2, 1, 1, 1], [8, 7, 7], [8, 9]),
            submitted_at=now - timedelta(hours=2),
        )

    if sam is not None:
        from .contact import has_contact_details, save_contact_details

        if not has_contact_details(sam):
            save_contact_details(
                actor=sam,
                patient=sam,
                data={
                    "preferred_name": "Sam",
                    "phone": "416-555-0142",
                    "voicemail_ok": "on",
                    "text_ok": "",
                    "safe_times": "Weekdays after 4 pm",
                    "emergency_name": "Ada Okafor",
                    "emergency_relationship": "sister",
                    "emergency_phone": "647-555-0177",
                    "physician_name": "Dr. Rivera",
                    "physician_clinic": "Bloor West Family Health Team",
                    "province": "ON",
                },
            )
