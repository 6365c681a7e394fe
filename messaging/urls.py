from django.urls import path

app_name = "messaging"

urlpatterns: list = []
