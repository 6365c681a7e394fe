from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.intake, name="intake"),
    path("status/", views.status, name="status"),
    path("consent/", views.consent, name="consent"),
    path("decisions/", views.waiting, name="waiting"),
    path("intakes/<int:intake_id>/", views.review, name="review"),
    path("intakes/<int:intake_id>/assign/", views.assign, name="assign"),
]
