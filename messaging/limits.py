"""Per-user send rate and connection cap, kept in the shared cache so they hold across processes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _fail_open(fallback: Any) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """The cache lives in Redis: when Redis is down, messages must still flow (fail open)."""

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - fail open: messages flow whatever the cache does
                logger.warning("messaging: %s skipped, cache unavailable: %s", func.__name__, type(exc).__name__)
                return fallback  # type: ignore[no-any-return]

        return wrapper

    return decorate


_shared: tuple[object, BaseCache] | None = None


def shared_cache() -> BaseCache:
    """The default cache, one client per process. Django keeps cache clients per async context,
    and each socket's calls through ``sync_to_async`` copy theirs back into the socket's own
    context: every idle socket would hold its own cache client (with Redis, its own connection).
    Rebuilt when the CACHES setting is replaced (tests)."""
    global _shared
    config = caches.settings
    if _shared is None or _shared[0] is not config:
        _shared = (config, caches.create_connection(DEFAULT_CACHE_ALIAS))
    return _shared[1]


DEFAULT_SEND_RATE = (20, 10)  # sends per window, window in seconds
DEFAULT_MAX_CONNECTIONS = 5
SLOT_TTL_SECONDS = 90  # a slot of a killed process frees itself after this


def send_rate() -> tuple[int, int]:
    count, window = getattr(settings, "MESSAGING_SEND_RATE", DEFAULT_SEND_RATE)
    return int(count), int(window)


def max_connections() -> int:
    return int(getattr(settings, "MESSAGING_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS))


def allow_send(user_id: int) -> tuple[bool, int]:
    """Fixed-window counter. Returns (allowed, seconds until the window resets)."""
    return allow_sends([user_id])[0]


def allow_sends(user_ids: list[int]) -> list[tuple[bool, int]]:
    """``allow_send`` for several sends at once (a user may appear more than once, one count
    per send): one pipelined round trip on Redis. Fails open when the cache is down."""
    if not user_ids:
        return []
    limit, window = send_rate()
    now = time.time()
    bucket = int(now // window)
    keys = [f"messaging:rate:{user_id}:{bucket}" for user_id in user_ids]
    try:
        counts = _incr_redis(keys, window * 2) if _is_redis() else [_incr_cache(k, window * 2) for k in keys]
    except Exception as exc:  # noqa: BLE001 - fail open: messages flow whatever the cache does
        logger.warning("messaging: send rate skipped, cache unavailable: %s", type(exc).__name__)
        return [(True, 1)] * len(user_ids)
    retry_after = max(1, int((bucket + 1) * window - now + 0.999))
    return [(count <= limit, retry_after) for count in counts]


def _incr_cache(key: str, timeout: int) -> int:
    cache = shared_cache()
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _is_redis() -> bool:
    return isinstance(shared_cache(), RedisCache)


def _incr_redis(keys: list[str], timeout: int) -> list[int]:
    """INCR and EXPIRE for every key in one pipelined round trip (Django's add + incr take
    three per key). The keys are Django's (prefix and version applied), and Django stores
    integers as plain Redis integers, so ``cache.get`` reads the same counters."""
    backend: Any = shared_cache()
    full_keys = [backend.make_and_validate_key(key) for key in keys]
    pipe = _redis_client(backend).pipeline(transaction=False)
    for full_key in full_keys:
        pipe.incr(full_key)
        pipe.expire(full_key, timeout)
    replies = pipe.execute()
    return [int(count) for count in replies[::2]]


_clients: dict[int, Any] = {}


def _redis_client(backend: Any) -> Any:
    """A Redis client on the cache's connection pool, made once: Django makes a new client per
    call, and each builds redis-py's table of reply callbacks (it showed in profiles of the
    send path). Clients are thread-safe; connections still come from the pool."""
    pool = backend._cache._get_connection_pool(True)  # the primary, where writes go
    client = _clients.get(id(pool))
    if client is None or client.connection_pool is not pool:
        client = _clients[id(pool)] = backend._cache._client(connection_pool=pool)
    return client


def _slot_key(user_id: int, index: int) -> str:
    return f"messaging:conn:{user_id}:{index}"


@_fail_open(-1)
def acquire_slot(user_id: int, owner: str) -> int | None:
    """Claim one of the user's connection slots (atomic ``add``), or None when all are taken
    (-1 when the cache is unreachable: the connection is let in without a slot)."""
    cache = shared_cache()
    for index in range(max_connections()):
        if cache.add(_slot_key(user_id, index), owner, timeout=SLOT_TTL_SECONDS):
            return index
    return None


@_fail_open(None)
def refresh_slot(user_id: int, index: int, owner: str) -> None:
    if index < 0:
        return
    key = _slot_key(user_id, index)
    cache = shared_cache()
    if cache.get(key) in (None, owner):
        cache.set(key, owner, timeout=SLOT_TTL_SECONDS)


@_fail_open(None)
def refresh_slots(slots: list[tuple[int, int, str]]) -> None:
    """``refresh_slot`` for every (user_id, index, owner) of a process: two round trips."""
    wanted = {_slot_key(user_id, index): owner for user_id, index, owner in slots if index >= 0}
    if not wanted:
        return
    cache = shared_cache()
    current = cache.get_many(list(wanted))
    cache.set_many(
        {key: owner for key, owner in wanted.items() if current.get(key) in (None, owner)}, timeout=SLOT_TTL_SECONDS
    )


@_fail_open(None)
def release_slot(user_id: int, index: int, owner: str) -> None:
    if index < 0:
        return
    key = _slot_key(user_id, index)
    cache = shared_cache()
    if cache.get(key) == owner:
        cache.delete(key)
