"""Issue 11, local time: every date and time in the person's own time zone (the clinic's by
default); the diary's "today" is the patient's today; charts and live messages agree."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from modules.outcomes import services
from modules.outcomes.charts import patient_charts
from modules.program.models import ExerciseEntry
from tests.outcomes.helpers import weekly

# 02:52 UTC on 1 December: still 30 November (21:52) in Toronto, already 1 December (15:52) in Auckland.
EVENING_IN_TORONTO = datetime(2026, 12, 1, 2, 52, tzinfo=UTC)


def _diary(date: str) -> dict[str, str]:
    return {"date": date, "pain": "5", "activity": "Walk", "mood": "6", "sleep_hours": "7"}


def test_it_uses_the_patients_today_for_the_diary(clients, personas):
    personas.patient.time_zone = "Pacific/Auckland"
    personas.patient.save()
    client = clients["patient"]
    with time_machine.travel(EVENING_IN_TORONTO, tick=False):
        page = client.get("/program/diary/").content.decode()
        assert 'value="2026-12-01"' in page and 'max="2026-12-01"' in page  # defaults to their today
        assert client.post("/program/diary/", _diary("2026-12-01")).status_code == 302
        refused = client.post("/program/diary/", _diary("2026-12-02"))
    assert refused.status_code == 400
    assert "This date is after today (2026-12-01 in your time zone, Pacific/Auckland)" in refused.content.decode()
    assert [e.entry_date.isoformat() for e in ExerciseEntry.objects.filter(patient=personas.patient)] == ["2026-12-01"]


def test_it_uses_the_clinics_zone_when_the_patient_has_none(clients, personas):
    with time_machine.travel(EVENING_IN_TORONTO, tick=False):
        page = clients["patient"].get("/program/diary/").content.decode()
        assert 'value="2026-11-30"' in page
        refused = clients["patient"].post("/program/diary/", _diary("2026-12-01"))
    assert refused.status_code == 400 and "America/Toronto" in refused.content.decode()
    assert not ExerciseEntry.objects.exists()


def test_it_labels_charts_with_the_viewers_local_date(personas):
    from django.utils import timezone

    services.submit_response(
        actor=personas.patient,
        patient=personas.patient,
        questionnaire="weekly-check-in",
        answers=list(weekly(phq=1).items()),
        submitted_at=EVENING_IN_TORONTO,
    )
    with timezone.override("America/Toronto"):
        assert "Nov. 30, 2026" in str(patient_charts(personas.patient))
    with timezone.override("Pacific/Auckland"):
        assert "Dec. 1, 2026" in str(patient_charts(personas.patient))


def test_it_formats_a_message_time_the_same_in_the_page_and_in_live_frames(clients, personas):
    from messaging import sealing
    from messaging import services as messaging

    personas.patient.time_zone = "Europe/Paris"
    personas.patient.save()
    with time_machine.travel(EVENING_IN_TORONTO, tick=False):
        message, _created = messaging.send_message(
            sender=personas.therapist, patient=personas.patient, client_id="c" * 16, body="Hello"
        )
        live = sealing.serialize(message, "Hello", viewer=personas.patient, patient_id=personas.patient.pk)
        page = clients["patient"].get(f"/messages/{personas.patient.pk}/").content.decode()
    assert live["created_local"] == "12/01/2026 3:52 a.m."  # Paris, the patient's zone
    assert f">{live['created_local']}</time>" in page
