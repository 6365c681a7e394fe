"""The HMAC chain that makes the audit log tamper-evident."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from .models import AuditChainHead, AuditEvent, AuditKeyCheck

GENESIS = "0" * 64


def _key() -> bytes:
    return str(settings.AUDIT_HMAC_KEY).encode()


def key_fingerprint() -> str:
    return hmac.new(_key(), b"paceway-audit-key-check|v1", hashlib.sha256).hexdigest()


def record_key_fingerprint() -> None:
    """Store the current key's fingerprint unless one is stored (run after migrations)."""
    if not AuditKeyCheck.objects.exists():
        AuditKeyCheck.objects.get_or_create(pk=1, defaults={"fingerprint": key_fingerprint()})


def key_matches() -> bool | None:
    """Does AUDIT_HMAC_KEY match the fingerprint stored with this log? None if none is stored."""
    stored = AuditKeyCheck.objects.filter(pk=1).values_list("fingerprint", flat=True).first()
    return None if stored is None else hmac.compare_digest(stored, key_fingerprint())


WRONG_KEY = (
    "AUDIT_HMAC_KEY is not the key this audit log was written with (the key fingerprint stored with the "
    "log differs). Configure the AUDIT_HMAC_KEY that belongs with this database: a configuration error, "
    "not evidence of tampering."
)


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
            event.chain,
        ],
        separators=(",", ":"),
    ).encode()


def chain_count() -> int:
    return max(1, int(getattr(settings, "AUDIT_CHAINS", 16)))


def chain_for(*, patient_id: int | None, actor_id: int | None) -> int:
    """Events about one patient always share a chain; others go by actor."""
    return int(patient_id if patient_id is not None else (actor_id or 0)) % chain_count()


def link(previous_mac: str, event: AuditEvent) -> str:
    return hmac.new(_key(), previous_mac.encode() + b"|" + canonical(event), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    wrong_key: bool = False

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None and not self.problem


def verify(events: Iterable[AuditEvent] | None = None) -> Verdict:
    """Walk every chain in id order; report the first row whose MAC does not follow. A wrong
    AUDIT_HMAC_KEY is reported as such (``wrong_key``), not as a broken chain."""
    fingerprint_ok = key_matches() if events is None else None
    if fingerprint_ok is False:
        first = AuditEvent.objects.order_by("id").first()  # the first row of its chain
        if first is None or not hmac.compare_digest(link(GENESIS, first), first.mac):
            return Verdict(0, None, WRONG_KEY + " The log was not checked.", wrong_key=True)
    verdict = _walk(events)
    if verdict.ok and fingerprint_ok is False:
        return Verdict(verdict.checked, None, "the audit key fingerprint row was changed (the chain itself verifies)")
    return verdict


def _walk(events: Iterable[AuditEvent] | None) -> Verdict:
    previous: dict[int, str] = {}
    last_ids: dict[int, int] = {}
    checked = 0
    rows = events if events is not None else AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    for event in rows:
        expected = link(previous.get(event.chain, GENESIS), event)
        if not hmac.compare_digest(expected, event.mac):
            return Verdict(checked, event.pk, "MAC does not match: row edited, or a row before it deleted or moved")
        previous[event.chain] = event.mac
        last_ids[event.chain] = event.pk
        checked += 1
    for head in AuditChainHead.objects.all():
        chain = head.pk - 1
        if head.last_event_id != last_ids.get(chain, 0) or head.mac != previous.get(chain, GENESIS):
            return Verdict(
                checked,
                None,
                f"chain {chain} ends at row {last_ids.get(chain, 0)} but its head records row "
                f"{head.last_event_id}: rows deleted from the end",
            )
    return Verdict(checked)
