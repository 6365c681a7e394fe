"""The clinic's own crisis resources: versioned, edited in the admin, read by the crisis panel,
refused by the deploy check while they are demo values; the panel says who was told and when to
expect contact given the clinic's hours."""

from __future__ import annotations

import json
from datetime import datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from modules.outcomes import clinic, services
from modules.outcomes.checks import clinic_profile_is_not_demo
from modules.outcomes.models import ClinicProfile, ImmutableError
from modules.outcomes.selectors import crisis_panel

from .helpers import weekly, with_item9

TORONTO = ZoneInfo("America/Toronto")
TUESDAY_10 = datetime(2026, 3, 10, 10, 0, tzinfo=TORONTO)  # a Tuesday, the clinic is open
TUESDAY_22 = datetime(2026, 3, 10, 22, 0, tzinfo=TORONTO)  # a weeknight
SATURDAY_11 = datetime(2026, 3, 14, 11, 0, tzinfo=TORONTO)  # the weekend


def make_profile(**overrides):
    values = dict(clinic_name="Lakeside Pain Clinic", contact_phone="1-416-555-2368", time_zone="America/Toronto")
    values.update(overrides)
    return ClinicProfile.objects.create(**values)


def submit(patient):
    return services.submit_response(
        actor=patient, patient=patient, questionnaire="weekly-check-in", answers=list(with_item9(weekly(), 1).items())
    )


def test_it_counts_business_minutes_in_the_clinics_zone(db):
    profile = make_profile()
    assert clinic.add_business_minutes(profile, TUESDAY_10, 60) == datetime(2026, 3, 10, 11, 0, tzinfo=TORONTO)
    assert clinic.add_business_minutes(profile, TUESDAY_22, 60) == datetime(2026, 3, 11, 10, 0, tzinfo=TORONTO)
    assert clinic.add_business_minutes(profile, SATURDAY_11, 60) == datetime(2026, 3, 16, 10, 0, tzinfo=TORONTO)
    late = datetime(2026, 3, 13, 16, 30, tzinfo=TORONTO)  # Friday 16:30: 30 min today, 30 on Monday
    assert clinic.add_business_minutes(profile, late, 60) == datetime(2026, 3, 16, 9, 30, tzinfo=TORONTO)
    assert clinic.is_open(profile, TUESDAY_10) and not clinic.is_open(profile, TUESDAY_22)


def test_the_panel_reads_the_clinic_profile_and_tells_the_truth(personas, clients):
    make_profile(
        crisis_lines=[
            *clinic.default_crisis_lines(),
            {"regions": ["QC"], "phone": "1-866-277-3553", "name_en": "Quebec line", "name_fr": "Ligne du Québec"},
        ]
    )
    with time_machine.travel(TUESDAY_10, tick=False):
        body = clients["patient"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1)).content.decode()
    assert "Lakeside Pain Clinic" in body and "1-416-555-2368" in body
    assert "Paceway Demo Clinic" not in body and "555-010-0000" not in body
    assert "Call or text 9-8-8" in body and "Call 911" in body
    # The patient's province is not known yet: the regional line says where it applies.
    assert '<strong>Quebec line</strong>  <span class="muted">(Quebec)</span>' in body
    assert "(Monday to Friday, 9:00 to 17:00)" in body  # the hours, from the open days and times
    assert f"Your therapist, {personas.therapist.name}, has been told." in body
    assert "expect contact within 2 hours" in body

    with time_machine.travel(TUESDAY_22, tick=False):
        body = clients["stranger"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1)).content.decode()
    assert "care team has been told" in body
    assert f"Your therapist, {personas.therapist.name}" not in body  # (a bare "T1" may be in a CSRF token)
    assert "next business day, Wednesday 11 March" in body


def test_the_panel_shows_regional_lines_and_weekend_hours(personas):
    make_profile(
        crisis_lines=[
            *clinic.default_crisis_lines(),
            {"regions": ["QC"], "phone": "1-866-277-3553", "name_en": "Quebec line", "name_fr": "Ligne du Québec"},
        ]
    )
    alert = submit(personas.patient).alert
    panel = crisis_panel(personas.patient, alert=alert, now=SATURDAY_11, province="QC")
    assert [line.phone for line in panel.lines] == ["9-8-8", "911", "1-866-277-3553"]
    assert "Monday 16 March" in panel.expect


def test_versions_are_kept_and_edited_in_the_admin(personas, clients):
    first = make_profile()
    with pytest.raises(ImmutableError):
        first.save()
    with pytest.raises(ImmutableError):
        first.delete()
    data = {
        "clinic_name": "Lakeside Pain Clinic",
        "contact_phone": "1-416-555-9999",
        "time_zone": "America/Toronto",
        "open_days": "0,1,2,3,4",
        "opens_at": "08:00",
        "closes_at": "18:00",
        "contact_within_hours": "2",
        "crisis_lines": json.dumps(clinic.default_crisis_lines()),
        "leads_after_minutes": "60",
        "everyone_after_minutes": "240",
        "repeat_every_minutes": "60",
        "high_risk_leads_after_minutes": "15",
        "high_risk_everyone_after_minutes": "60",
        "on_call": "[]",
    }
    response = clients["admin"].post(f"/admin/outcomes/clinicprofile/{first.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ClinicProfile.objects.count() == 2
    assert ClinicProfile.objects.get(pk=first.pk).contact_phone == "1-416-555-2368"  # history kept
    assert clinic.current_profile().contact_phone == "1-416-555-9999"
    bad = {**data, "time_zone": "Mars/Olympus", "crisis_lines": json.dumps([{"phone": "1"}])}
    response = clients["admin"].post("/admin/outcomes/clinicprofile/add/", bad)
    assert response.status_code == 200 and ClinicProfile.objects.count() == 2
    # Patients and therapists cannot reach the admin.
    assert clients["patient"].get("/admin/outcomes/clinicprofile/").status_code in (302, 403, 404)


def test_it_validates_crisis_lines():
    clinic.validate_crisis_lines(clinic.default_crisis_lines())
    for bad in ([], [{"phone": "911"}], [{**clinic.DEFAULT_CRISIS_LINES[0], "regions": ["XX"]}], "911"):
        with pytest.raises(ValidationError):
            clinic.validate_crisis_lines(bad)


def test_the_deploy_check_refuses_demo_values(db, settings):
    settings.DEBUG = False
    settings.CLINIC_NAME, settings.CLINIC_CONTACT = "Paceway Demo Clinic", "1-555-010-0000"
    assert [e.id for e in clinic_profile_is_not_demo()] == ["outcomes.E001"]
    make_profile()
    assert clinic_profile_is_not_demo() == []
    settings.DEBUG = True
    make_profile(clinic_name="Paceway Demo Clinic")
    assert clinic_profile_is_not_demo() == []  # development: demo values are expected


def test_the_deploy_check_works_without_tables(settings):
    """`make check-deploy` runs before any migration: the environment's values are checked."""
    settings.DEBUG = False
    with mock.patch.object(clinic, "_table_exists", return_value=False):
        settings.CLINIC_NAME, settings.CLINIC_CONTACT = "Paceway Demo Clinic", "1-555-010-0000"
        assert [e.id for e in clinic_profile_is_not_demo()] == ["outcomes.E001"]
        settings.CLINIC_NAME, settings.CLINIC_CONTACT = "Lakeside", "1-416-555-2368"
        assert clinic_profile_is_not_demo() == []


def test_open_days_and_time_zone_are_validated():
    with pytest.raises(ValidationError):
        clinic.validate_open_days("0,9")
    with pytest.raises(ValidationError):
        clinic.validate_time_zone("Nowhere/City")
    assert time(9) < time(17)


def test_the_panel_shows_the_lines_of_the_patients_own_province(personas, clients):
    from modules.outcomes.contact import save_contact_details

    make_profile(
        crisis_lines=[
            *clinic.default_crisis_lines(),
            {"regions": ["QC"], "phone": "1-866-277-3553", "name_en": "Quebec line", "name_fr": "Ligne du Québec"},
        ]
    )
    details = {"phone": "416-555-0142", "emergency_name": "Ada", "emergency_relationship": "sister"}
    details |= {"emergency_phone": "647-555-0177", "province": "ON"}
    save_contact_details(actor=personas.patient, patient=personas.patient, data=details)
    body = clients["patient"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1)).content.decode()
    assert "Call or text 9-8-8" in body and "Quebec line" not in body
    save_contact_details(actor=personas.patient, patient=personas.patient, data={**details, "province": "QC"})
    body = clients["patient"].post("/outcomes/q/weekly-check-in/", with_item9(weekly(), 1)).content.decode()
    assert "<strong>Quebec line</strong> </li>" in body  # for a patient in Quebec, no "where" needed


def test_the_hours_are_defined_once_and_said_in_english_and_french(db):
    profile = make_profile(open_days="0,1,2,3,4", opens_at=time(8, 30), closes_at=time(18))
    assert clinic.hours_text(profile, "en") == "Monday to Friday, 8:30 to 18:00"
    assert clinic.hours_text(profile, "fr") == "Du lundi au vendredi, de 8 h 30 à 18 h"
    weekend = make_profile(open_days="5,6", opens_at=time(10), closes_at=time(14))
    assert clinic.hours_text(weekend, "en") == "Saturday, Sunday, 10:00 to 14:00"
    assert not any(f.name.startswith("contact_hours") for f in ClinicProfile._meta.get_fields())


def test_business_days_of_replies_follow_the_clinic_profiles_week(db, settings):
    """One definition of the clinic's week: the reply, decision and assignment targets count the
    profile's open days in its time zone, as the escalation ladder does."""
    from paceway import clinic as core

    friday_noon = datetime(2026, 3, 13, 12, 0, tzinfo=TORONTO)
    settings.REPLY_TARGET_BUSINESS_DAYS = 1
    assert core.reply_due(friday_noon) == datetime(2026, 3, 16, 12, 0, tzinfo=TORONTO)  # default: Monday
    make_profile(open_days="0,1,2,3,4,5")  # open on Saturdays too
    assert core.reply_due(friday_noon) == datetime(2026, 3, 14, 12, 0, tzinfo=TORONTO)
    make_profile(open_days="0,1,2,3,4", time_zone="America/Vancouver")
    week = core.clinic_week()
    assert week.zone == ZoneInfo("America/Vancouver") and week.open_days == frozenset(range(5))
