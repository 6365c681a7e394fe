from django.urls import URLPattern, path

from .consumers import ConversationConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/messages/<int:patient_id>/", ConversationConsumer.as_asgi(), name="messaging-socket"),
]
