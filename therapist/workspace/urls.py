from django.urls import path

from . import views

app_name = "therapist"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inbox/", views.inbox, name="inbox"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
    path("patients/<int:patient_id>/notes/", views.add_note, name="add-note"),
    path("patients/<int:patient_id>/review/", views.review, name="review"),
    path("patients/<int:patient_id>/program-review/", views.program_review, name="program-review"),
    path("patients/<int:patient_id>/feedback/", views.send_feedback, name="feedback"),
    path("templates/", views.templates_page, name="templates"),
    path("console/", views.console, name="console"),
    path("console/patients/<int:patient_id>/history/", views.assignment_history, name="history"),
]
