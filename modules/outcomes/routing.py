from django.urls import URLPattern, path

from .consumers import AlertConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/alerts/", AlertConsumer.as_asgi(), name="outcomes-alerts-socket"),
]
