"""Patient home and a module page beside a trivial Django view, for patients with 5 and with 500
diary entries and completed steps. Prints median times, ratios, and SQL query counts (which must
not grow with the patient's history).

    .venv/bin/python bench/program.py
"""

from __future__ import annotations

from _setup import QueryCounter, django_setup, median_ms

django_setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from modules.program.loader import latest_program  # noqa: E402
from modules.program.models import ExerciseEntry, Step, StepCompletion  # noqa: E402
from modules.program.selectors import active_enrolment  # noqa: E402
from modules.program.services import enrol_patient  # noqa: E402
from paceway.accounts.models import CareAssignment  # noqa: E402
from tests.conftest import make_therapist, make_user  # noqa: E402


def patient_with_history(n: int, admin, therapist):
    patient = make_user(f"bench-p{n}@example.org", "patient")
    CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=admin)
    enrol_patient(
        actor=therapist, patient=patient, program=latest_program(), start_date=timezone.localdate() - timedelta(days=60)
    )
    enrolment = active_enrolment(patient)
    today = timezone.localdate()
    ExerciseEntry.objects.bulk_create(
        ExerciseEntry(
            patient=patient,
            kind="pain_diary",
            entry_date=today - timedelta(days=i % 365),
            data={"pain": 5, "activity": "walk", "mood": 6, "sleep_hours": "7.0", "notes": ""},
        )
        for i in range(n)
    )
    steps = list(
        Step.objects.filter(module__program=enrolment.program).order_by("module__number", "order")[: min(n, 40)]
    )
    StepCompletion.objects.bulk_create(StepCompletion(enrolment=enrolment, step=step) for step in steps)
    return patient


def main() -> None:
    call_command("load_content", verbosity=0)
    admin = make_user("bench-admin@example.org", "administrator")
    therapist = make_therapist("bench-t@example.org", admin=admin, capacity=10)
    trivial = Client()
    print(f"{'history':>8} {'page':>8} {'queries':>8} {'median ms':>10} {'trivial ms':>11} {'ratio':>6}")
    queries: dict[str, set[int]] = {"home": set(), "module": set(), "diary": set()}
    for n in (5, 500):
        patient = patient_with_history(n, admin, therapist)
        client = Client()
        client.force_login(patient)
        module_url = (
            "/program/modules/" + active_enrolment(patient).program.modules.order_by("number").first().slug + "/"
        )
        for name, url in (("home", "/program/"), ("module", module_url), ("diary", "/program/diary/")):
            with QueryCounter() as captured:
                assert client.get(url).status_code == 200, url
            page_ms = median_ms(lambda c=client, u=url: c.get(u), repeat=20)
            trivial_ms = median_ms(lambda: trivial.get("/healthz"), repeat=20)
            queries[name].add(len(captured))
            print(
                f"{n:>8} {name:>8} {len(captured):>8} {page_ms:>10.2f} {trivial_ms:>11.2f} {page_ms / trivial_ms:>6.1f}"
            )
    for name, counts in queries.items():
        print(f"{name}: query count the same for 5 and 500 entries: {len(counts) == 1}")


if __name__ == "__main__":
    main()
