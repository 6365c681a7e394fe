from __future__ import annotations

import itertools
from typing import Any

from messaging import services

_ids = itertools.count(1)


def send(sender: Any, patient: Any, body: str = "hello", client_id: str | None = None) -> Any:
    message, _created = services.send_message(
        sender=sender, patient=patient, client_id=client_id or f"c{next(_ids)}", body=body
    )
    return message
