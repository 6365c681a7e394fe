"""The program home page shows the patient's unread messages, counted by the messaging app
(through accounts.hooks: messaging depends on the program app, never the reverse)."""

from __future__ import annotations

import time_machine

from messaging.selectors import patient_unread_count
from messaging.services import send_message
from paceway.accounts import hooks

from .conftest import noon


def test_messaging_registers_its_counter():
    assert patient_unread_count in hooks.unread_message_counters


@time_machine.travel(noon(2026, 1, 6), tick=False)
def test_the_home_page_counts_unread_messages(personas, clients, enrolment):
    assert "0 unread messages" in clients["patient"].get("/program/").content.decode()
    send_message(sender=personas.therapist, patient=personas.patient, client_id="c-home-1", body="Hello")
    assert "1 unread message" in clients["patient"].get("/program/").content.decode()
