from django.urls import path

from . import views

app_name = "messaging"

urlpatterns: list = [
    path("", views.my_thread, name="mine"),
    path("<int:patient_id>/", views.thread, name="thread"),
]
