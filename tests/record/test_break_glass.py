"""Break-glass: time-limited, reasoned, read-only access outside the care team; the therapist and
the privacy contact are told, the patient sees it, and it expires by itself."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from paceway.accounts import services
from paceway.accounts.access import can_change_clinical, can_view_clinical
from paceway.accounts.models import BreakGlassAccess, TherapistProfile
from paceway.audit.models import AuditEvent

REASON = "Called by the crisis line; the therapist is unreachable"


@pytest.fixture
def privacy_contact(settings):
    settings.PRIVACY_CONTACT_EMAIL = "privacy@clinic.example"
    return settings.PRIVACY_CONTACT_EMAIL


def _open(client, personas, minutes: int = 30):
    return client.post(
        "/record/break-glass/", {"patient_id": personas.patient.pk, "reason": REASON, "minutes": minutes}
    )


def test_an_administrator_opens_it_reads_and_everyone_is_told(
    clients, personas, privacy_contact, privacy_officer, mailoutbox, django_capture_on_commit_callbacks
):
    admin = clients["admin"]
    assert not can_view_clinical(personas.admin, personas.patient)
    assert admin.get(f"/api/v1/patients/{personas.patient.pk}/fhir").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = _open(admin, personas)
    access = BreakGlassAccess.objects.get(actor=personas.admin, patient=personas.patient)
    assert response.status_code == 302 and response["Location"] == f"/record/break-glass/{access.pk}/"
    # One e-mail each, in each reader's language (accounts' own; the clinic's for the contact).
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        [personas.therapist.email, privacy_contact, privacy_officer.email]
    )
    assert all(REASON not in m.body and str(personas.patient.pk) in m.body for m in mailoutbox)

    page = admin.get(f"/record/break-glass/{access.pk}/")
    assert page.status_code == 200 and "Break-glass access, read-only" in page.content.decode()
    assert admin.get(f"/api/v1/patients/{personas.patient.pk}/fhir").status_code == 200
    assert can_view_clinical(personas.admin, personas.patient)
    assert not can_change_clinical(personas.admin, personas.patient)  # read-only
    admin.raise_request_exception = False
    sent = admin.post(
        f"/api/v1/conversations/{personas.patient.pk}/messages",
        {"client_id": "x", "body": "hello"},
        content_type="application/json",
    )
    assert sent.status_code in (403, 404)

    # The patient sees who, why, and what was read.
    patient = clients["patient"]
    log = patient.get("/record/access/").content.decode()
    assert REASON in log and "Admin" in log
    rows = list(csv.DictReader(io.StringIO(patient.get("/record/access.csv").content.decode())))
    actions = {r["Action code"] for r in rows if r["Who"] == "Admin"}
    assert {"breakglass.open", "breakglass.read", "outcomes.fhir.export"} <= actions


def test_it_expires_by_itself(clients, personas):
    admin = clients["admin"]
    _open(admin, personas, minutes=10)
    access = BreakGlassAccess.objects.get(actor=personas.admin)
    assert admin.get(f"/record/break-glass/{access.pk}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):  # within the session's idle limit
        assert not can_view_clinical(personas.admin, personas.patient)
        assert admin.get(f"/record/break-glass/{access.pk}/").status_code == 404
        assert admin.get(f"/api/v1/patients/{personas.patient.pk}/fhir").status_code == 404


def test_it_can_be_closed_early(clients, personas):
    admin = clients["admin"]
    _open(admin, personas)
    access = BreakGlassAccess.objects.get(actor=personas.admin)
    assert admin.post(f"/record/break-glass/{access.pk}/close/").status_code == 302
    assert not can_view_clinical(personas.admin, personas.patient)
    assert admin.get(f"/record/break-glass/{access.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="breakglass.close", patient_id=personas.patient.pk).count() == 1
    assert admin.post(f"/record/break-glass/{access.pk}/close/").status_code == 404


def test_it_needs_a_reason_a_patient_and_a_sane_duration(clients, personas):
    admin = clients["admin"]
    for data in (
        {"patient_id": personas.patient.pk, "reason": "urgent", "minutes": 30},
        {"patient_id": 999999, "reason": REASON, "minutes": 30},
        {"patient_id": personas.therapist.pk, "reason": REASON, "minutes": 30},
        {"patient_id": personas.patient.pk, "reason": REASON, "minutes": 100000},
        {"patient_id": personas.patient.pk, "reason": REASON + "\x00", "minutes": 30},
    ):
        assert admin.post("/record/break-glass/", data).status_code == 400, data
    assert not BreakGlassAccess.objects.exists()


def test_only_administrators_and_clinical_leads_may_open_it(clients, personas):
    for who in ("patient", "therapist", "unassigned_therapist", "stranger"):
        assert clients[who].get("/record/break-glass/").status_code == 404, who
        assert _open(clients[who], personas).status_code == 404, who
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    assert _open(clients["unassigned_therapist"], personas).status_code == 302
    assert can_view_clinical(personas.unassigned_therapist, personas.patient)


def test_someone_on_the_care_team_does_not_need_it(personas):
    TherapistProfile.objects.filter(user=personas.therapist).update(is_clinical_lead=True)
    with pytest.raises(ValidationError):
        services.open_break_glass(actor=personas.therapist, patient_id=personas.patient.pk, reason=REASON)


def test_another_holders_access_cannot_be_used_or_closed(clients, personas):
    _open(clients["admin"], personas)
    access = BreakGlassAccess.objects.get(actor=personas.admin)
    TherapistProfile.objects.filter(user=personas.unassigned_therapist).update(is_clinical_lead=True)
    lead = clients["unassigned_therapist"]
    assert lead.get(f"/record/break-glass/{access.pk}/").status_code == 404
    assert lead.post(f"/record/break-glass/{access.pk}/close/").status_code == 404
    assert not can_view_clinical(personas.unassigned_therapist, personas.patient)
