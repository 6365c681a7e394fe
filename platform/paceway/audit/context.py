"""Per-request facts the audit log records: request id and client address."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
client_ip_var: ContextVar[str] = ContextVar("client_ip", default="")
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)  # for log lines only
