from django.urls import path

from modules.outcomes.routing import websocket_urlpatterns as outcomes_ws

from .consumers import ConversationConsumer

websocket_urlpatterns: list = [
    path("ws/messages/<int:patient_id>/", ConversationConsumer.as_asgi(), name="messaging-socket"),
]
websocket_urlpatterns += outcomes_ws
