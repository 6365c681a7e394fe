"""Browser pages: the conversation thread, usable without JavaScript (post, then redirect)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from paceway import clinic
from paceway.accounts.access import active_therapist_of, patient_for_clinical
from paceway.accounts.roles import is_patient, is_therapist
from paceway.typing import AuthenticatedRequest

from . import errors, frames, selectors, services


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=frames.MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": frames.MAX_BODY_CHARS}),
    )
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


@login_required
@require_GET
def my_thread(request: AuthenticatedRequest) -> HttpResponse:
    """/messages/: a patient's own conversation; therapists pick a patient from their caseload."""
    if is_patient(request.user):
        return redirect("messaging:thread", patient_id=request.user.pk)
    if is_therapist(request.user):
        return redirect("home")
    raise Http404


def _care_team(patient: Any) -> dict[str, Any]:
    """For the patient's own thread: their therapist, or when one is expected and replies come."""
    therapist = active_therapist_of(patient)
    if therapist is not None:
        return {"therapist": therapist, "reply_days": settings.REPLY_TARGET_BUSINESS_DAYS}
    return {
        "therapist": None,
        "assignment_expected": clinic.assignment_expected(
            patient.date_joined if patient.date_joined else timezone.now()
        ),
        "reply_days": settings.REPLY_TARGET_BUSINESS_DAYS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: AuthenticatedRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_clinical(request.user, patient_id)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.send_message(
                    sender=request.user,
                    patient=patient,
                    client_id=form.cleaned_data["client_id"],
                    body=form.cleaned_data["body"],
                )
            except errors.NotAllowed:
                raise Http404 from None
            except errors.MessagingError as exc:
                form.add_error("body" if exc.field == "body" else None, exc.message)
            else:
                return redirect(reverse("messaging:thread", kwargs={"patient_id": patient.pk}) + "#latest")
    else:
        form = MessageForm(initial={"client_id": uuid.uuid4().hex})
    templates: list[Any] = []
    if is_therapist(request.user):
        from therapist.workspace.selectors import message_templates  # the therapist app's reads (it imports us)

        templates = message_templates(request.user)
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
        if chosen is not None and request.method == "GET":
            form = MessageForm(initial={"client_id": form.initial["client_id"], "body": chosen.body})
    page = selectors.recent_messages(user=request.user, patient=patient)
    for message in page.messages:
        message["created_dt"] = datetime.fromisoformat(message["created_at"])
    if page.last_seq:
        services.mark_read(user=request.user, patient=patient, seq=page.last_seq)
    response = render(
        request,
        "messaging/thread.html",
        {
            "patient": patient,
            "page": page,
            "form": form,
            "is_own": request.user.pk == patient.pk,
            "templates": templates,
            **(_care_team(patient) if request.user.pk == patient.pk else {}),
            "socket_path": f"/ws/messages/{patient.pk}/",
        },
        status=400 if request.method == "POST" else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
