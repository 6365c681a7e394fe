from django.urls import URLPattern, path

from . import api

urlpatterns: list[URLPattern] = [
    path("conversations/unread", api.UnreadView.as_view(), name="api-messaging-unread"),
    path(
        "conversations/<int:patient_id>/messages",
        api.ConversationMessagesView.as_view(),
        name="api-messaging-messages",
    ),
    path("conversations/<int:patient_id>/read", api.MarkReadView.as_view(), name="api-messaging-read"),
]
