"""Log formats. ``LOG_FORMAT=json`` writes one JSON object per line with a fixed set of fields:
time, level, logger, request id, user id, message (and the traceback of an error). Extra
attributes that libraries attach to records (a request object, say) are dropped, never
serialised: logs carry identifiers, never health data."""

from __future__ import annotations

from typing import Any

from pythonjsonlogger.json import JsonFormatter

FIELDS = ("time", "level", "logger", "request_id", "user_id", "message", "exc_info", "stack_info")


class ParsimoniousJsonFormatter(JsonFormatter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(request_id)s %(user_id)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            **kwargs,
        )

    def add_fields(self, log_record: dict[str, Any], record: Any, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        for key in [key for key in log_record if key not in FIELDS]:
            del log_record[key]
