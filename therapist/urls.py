from django.urls import path

from . import views

app_name = "therapist"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("console/", views.console, name="console"),
]
