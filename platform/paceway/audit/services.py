"""Writing audit events. One call declares what is audited:

    audit(actor=request.user, action="diary.read", patient=patient, obj=entry)

It runs in the caller's transaction; if it fails, the caller fails and no data is served.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS, chain_for, link
from .context import client_ip_var, request_id_var
from .models import AuditChainHead, AuditEvent


def audit(
    *,
    actor: Any,
    action: str,
    patient: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    savepoint: bool = True,
) -> AuditEvent:
    """``savepoint=False`` (inside a caller's transaction) skips the nested savepoint: a failure
    then marks the caller's whole transaction for rollback, which is what a caller wants that
    fails with its audit anyway."""
    actor_known = actor is not None and getattr(actor, "is_authenticated", False)
    if obj is not None:
        object_type = object_type or obj.__class__.__name__
        object_id = object_id or obj.pk
    patient_id = getattr(patient, "pk", patient)
    actor_id = actor.pk if actor_known else None
    chain = chain_for(patient_id=patient_id, actor_id=actor_id)
    with transaction.atomic(savepoint=savepoint):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=chain + 1, defaults={"mac": GENESIS})
        event = AuditEvent(
            chain=chain,
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_role=str(getattr(actor, "role", "")) if actor_known else "",
            patient_id=patient_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            client_ip=client_ip_var.get(),
            request_id=request_id_var.get(),
            mac="pending",
        )
        # The MAC covers the primary key, so insert first, then seal the row with one UPDATE
        # done at the database level (the model refuses saves of existing rows).
        event.save()
        event.mac = link(head.mac or GENESIS, event)
        AuditEvent.objects.filter(pk=event.pk).update(mac=event.mac)
        head.last_event_id = event.pk
        head.mac = event.mac
        head.save(update_fields=["last_event_id", "mac"])
    return event
