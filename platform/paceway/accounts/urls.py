from django.urls import path

from . import views

urlpatterns = [
    path("details/", views.details, name="account_details"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
