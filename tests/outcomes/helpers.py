from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from modules.outcomes.instruments import GAD7, PAIN_NRS, PEG, PGIC, PHQ9

PHQ_CODES = [i.code for i in PHQ9.items if i.scored]
GAD_CODES = [i.code for i in GAD7.items]
PEG_CODES = [i.code for i in PEG.items]
NRS_CODES = [i.code for i in PAIN_NRS.items]
PGIC_CODES = [i.code for i in PGIC.items]


def weekly(
    phq: list[int] | int = 0, gad: list[int] | int = 0, peg: list[int] | int = 5, nrs: list[int] | int = 5
) -> dict[str, int]:
    """Answers of a weekly check-in keyed by item code (an int fills every item)."""
    phq = [phq] * 9 if isinstance(phq, int) else phq
    gad = [gad] * 7 if isinstance(gad, int) else gad
    peg = [peg] * 3 if isinstance(peg, int) else peg
    nrs = [nrs] * 2 if isinstance(nrs, int) else nrs
    return {
        **dict(zip(PHQ_CODES, phq, strict=True)),
        **dict(zip(GAD_CODES, gad, strict=True)),
        **dict(zip(PEG_CODES, peg, strict=True)),
        **dict(zip(NRS_CODES, nrs, strict=True)),
    }


def complete(slug: str, answers: dict[str, int]) -> dict[str, int]:
    """``answers`` plus the lowest answer to every other required item of the questionnaire, and
    without items it does not have (e.g. the IMMPACT forms of the baseline)."""
    from modules.outcomes.instruments import QUESTIONNAIRES

    items = QUESTIONNAIRES[slug].items_by_code
    filled = {code: min(item.values) for code, (_i, item) in items.items() if item.required}
    return {**filled, **{code: value for code, value in answers.items() if code in items}}


def with_item9(answers: dict[str, int], value: int) -> dict[str, int]:
    return {**answers, "44260-8": value}


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("SMTP is down")


def complete_follow_up(alert, actor, **changes):  # type: ignore[no-untyped-def]
    """Record what resolving an alert needs: one attempt and a complete assessment."""
    from django.utils import timezone

    from modules.outcomes import services

    services.record_contact_attempt(
        actor=actor,
        alert_id=alert.pk,
        data={"attempted_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "method": "phone", "reached": "yes"},
    )
    data = {
        "risk_level": "low",
        "protective_factors": "Children; engaged in care",
        "plan": "Weekly calls",
        "actions": ["safety_plan"],
        "follow_up_on": timezone.localdate().isoformat(),
        **changes,
    }
    services.save_follow_up(actor=actor, alert_id=alert.pk, data=data)
