from django.urls import path

from . import api

urlpatterns: list = [
    path("conversations/unread", api.UnreadView.as_view(), name="api-messaging-unread"),
    path(
        "conversations/<int:patient_id>/messages",
        api.ConversationMessagesView.as_view(),
        name="api-messaging-messages",
    ),
    path("conversations/<int:patient_id>/read", api.MarkReadView.as_view(), name="api-messaging-read"),
]
