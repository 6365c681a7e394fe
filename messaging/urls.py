from django.urls import URLPattern, path

from . import views

app_name = "messaging"

urlpatterns: list[URLPattern] = [
    path("", views.my_thread, name="mine"),
    path("<int:patient_id>/", views.thread, name="thread"),
]
