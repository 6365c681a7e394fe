"""A demo cohort for `make run` (through paceway.accounts.hooks.demo_data_loaders), so that every
page, the program evaluation included, shows real numbers rather than suppressed cells.

Eight patients at each stage, in the care of a third demo therapist (Dr. Ana Costa) so that the
other demo accounts look as described in the README: intakes waiting for a decision, accepted and
ready to assign, in weeks 1 to 4, completers (every core module, an end-of-program questionnaire)
and dropouts (ended after week 2). They cannot log in (no usable password). Idempotent: nothing
is added when the cohort therapist already exists. No e-mail is sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from modules.outcomes.instruments import GAD7, PAIN_NRS, PEG, PGIC, PHQ9, WEEKLY_CHECK_IN, get_questionnaire
from modules.program.loader import latest_program
from modules.program.models import Enrolment, ModuleKind, ModulePlan, StepCompletion
from paceway.accounts.models import CareAssignment, TherapistProfile, User
from paceway.accounts.roles import Role

COHORT_THERAPIST = "therapist3@paceway.demo"
PER_STAGE = 8
FIRST_NAMES = [
    "Avery",
    "Blake",
    "Casey",
    "Devon",
    "Emery",
    "Finley",
    "Harper",
    "Jordan",
    "Kendall",
    "Logan",
    "Morgan",
    "Noor",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sage",
    "Skyler",
    "Taylor",
    "Hayden",
    "Jules",
    "Kai",
    "Lane",
    "Marley",
    "Nico",
    "Remy",
    "Shay",
    "Toni",
    "Wren",
    "Ari",
    "Bo",
    "Cam",
    "Dale",
    "Eden",
    "Fran",
    "Gray",
    "Hollis",
    "Indy",
    "Jesse",
]
STAGES = ("waiting", "accepted", "active", "completer", "dropout")

INTAKE = {
    "pain_three_months": "yes",
    "pain_duration_months": "36",
    "pain_condition": "Chronic low back pain",
    "care_family_doctor": "on",
    "device_access": "yes",
    "tech_comfort": "4",
    "weekly_minutes": "120",
    "prefers_in_person": "no",
    "readiness": "4",
    "language": "en",
    # The intake's contact step (fictional numbers, 555-01xx).
    "contact-phone": "416-555-0150",
    "contact-emergency_name": "A. Friend",
    "contact-emergency_relationship": "friend",
    "contact-emergency_phone": "416-555-0151",
    "contact-province": "ON",
}


def _answers(phq: int, gad: int, peg: int, *, nrs: bool = False, pgic: bool = False) -> list[tuple[str, int]]:
    """Answers giving roughly these totals (item 9 of the PHQ-9 always 0: no risk in the demo)."""
    phq_items = [min(3, max(0, phq // 8 + (1 if i < phq % 8 else 0))) for i in range(8)] + [0]
    gad_items = [min(3, max(0, gad // 7 + (1 if i < gad % 7 else 0))) for i in range(7)]
    pairs = list(zip([i.code for i in PHQ9.items if i.scored], phq_items, strict=True))
    pairs += list(zip([i.code for i in GAD7.items], gad_items, strict=True))
    pairs += list(zip([i.code for i in PEG.items], [peg, peg, peg], strict=True))
    if nrs:
        pairs += list(zip([i.code for i in PAIN_NRS.items], [peg, min(10, peg + 2)], strict=True))
    if pgic:
        pairs += [(item.code, 2) for item in PGIC.items]  # much improved
    return pairs


def _complete(questionnaire: str, pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """These answers, and a middle answer to every other required item of the questionnaire."""
    definition = get_questionnaire(questionnaire)
    assert definition is not None
    given = dict(pairs)
    out = []
    for instrument in definition.instruments:
        for item in instrument.items:
            if item.code in given:
                out.append((item.code, given[item.code]))
            elif item.required and item.options:
                out.append((item.code, item.options[len(item.options) // 2].value))
    return out


def _patient(index: int, stage: str) -> User:
    name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {stage.title()}"
    email = f"cohort{index + 1:02d}@paceway.demo"
    user = User.objects.create(
        email=email, display_name=name, role=Role.PATIENT, time_zone="America/Vancouver" if index % 3 == 0 else ""
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _enrol(patient: User, therapist: User, admin: User, program: Any, start: date, modules_done: int) -> Enrolment:
    CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=admin, reason="Demo cohort")
    enrolment = Enrolment.objects.create(patient=patient, program=program, start_date=start, enrolled_by=therapist)
    modules = list(program.modules.order_by("number"))
    ModulePlan.objects.bulk_create(
        ModulePlan(enrolment=enrolment, module=m, position=m.number * 10, included=m.kind == ModuleKind.CORE)
        for m in modules
    )
    for module in [m for m in modules if m.kind == ModuleKind.CORE][:modules_done]:
        done_at = timezone.make_aware(datetime.combine(start + timedelta(days=7 * module.number - 2), time(12)))
        StepCompletion.objects.bulk_create(
            StepCompletion(enrolment=enrolment, step=step, completed_at=done_at, seconds_on_step=300)
            for step in module.steps.all()
        )
        enrolment.plans.filter(module=module).update(completed_at=done_at)
    return enrolment


@transaction.atomic
def load_demo_cohort(accounts: dict[str, Any]) -> None:
    from modules.outcomes.services import submit_response
    from therapist.screening.models import ConsentText, Decision, Intake, ScreeningDecision
    from therapist.screening.services import give_consent, submit_intake

    program = latest_program("chronic-pain")
    admin, lead = accounts.get("admin"), accounts.get("therapist2")
    if program is None or admin is None or lead is None or User.objects.filter(email=COHORT_THERAPIST).exists():
        return
    therapist = User.objects.create(email=COHORT_THERAPIST, display_name="Dr. Ana Costa", role=Role.THERAPIST)
    therapist.set_unusable_password()
    therapist.save(update_fields=["password"])
    TherapistProfile.objects.create(
        user=therapist,
        training_title="CBT for chronic pain, 40 hours",
        training_completed_on=date(2023, 9, 1),
        training_evidence="Certificate no. DEMO-COHORT",
        training_verified_by=admin,
        training_verified_at=timezone.now(),
        caseload_capacity=40,
        public_profile="I have helped people live well with pain for twelve years.",
        welcome_message="Welcome! I read your work every week and reply to messages within a business day.",
    )
    text = ConsentText.objects.filter(published_at__isnull=False).order_by("-version").first()
    now = timezone.now()
    today = timezone.localdate()
    for stage_number, stage in enumerate(STAGES):
        for n in range(PER_STAGE):
            index = stage_number * PER_STAGE + n
            patient = _patient(index, stage)
            severity = 4 + (index % 5)  # baseline PHQ-9 about 12-16, GAD-7 about 10-14, PEG 6-8
            if stage in ("waiting", "accepted"):
                if text is not None:
                    give_consent(actor=patient, patient=patient, version=text.version)
                result = submit_intake(
                    actor=patient,
                    patient=patient,
                    data=INTAKE,
                    answers=_answers(8 + severity, 6 + severity, min(10, 4 + severity // 2)),
                )
                Intake.objects.filter(pk=result.intake.pk).update(submitted_at=now - timedelta(days=1 + n))
                if stage == "accepted":
                    ScreeningDecision.objects.create(
                        intake=result.intake,
                        therapist=lead,
                        decision=Decision.ACCEPT,
                        rationale="Demo: suitable; discussed by phone.",
                        goals_and_preferences="Walk more; sleep better.",
                        explanation="We agreed the online program suits you now.",
                        consent=result.intake.patient.icbt_consents.first(),
                    )
                continue
            weeks_ago = {"active": 1 + n % 4, "completer": 10 + n % 3, "dropout": 6 + n % 2}[stage]
            start = today - timedelta(days=7 * weeks_ago)
            done = {"active": max(0, weeks_ago - 1), "completer": 8, "dropout": 2}[stage]
            enrolment = _enrol(patient, therapist, admin, program, start, done)
            began = now - timedelta(days=7 * weeks_ago)
            submit_response(
                actor=patient,
                patient=patient,
                questionnaire="baseline",
                submitted_at=began,
                answers=_complete(
                    "baseline", _answers(8 + severity, 6 + severity, min(10, 4 + severity // 2), nrs=True)
                ),
            )
            checkins = {"active": weeks_ago - 1, "completer": 7, "dropout": 2}[stage]
            gain = {"active": 1, "completer": 1, "dropout": 0}[stage]
            for week in range(1, checkins + 1):
                submit_response(
                    actor=patient,
                    patient=patient,
                    questionnaire=WEEKLY_CHECK_IN,
                    submitted_at=began + timedelta(days=7 * week),
                    answers=_complete(
                        WEEKLY_CHECK_IN,
                        _answers(
                            max(0, 8 + severity - gain * week),
                            max(0, 6 + severity - gain * week),
                            max(1, 4 + severity // 2 - week // 3),
                        ),
                    ),
                )
            if stage == "completer":
                submit_response(
                    actor=patient,
                    patient=patient,
                    questionnaire="post-treatment",
                    submitted_at=began + timedelta(days=56),
                    answers=_complete(
                        "post-treatment",
                        _answers(
                            max(0, severity - 2), max(0, severity - 3), max(1, 2 + severity // 3), nrs=True, pgic=True
                        ),
                    ),
                )
                Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=began + timedelta(days=57))
            elif stage == "dropout":
                Enrolment.objects.filter(pk=enrolment.pk).update(
                    ended_at=began + timedelta(days=20), last_active_at=began + timedelta(days=19)
                )
                CareAssignment.objects.filter(patient=patient, ended_at__isnull=True).update(
                    ended_at=began + timedelta(days=20), ended_by=admin, end_reason="Demo: stopped the program"
                )
            else:
                Enrolment.objects.filter(pk=enrolment.pk).update(last_active_at=now - timedelta(days=n))
