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

from messaging import access, consumers, db_work, limits, recheck
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
    real = recheck.recheck

    async def recheck_fails_once(socket: Any) -> bool:
        if not failures:
            failures.append(1)
            raise RuntimeError("database hiccup")
        return await real(socket)

    monkeypatch.setattr(recheck, "recheck", recheck_fails_once)

    async def scenario() -> None:
        comm, _ = await open_socket(personas.therapist, personas.patient)
        await database_sync_to_async(CareAssignment.objects.filter(patient=personas.patient).update)(
            ended_at=timezone.now()
        )
        assert await expect_close(comm, timeout=1.5) == consumers.CLOSE_FORBIDDEN

    async_to_sync(scenario)()
    assert failures == [1]


async def _until(check: Any, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_an_idle_socket_off_the_database_between_rare_rechecks(personas, settings, monkeypatch):
    """Access is decided at connect; while idle only the process's sweep runs (slots in one
    batch, one query for every conversation's newest seq), not a check per socket."""
    settings.MESSAGING_SWEEP_SECONDS = 0.1
    decisions: list[int] = []
    sweeps: list[list[tuple[int, int, str]]] = []
    real_decide = access.decide
    real_refresh = limits.refresh_slots

    def counting_decide(memo: access.SocketAccess, **kwargs: Any) -> bool:
        decisions.append(1)
        return real_decide(memo, **kwargs)

    def recording_refresh(slots: list[tuple[int, int, str]]) -> None:
        sweeps.append(slots)
        real_refresh(slots)

    monkeypatch.setattr(access, "decide", counting_decide)
    monkeypatch.setattr(limits, "refresh_slots", recording_refresh)

    async def scenario() -> None:
        patient, _ = await open_socket(personas.patient, personas.patient)
        therapist, _ = await open_socket(personas.therapist, personas.patient)
        await _until(lambda: len(sweeps) >= 3)
        assert decisions == [1, 1]  # one decision per socket, at connect
        assert {user_id for user_id, _slot, _owner in sweeps[-1]} == {personas.patient.pk, personas.therapist.pk}
        await patient.disconnect()
        await therapist.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_it_catches_up_on_a_lost_doorbell_in_the_sweep(personas, settings):
    from unittest import mock

    from .helpers import send
    from .wsutil import frames_until

    settings.MESSAGING_SWEEP_SECONDS = 0.2

    async def scenario() -> None:
        comm, _ = await open_socket(personas.therapist, personas.patient)
        with mock.patch("paceway.doorbell.new_messages", return_value=False):
            await database_sync_to_async(send)(personas.patient, personas.patient, "rang for nobody")
        frame = await frames_until(comm, "messages", timeout=3)
        assert [m["body"] for m in frame["messages"]] == ["rang for nobody"]
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_it_closes_a_socket_when_its_session_would_expire_without_polling(personas, settings):
    """The session's idle limit has its own timer: no periodic check needed to enforce it."""
    import time as clock
    from importlib import import_module

    from paceway.accounts.middleware import SEEN_AT

    from .wsutil import session_cookie, socket

    settings.MESSAGING_RECHECK_SECONDS = 3600
    settings.SESSION_IDLE_MINUTES = {**settings.SESSION_IDLE_MINUTES, "therapist": 1 / 60}  # one second

    async def scenario() -> None:
        _client, key = await database_sync_to_async(session_cookie)(personas.therapist)

        def seen_now() -> None:
            store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
            store[SEEN_AT] = clock.time()
            store.save()

        await database_sync_to_async(seen_now)()
        comm = socket(personas.patient.pk, session_key=key)
        assert (await comm.connect(timeout=3))[0]
        assert await expect_close(comm, timeout=4) == consumers.CLOSE_FORBIDDEN

    async_to_sync(scenario)()
