from django.urls import path

from .consumers import ConversationConsumer

websocket_urlpatterns: list = [
    path("ws/messages/<int:patient_id>/", ConversationConsumer.as_asgi(), name="messaging-socket"),
]
