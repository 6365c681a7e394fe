"""The health-data reads behind the screening pages, each audited in its own transaction
(``paceway.audit.reads``). Access is decided by the caller before it asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modules.outcomes.models import RiskAlert
from paceway.accounts.models import User
from paceway.audit.reads import audited_read

from . import selectors
from .models import Consent, ConsentText, Intake


@audited_read("screening.status.read", obj=lambda path: path.status.intake)
def journey(*, viewer: User, patient: User) -> selectors.Journey:
    """The patient's steps to week 1, with the intake they are about."""
    return selectors.journey(patient)


@dataclass(frozen=True)
class ConsentPage:
    text: ConsentText | None
    current: Consent | None
    history: list[Consent]


@audited_read("screening.consent.read")
def consent_page(*, viewer: User, patient: User) -> ConsentPage:
    return ConsentPage(
        text=selectors.current_consent_text(),
        current=selectors.active_consent(patient),
        history=list(selectors.consent_history(patient)),
    )


@audited_read("screening.intake.list", each=lambda intakes: intakes)
def waiting_intakes(*, viewer: User) -> list[Intake]:
    return list(selectors.waiting_intakes_for(viewer))


@audited_read("screening.consent.list", each=lambda consents: consents)
def consents_withdrawn_while_enrolled(*, viewer: User) -> list[Consent]:
    return list(selectors.consent_withdrawn_while_enrolled(viewer))


@dataclass(frozen=True)
class IntakeReview:
    intake: Intake
    summary: Any
    consent: Any
    open_alerts: list[RiskAlert]


@audited_read("screening.intake.read", obj=lambda review: review.intake)
def intake_review(*, viewer: User, patient: User, intake: Intake) -> IntakeReview:
    return IntakeReview(
        intake=intake,
        summary=selectors.summarise_intake(intake),
        consent=selectors.active_consent(patient),
        open_alerts=list(RiskAlert.objects.filter(patient=patient, status=RiskAlert.Status.OPEN)),
    )
