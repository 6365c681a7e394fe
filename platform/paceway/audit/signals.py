"""Every entry of Django's admin log is also an audit event: an administrator's additions,
changes and deletions in ``/admin/`` are in the tamper-evident chain, in the same transaction.

(The admin writes one log entry per object through ``save()``; its bulk "delete selected"
action, the one path that writes them in bulk without signals, is disabled site-wide.)"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model

from .services import audit

ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def audit_admin_log_entry(sender: Any, instance: LogEntry, created: bool = False, **kwargs: Any) -> None:
    if not created:
        return
    users = get_user_model()
    actor = users.objects.filter(pk=instance.user_id).first()
    content_type: Any = instance.content_type
    model = f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""
    patient = None
    if content_type is not None and content_type.model_class() is users and instance.object_id:
        subject = users.objects.filter(pk=instance.object_id, role="patient").first()
        patient = subject
    audit(
        actor=actor,
        action=ACTIONS.get(instance.action_flag, "admin.other"),
        patient=patient,
        object_type=model,
        object_id=instance.object_id or "",
    )
