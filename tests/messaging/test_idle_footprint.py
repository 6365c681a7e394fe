"""What an idle socket keeps: no cache client or database wrapper of its own, and a periodic
check that survives a failure (it runs from a timer, not a task per socket)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from django.core.cache import caches
from django.db import connections
from django.utils import timezone

from messaging import consumers, db_work, limits
from paceway.accounts.models import CareAssignment

from .wsutil import expect_close, open_socket


def counting(monkeypatch: pytest.MonkeyPatch, handler: Any) -> list[str]:
    """Record every connection ``handler`` (caches or connections) creates."""
    created: list[str] = []
    original = handler.create_connection

    def create_connection(alias: str) -> Any:
        created.append(alias)
        return original(alias)

    monkeypatch.setattr(handler, "create_connection", create_connection)
    return created


def test_it_shares_one_cache_client_between_sockets(monkeypatch):
    created = counting(monkeypatch, caches)

    async def one_socket(user_id: int) -> None:
        slot = await sync_to_async(limits.acquire_slot)(user_id, f"socket-{user_id}")
        await sync_to_async(limits.refresh_slot)(user_id, slot, f"socket-{user_id}")

    async def scenario() -> None:
        await asyncio.gather(*(one_socket(user_id) for user_id in range(3)))

    async_to_sync(scenario)()
    assert created == ["default"]


def test_it_picks_the_db_threads_without_a_connection_in_the_event_loop(monkeypatch):
    created = counting(monkeypatch, connections)

    async def scenario() -> int:
        return db_work.db_threads()

    assert async_to_sync(scenario)() >= 1
    assert created == []


@pytest.mark.django_db(transaction=True)
def test_a_failed_periodic_check_does_not_stop_the_next(personas, settings, monkeypatch):
    settings.MESSAGING_RECHECK_SECONDS = 0.2
    failures: list[int] = []

    def refresh_fails_once(*args: object) -> None:
        if not failures:
            failures.append(1)
            raise RuntimeError("cache hiccup")

    monkeypatch.setattr(consumers.limits, "refresh_slot", refresh_fails_once)

    async def scenario() -> None:
        comm, _ = await open_socket(personas.therapist, personas.patient)
        await database_sync_to_async(
            CareAssignment.objects.filter(patient=personas.patient).update
        )(ended_at=timezone.now())
        assert await expect_close(comm, timeout=1.5) == consumers.CLOSE_FORBIDDEN

    async_to_sync(scenario)()
    assert failures == [1]
