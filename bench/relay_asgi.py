"""A bare Channels relay for bench/messaging.py: no database, no sessions, no encryption.

A socket on ``/ws/relay/<conversation>/<p|t>/`` joins the group of its side; every text frame it
sends is handed to the other side's group and written out there unchanged. The channel layer is
the Redis pub/sub layer (``BENCH_RELAY_LAYER=pubsub``, what Paceway uses) or the core Redis layer
(``BENCH_RELAY_LAYER=core``, the Channels tutorial's, with ``socket_timeout: None``).

    REDIS_URL=redis://127.0.0.1:6379/13 BENCH_RELAY_LAYER=core daphne relay_asgi:application
"""

from __future__ import annotations

import gc
import os
import uuid
from typing import Any

import django
from django.conf import settings

if not settings.configured:
    _url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    _host = {"address": _url, "socket_timeout": None}
    if os.environ.get("BENCH_RELAY_LAYER", "pubsub") == "core":
        _layer: dict[str, Any] = {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # One prefix for both processes of a path (BENCH_RELAY_PREFIX), so that they share groups.
            "CONFIG": {
                "hosts": [_host],
                "prefix": os.environ.get("BENCH_RELAY_PREFIX") or f"bench-{uuid.uuid4().hex[:8]}",
            },
        }
    else:
        _layer = {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [_host]}}
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={"default": _layer},
        ALLOWED_HOSTS=["*"],
        USE_TZ=True,
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        conversation, side = kwargs["conversation"], kwargs["side"]
        if side not in ("p", "t"):
            await self.close()
            return
        self.own = f"relay.{conversation}.{side}"
        self.other = f"relay.{conversation}.{'t' if side == 'p' else 'p'}"
        await self.channel_layer.group_add(self.own, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "own"):
            await self.channel_layer.group_discard(self.own, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.channel_layer.group_send(self.other, {"type": "relay.text", "text": text_data})

    async def relay_text(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("ws/relay/<str:conversation>/<str:side>/", RelayConsumer.as_asgi())])}
)

# The same garbage-collector settings as paceway.asgi, so that the comparison is of the paths.
gc.freeze()
gc.set_threshold(10_000, 20, 100)
