"""One group-commit round's side effects, carried as an argument instead of thread-local switches.

A round's writers (``store.store_messages``, ``store.read_pages``, ``local_delivery.prepare``)
record into it the audit events and the doorbells their batch produces. The caller decides when
they happen: audit events are appended together inside the round's transaction (``write_audit``),
doorbells are rung after commit (``ring``), by the group commit only once local sockets have
had their hand-over, so that they find their cursor already past each message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from paceway import doorbell
from paceway.audit.models import AuditEvent
from paceway.audit.services import append_events, build_event
from paceway.ops import metrics

Doorbell = tuple[int, int, int]  # (patient_id, conversation_id, seq)


@dataclass
class Round:
    audit_events: list[AuditEvent] = field(default_factory=list)
    doorbells: list[Doorbell] = field(default_factory=list)
    stored: int = 0  # messages newly stored, for the metrics

    def audit(
        self,
        *,
        actor: Any,
        action: str,
        patient: Any = None,
        obj: Any = None,
        object_type: str = "",
        object_id: Any = "",
    ) -> None:
        self.audit_events.append(build_event(actor, action, patient, obj, object_type, object_id))

    def write_audit(self) -> None:
        """Append the round's audit events (call inside its transaction: they commit with the data)."""
        events, self.audit_events = self.audit_events, []
        if events:
            with transaction.atomic(savepoint=False):
                append_events(events)

    def ring(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """After commit: the doorbells (scheduled on ``loop`` without waiting, if given) and metrics."""
        doorbell.new_messages(self.doorbells, loop=loop)
        if self.stored:
            metrics.messages_stored(self.stored)

    def finish_alone(self) -> None:
        """For a caller outside the group commit: audit now, ring on commit."""
        self.write_audit()
        transaction.on_commit(self.ring)

    def absorb(self, other: Round) -> None:
        """Add a committed sub-round (a job redone alone) to this one."""
        self.audit_events += other.audit_events
        self.doorbells += other.doorbells
        self.stored += other.stored
