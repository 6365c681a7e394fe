"""Administrators are not superusers of accounts: admin writes go through services with their
rules, and every one is in the audit chain (which still verifies)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command

from paceway.accounts.models import MfaReset, User
from paceway.audit.models import AuditEvent


def _actions(**filters) -> list[str]:
    events = AuditEvent.objects.filter(**filters).exclude(action="auth.login").order_by("id")
    return list(events.values_list("action", flat=True))


def test_an_account_change_in_the_admin_is_in_the_audit_chain(clients, personas):
    admin = clients["admin"]
    url = f"/admin/accounts/user/{personas.patient.pk}/change/"
    form = {"display_name": "Patricia One", "preferred_language": "en", "is_active": "on"}
    response = admin.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    personas.patient.refresh_from_db()
    assert personas.patient.display_name == "Patricia One"
    events = _actions(actor_id=personas.admin.pk, patient_id=personas.patient.pk)
    assert events == ["account.update", "admin.change"]
    call_command("verify_audit")


def test_deactivating_a_therapist_with_patients_is_refused_in_the_admin(clients, personas):
    admin = clients["admin"]
    url = f"/admin/accounts/user/{personas.therapist.pk}/change/"
    response = admin.post(url, {"display_name": "T1", "preferred_language": "en"})  # is_active unticked
    assert response.status_code == 200
    assert "Reassign this therapist" in response.content.decode()
    personas.therapist.refresh_from_db()
    assert personas.therapist.is_active
    assert not _actions(actor_id=personas.admin.pk)


def test_an_mfa_reset_needs_a_reason_tells_the_clinician_and_is_audited(
    clients, personas, mailoutbox, django_capture_on_commit_callbacks
):
    admin = clients["admin"]
    t = personas.therapist
    assert Authenticator.objects.filter(user=t).exists()
    short = admin.post("/admin/accounts/mfareset/add/", {"user": t.pk, "reason": "phone"})
    assert short.status_code == 200 and Authenticator.objects.filter(user=t).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/accounts/mfareset/add/", {"user": t.pk, "reason": "Lost phone; identity checked by video call"}
        )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=t).exists()
    reset = MfaReset.objects.get(user=t)
    assert reset.actor == personas.admin and reset.authenticators_removed >= 1
    [message] = mailoutbox
    assert message.to == [t.email] and "two-step verification" in message.body
    assert _actions(actor_id=personas.admin.pk) == ["account.mfa_reset", "admin.add"]
    call_command("verify_audit")


def test_an_administrator_cannot_reset_their_own_mfa(clients, personas):
    response = clients["admin"].post(
        "/admin/accounts/mfareset/add/", {"user": personas.admin.pk, "reason": "Lost phone; identity checked"}
    )
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=personas.admin).exists()


def test_authenticators_and_email_addresses_cannot_be_changed_or_deleted_in_the_admin(clients, personas):
    admin = clients["admin"]
    admin.raise_request_exception = False
    authenticator = Authenticator.objects.filter(user=personas.therapist).first()
    address = EmailAddress.objects.get(user=personas.therapist)
    assert admin.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {"user": personas.therapist.pk, "email": "attacker@example.org", "verified": "on", "primary": "on"},
    )
    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == "t1@example.org"
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_the_bulk_delete_action_is_off(clients):
    page = clients["admin"].get("/admin/accounts/invitation/").content.decode()
    assert "delete_selected" not in page


def test_users_cannot_be_added_or_deleted_in_the_admin(clients, personas):
    admin = clients["admin"]
    admin.raise_request_exception = False
    assert admin.get("/admin/accounts/user/add/").status_code == 403
    assert admin.post(f"/admin/accounts/user/{personas.patient.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=personas.patient.pk).exists()
    assert mail.outbox == []
