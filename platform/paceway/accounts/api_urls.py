from django.urls import path

from . import api

urlpatterns = [
    path("me", api.MeView.as_view(), name="api-me"),
    path("assignments", api.AssignmentListView.as_view(), name="api-assignments"),
]
