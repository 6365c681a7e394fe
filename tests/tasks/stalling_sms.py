"""A text-message backend for the worker-death test: it says it has started sending (a marker
file), then never returns, so the test can SIGKILL the worker in the middle of a ladder step."""

from __future__ import annotations

import os
import time
from pathlib import Path


class StallingBackend:
    def send(self, to: str, body: str) -> None:
        Path(os.environ["STALL_MARKER"]).write_text(to, encoding="utf-8")
        while True:  # the worker is killed here
            time.sleep(0.5)
