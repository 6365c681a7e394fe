from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from modules.outcomes.services import notify_and_escalate_risk_alerts


class Command(BaseCommand):
    help = "Send pending risk-alert notifications and escalate unacknowledged alerts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = notify_and_escalate_risk_alerts()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
