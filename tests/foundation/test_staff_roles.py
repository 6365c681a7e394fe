"""Nobody is a superuser: an administrator holds exactly the admin permissions of the role, and
no clinical data is in /admin/; a privacy officer reads the audit log and the access reports and
is refused every clinical page and API."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.utils import timezone

from modules.outcomes.models import ClinicProfile
from paceway.accounts import services
from paceway.accounts.models import TherapistProfile, User
from paceway.accounts.permissions import ROLE_PERMISSIONS
from paceway.accounts.roles import Role
from paceway.audit.models import AuditEvent
from tests.conftest import client_for
from tests.foundation.test_route_inventory import _fill, _protected_routes

# Apps whose models hold health data: none may be in the admin or in a role's permissions.
CLINICAL_APPS = {"modules", "messaging", "therapist", "screening", "record", "keyring"}
CLINICAL_OUTCOMES = {f"outcomes.{m}" for m in ("questionnaireresponse", "score", "riskalert", "safetyplan")}


def _admin_models(client) -> set[str]:
    page = client.get("/admin/").content.decode()
    return set(re.findall(r'href="/admin/(\w+/\w+)/"', page))


def test_an_administrator_is_staff_not_superuser_with_exactly_the_roles_permissions(personas):
    admin_user = User.objects.get(pk=personas.admin.pk)
    assert admin_user.is_staff and not admin_user.is_superuser
    assert admin_user.get_all_permissions() == set(ROLE_PERMISSIONS[Role.ADMINISTRATOR])
    assert not admin_user.has_perm("audit.view_auditevent")
    assert not admin_user.has_perm("auth.change_group")
    assert not admin_user.has_perm("django_celery_beat.change_periodictask")
    for perm in admin_user.get_all_permissions():
        assert perm.split(".")[0] not in CLINICAL_APPS and perm.rsplit("_", 1)[0] not in CLINICAL_OUTCOMES, perm


def test_no_clinical_data_model_is_in_the_admin_and_the_admin_sees_its_own_models(clients):
    registered = {m._meta.app_label for m in admin.site._registry}
    assert not registered & CLINICAL_APPS
    assert {m._meta.label_lower for m in admin.site._registry if m._meta.app_label == "outcomes"} == {
        "outcomes.clinicprofile"
    }
    assert _admin_models(clients["admin"]) == {
        "accounts/user",
        "accounts/therapistprofile",
        "accounts/careassignment",
        "accounts/invitation",
        "accounts/mfareset",
        "account/emailaddress",
        "mfa/authenticator",
        "outcomes/clinicprofile",
    }
    admin_client = clients["admin"]
    admin_client.raise_request_exception = False
    for url in ("/admin/audit/auditevent/", "/admin/auth/group/", "/admin/django_celery_beat/periodictask/"):
        assert admin_client.get(url).status_code == 403, url


def test_nobody_can_be_made_a_superuser():
    with pytest.raises(ValueError):
        User.objects.create_superuser("root@example.org", "long-enough-password")


@pytest.mark.django_db
def test_the_first_administrator_is_not_a_superuser_and_can_manage_accounts():
    out = io.StringIO()
    call_command("create_first_admin", "--email", "first@example.org", stdout=out)
    first = User.objects.get(email="first@example.org")
    assert first.role == Role.ADMINISTRATOR and first.is_staff and not first.is_superuser
    assert first.has_perm("accounts.change_user") and first.has_perm("accounts.add_mfareset")


def test_a_therapist_profile_change_goes_through_the_service_with_its_rules(clients, personas):
    admin_client = clients["admin"]
    profile = TherapistProfile.objects.get(user=personas.therapist)
    url = f"/admin/accounts/therapistprofile/{profile.pk}/change/"
    form = {
        "training_title": profile.training_title,
        "training_completed_on": "2024-01-01",
        "training_evidence": profile.training_evidence,
        "caseload_capacity": 12,
        "languages": "en,fr",
        # is_active_clinician unticked: going on leave with a patient is refused
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "Reassign this therapist" in refused.content.decode()
    profile.refresh_from_db()
    assert profile.is_active_clinician and profile.caseload_capacity == 10
    response = admin_client.post(url, {**form, "is_active_clinician": "on"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.caseload_capacity, profile.languages, profile.training_verified) == (12, "en,fr", True)
    actions = list(
        AuditEvent.objects.filter(actor_id=personas.admin.pk)
        .exclude(action="auth.login")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["therapist.profile.update", "admin.change"]
    call_command("verify_audit")


def test_a_clinic_profile_edit_is_a_new_audited_version(clients, personas):
    from django.forms.models import model_to_dict

    from modules.outcomes.clinic import current_profile

    data = model_to_dict(current_profile(), exclude=["id", "created_at", "created_by"])
    form = {k: v for k, v in data.items() if v is not None}
    form["crisis_lines"] = __import__("json").dumps(data["crisis_lines"])
    form["clinic_name"] = "Paceway Pain Clinic"
    response = clients["admin"].post("/admin/outcomes/clinicprofile/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = ClinicProfile.objects.latest("id")
    assert latest.clinic_name == "Paceway Pain Clinic" and latest.created_by_id == personas.admin.pk
    assert AuditEvent.objects.filter(actor_id=personas.admin.pk, action="outcomes.clinic_profile.save").count() == 1
    call_command("verify_audit")


# Privacy officer ------------------------------------------------------------------------------

PRIVACY_OFFICER_MAY = (
    r"^record/audit-report/$",
    r"^record/schema\.json$",  # the export's documentation, no health data
    r"^api/schema/",  # the API's documentation, staff only
    r"^api/docs/",
    r"^api/v1/me$",  # their own account
    r"^accounts/",
)


@pytest.mark.parametrize(
    "route", [r for r in _protected_routes() if not any(re.search(p, r.lstrip("^")) for p in PRIVACY_OFFICER_MAY)]
)
def test_a_privacy_officer_is_refused_every_clinical_page_and_api(route, personas, privacy_officer):
    client = client_for(privacy_officer)
    client.raise_request_exception = False
    url = _fill(route, personas.patient.pk)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (400, 403, 404, 405), (url, response.status_code)


def test_a_privacy_officer_reads_the_audit_log_and_nothing_else_in_the_admin(personas, privacy_officer):
    client = client_for(privacy_officer)
    client.raise_request_exception = False
    assert privacy_officer.get_all_permissions() == {"audit.view_auditevent"}
    assert _admin_models(client) == {"audit/auditevent"}
    log = client.get("/admin/audit/auditevent/")
    assert log.status_code == 200
    for url in ("/admin/accounts/user/", "/admin/accounts/mfareset/add/", "/admin/outcomes/clinicprofile/"):
        assert client.get(url).status_code == 403, url
    event = AuditEvent.objects.order_by("id").first()
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_privacy_officer_starts_on_the_access_reports_and_needs_a_second_factor(db, personas):
    from tests.conftest import make_user

    officer = make_user("po2@example.org", Role.PRIVACY_OFFICER, mfa=False)
    client = client_for(officer)
    response = client.get("/record/audit-report/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    with_mfa = make_user("po3@example.org", Role.PRIVACY_OFFICER)
    assert client_for(with_mfa).get("/").url == "/record/audit-report/"


def test_a_privacy_officer_is_invited_and_joins_as_staff(personas):
    invitation, token = services.invite(actor=personas.admin, email="po4@example.org", role=Role.PRIVACY_OFFICER)
    officer = services.accept_invitation(token=token, password="a-long-enough-passphrase", display_name="P O")
    assert officer.role == Role.PRIVACY_OFFICER and officer.is_staff and not officer.is_superuser
    assert invitation.expires_at > timezone.now()
