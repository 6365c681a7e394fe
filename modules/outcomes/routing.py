from django.urls import path

from .consumers import AlertConsumer

websocket_urlpatterns: list = [
    path("ws/alerts/", AlertConsumer.as_asgi(), name="outcomes-alerts-socket"),
]
