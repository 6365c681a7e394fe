"""The chains' heads, copied outside the database, so that a truncated tail is detected even if
whoever cut it also rewrote the in-database heads (Certificate Transparency's lesson, RFC 6962).

``export_heads`` appends one signed JSON line (every chain's last event id and MAC) to a file
(``AUDIT_WITNESS_PATH``; point it at storage the database's administrators cannot rewrite: a
separate volume, an append-only bucket, a log shipper). The scheduler runs it every
``AUDIT_WITNESS_SECONDS`` (``audit.export_heads``). ``check`` compares the newest line with the
database: each recorded event must still be there, in its chain, with the recorded MAC; the
line's own HMAC (the audit key) shows it was not forged. ``manage.py verify_audit`` runs both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .chain import _key
from .models import AuditChainHead, AuditEvent


def witness_path() -> Path | None:
    value = getattr(settings, "AUDIT_WITNESS_PATH", "")
    return Path(value) if value else None


def _sign(body: dict[str, object]) -> str:
    payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_key(), b"witness|" + payload, hashlib.sha256).hexdigest()


def export_heads(path: Path | None = None) -> dict[str, object]:
    """Append the current heads as one signed line; returns what was written."""
    path = path or witness_path()
    heads = {str(h.pk - 1): [h.last_event_id, h.mac] for h in AuditChainHead.objects.order_by("pk")}
    body: dict[str, object] = {"at": timezone.now().isoformat(), "heads": heads}
    line = {**body, "sig": _sign(body)}
    if path is None:
        return line
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return line


@dataclass(frozen=True)
class WitnessVerdict:
    checked: bool
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check(path: Path | None = None) -> WitnessVerdict:
    """Does the database still hold every event the newest witness line recorded?"""
    path = path or witness_path()
    if path is None or not path.exists():
        return WitnessVerdict(checked=False)
    last = ""
    with open(path, encoding="utf-8") as lines:
        for raw in lines:
            if raw.strip():
                last = raw
    if not last:
        return WitnessVerdict(checked=False)
    try:
        line = json.loads(last)
        body = {"at": line["at"], "heads": line["heads"]}
        signature = str(line["sig"])
    except (ValueError, KeyError, TypeError):
        return WitnessVerdict(True, "the newest witness line is unreadable")
    if not hmac.compare_digest(_sign(body), signature):
        return WitnessVerdict(True, "the newest witness line's signature does not match: it was altered")
    for chain, (event_id, mac) in sorted(line["heads"].items(), key=lambda item: int(item[0])):
        if not event_id:
            continue
        event = AuditEvent.objects.filter(pk=event_id).only("chain", "mac").first()
        if event is None or event.chain != int(chain) or event.mac != mac:
            return WitnessVerdict(
                True,
                f"chain {chain}: row {event_id}, recorded outside the database at {line['at']}, is missing "
                "or changed: rows were cut from the end",
            )
    return WitnessVerdict(True)
