"""The HMAC chain that makes the audit log tamper-evident."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _key() -> bytes:
    return str(settings.AUDIT_HMAC_KEY).encode()


def canonical(event: AuditEvent) -> bytes:
    return json.dumps(
        [
            event.pk,
            event.created_at.isoformat(),
            event.actor_id,
            event.actor_role,
            event.patient_id,
            event.action,
            event.object_type,
            event.object_id,
            event.client_ip,
            event.request_id,
        ],
        separators=(",", ":"),
    ).encode()


def link(previous_mac: str, event: AuditEvent) -> str:
    return hmac.new(_key(), previous_mac.encode() + b"|" + canonical(event), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None and not self.problem


def verify(events: Iterable[AuditEvent] | None = None) -> Verdict:
    """Walk the chain in id order; report the first row whose MAC does not follow."""
    previous = GENESIS
    checked = 0
    last_id = 0
    rows = events if events is not None else AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    for event in rows:
        if not hmac.compare_digest(link(previous, event), event.mac):
            return Verdict(checked, event.pk, "MAC does not match: row edited, or a row before it deleted or moved")
        previous = event.mac
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_event_id != last_id or head.mac != previous):
        return Verdict(checked, None, f"chain ends at row {last_id} but the head records row {head.last_event_id}: rows deleted from the end")
    return Verdict(checked)
