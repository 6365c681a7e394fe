"""Demo messages for `make run` (idempotent: fixed client ids)."""

from __future__ import annotations

from typing import Any

from paceway.accounts.access import can_change_clinical

from . import services

EXCHANGE = [
    (
        "therapist",
        "demo-welcome-1",
        "Hi Pat, welcome to Paceway. I'm Tara, your therapist for the program. How has your pain been this week?",
    ),
    (
        "patient",
        "demo-welcome-2",
        "Thanks Tara. Mornings are hard, but the afternoons have been a bit better than last month.",
    ),
    (
        "therapist",
        "demo-welcome-3",
        "That's good to hear. Let's look at your activity diary together and plan a gentle morning routine.",
    ),
    ("patient", "demo-welcome-4", "Sounds good. I'll fill in the diary for the next few days."),
]
UNREAD = (
    "patient2",
    "demo-question-1",
    "Hello Dr. Singh, is it okay to do the relaxation exercise twice a day?",
)


def load_demo_messages(accounts: dict[str, Any]) -> None:
    patient, therapist = accounts.get("patient"), accounts.get("therapist")
    if patient is not None and therapist is not None and can_change_clinical(therapist, patient):
        last = 0
        for who, client_id, body in EXCHANGE:
            message, _created = services.send_message(
                sender=accounts[who], patient=patient, client_id=client_id, body=body
            )
            last = message.seq
        services.mark_read(user=therapist, patient=patient, seq=last)
        services.mark_read(user=patient, patient=patient, seq=last)
    patient2 = accounts.get("patient2")
    if patient2 is not None and therapist is not None and can_change_clinical(therapist, patient2):
        who, client_id, body = UNREAD
        services.send_message(sender=accounts[who], patient=patient2, client_id=client_id, body=body)
