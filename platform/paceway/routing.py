"""Every WebSocket route, gathered from the apps that own them (as ``urls.py`` does for HTTP)."""

from django.urls import URLPattern

from messaging.routing import websocket_urlpatterns as messaging_routes
from modules.outcomes.routing import websocket_urlpatterns as outcomes_routes

websocket_urlpatterns: list[URLPattern] = [*messaging_routes, *outcomes_routes]
