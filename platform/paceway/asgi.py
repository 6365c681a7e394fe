"""ASGI entry point: HTTP through Django, WebSockets through Channels (session-authenticated,
Origin-checked)."""

from __future__ import annotations

import gc
import os

import autobahn.util
from django.core.asgi import get_asgi_application

# Autobahn (Daphne's WebSocket protocol) colours the arguments of its debug log calls with click
# on every frame, even when debug logging is off; plain text costs a fraction of that.
autobahn.util._HAS_CLICK = False


def _fail_websockets_with_a_close_frame() -> None:
    """Daphne's WebSocket protocol (autobahn) checks frame sizes (``--websocket-max-message-size``)
    and UTF-8 before the consumer sees a frame; on a violation it drops the TCP connection without
    a close frame (the client sees 1006), because autobahn's ``failByDrop`` defaults to true and
    Daphne has no option for it. For these two failures only, the connection is closed with the
    code the protocol names: 1009 for a frame too big, 1007 for invalid UTF-8 (RFC 6455, 7.4.1).
    Every other failure (timeouts, a peer gone) still drops at once, as before: a global
    ``failByDrop=False`` kept half-dead connections in a closing handshake and cost a socket
    its replay after a server crash (tests/messaging/test_live.py)."""
    try:
        import daphne.server
        from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
    except ImportError:  # served by something else
        return
    if getattr(daphne.server.WebSocketFactory, "paceway_closes_with_a_code", False):
        return

    class ClosingWebSocketProtocol(WebSocketProtocol):  # type: ignore[misc]
        CLOSE_WITH_A_FRAME = frozenset({1007, 1009})

        def _fail_connection(self, code: int = 1001, reason: str = "going away") -> None:
            if code in self.CLOSE_WITH_A_FRAME:
                self.failByDrop = False  # this connection only: send the close frame, then close
            super()._fail_connection(code, reason)

    class ClosingWebSocketFactory(WebSocketFactory):  # type: ignore[misc]
        paceway_closes_with_a_code = True
        protocol = ClosingWebSocketProtocol

    daphne.server.WebSocketFactory = ClosingWebSocketFactory


_fail_websockets_with_a_close_frame()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paceway.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from paceway.handshake import HandshakeGate  # noqa: E402
from paceway.ops import metrics  # noqa: E402
from paceway.ops.saturation import RequestGate  # noqa: E402
from paceway.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # At most HTTP_CONCURRENCY requests in Django at once; the others wait their turn here.
        "http": RequestGate(django_asgi_app),
        # Counted from the handshake; a few handshakes at a time (a reconnect storm after a
        # restart), then the usual checks.
        "websocket": metrics.CountWebSockets(
            HandshakeGate(AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))))
        ),
    }
)
if settings.METRICS_PORT:
    metrics.register_risk_alerts()
    metrics.serve_on_port(settings.METRICS_PORT)

# The garbage collector, tuned for a server that allocates many short-lived objects per frame.
# What is loaded by now lives as long as the process: frozen, full passes do not walk it. With
# the default thresholds the collector ran about 40 times a second under a message stream and a
# full pass stopped the event loop for 40-90 ms (the stream's p99); with these, a few young
# passes a second and no full pass (bench/messaging.py).
gc.freeze()
gc.set_threshold(10_000, 20, 100)
