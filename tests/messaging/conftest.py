"""Fixtures for messaging tests: a fresh cache per test, and a recorder of channel-layer traffic."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import get_channel_layer


@pytest.fixture(autouse=True, scope="session")
def _close_socket_db_threads(django_db_setup: Any) -> Iterator[None]:
    """On PostgreSQL the sockets' database work runs in a thread pool whose threads keep their
    connections open; close them before the test database is dropped."""
    yield
    from messaging.db_work import shutdown_db_pool
    from messaging.group_commit import committer

    committer.stop()
    shutdown_db_pool()


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    """The personas' passwords are not what these tests are about (PBKDF2 costs ~0.5 s each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> None:
    """Rate limits and connection slots live in the cache; give each test its own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"messaging-test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def layer_traffic(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every (group, event) handed to the channel layer by application code."""
    layer = get_channel_layer()
    recorded: list[tuple[str, dict[str, Any]]] = []
    original = layer.group_send

    async def recording_group_send(group: str, message: dict[str, Any]) -> None:
        recorded.append((group, dict(message)))
        await original(group, message)

    monkeypatch.setattr(layer, "group_send", recording_group_send)
    return recorded
