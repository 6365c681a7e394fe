"""Therapist dashboard for caseloads of 10, 100 and 500 patients, beside a trivial Django view.

Prints, for each size, the number of SQL queries (must be the same for all three) and the median
time with its ratio to the trivial view measured in the same run.

    .venv/bin/python bench/dashboard.py
"""

from __future__ import annotations

from _setup import QueryCounter, django_setup, median_ms

django_setup()

from datetime import timedelta  # noqa: E402

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from modules.outcomes.models import QuestionnaireResponse, RiskAlert, Score  # noqa: E402
from paceway.accounts.models import CareAssignment, TherapistProfile, User  # noqa: E402
from tests.conftest import make_therapist, make_user  # noqa: E402


def build(size: int, admin: User) -> User:
    therapist = make_therapist(f"bench-t{size}@example.org", admin=admin, capacity=size + 1)
    TherapistProfile.objects.filter(user=therapist).update(caseload_capacity=size + 1)
    for n in range(size):
        patient = make_user(f"bench-{size}-{n}@example.org", "patient", name=f"Patient {n}")
        CareAssignment.objects.create(patient=patient, therapist=therapist, assigned_by=admin)
        for week in range(3):
            response = QuestionnaireResponse.objects.create(
                patient=patient,
                questionnaire="weekly-check-in",
                answers={},
                submitted_by=patient,
                submitted_at=timezone.now() - timedelta(days=7 * (3 - week)),
            )
            for scale, total in (("phq9", 12 - week), ("gad7", 9 - week), ("peg", 6 - week)):
                Score.objects.create(
                    response=response,
                    patient=patient,
                    instrument=scale,
                    scale=scale,
                    total=total,
                    submitted_at=response.submitted_at,
                )
            if n % 25 == 0 and week == 2:
                RiskAlert.objects.create(patient=patient, response=response, therapist_at_creation=therapist)
    return therapist


def main() -> None:
    admin = make_user("bench-admin@example.org", "administrator")
    trivial = Client()
    print(f"{'caseload':>9} {'queries':>8} {'median ms':>10} {'trivial ms':>11} {'ratio':>7}")
    counts = []
    for size in (10, 100, 500):
        therapist = build(size, admin)
        client = Client()
        client.force_login(therapist)
        with QueryCounter() as captured:
            assert client.get("/therapist/").status_code == 200
        dashboard_ms = median_ms(lambda c=client: c.get("/therapist/"), repeat=15)
        trivial_ms = median_ms(lambda: trivial.get("/healthz"), repeat=15)
        counts.append(len(captured))
        print(
            f"{size:>9} {len(captured):>8} {dashboard_ms:>10.2f} {trivial_ms:>11.2f} {dashboard_ms / trivial_ms:>7.1f}"
        )
    print("query count constant across caseload sizes:", len(set(counts)) == 1)


if __name__ == "__main__":
    main()
