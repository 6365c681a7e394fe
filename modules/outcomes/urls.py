from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("q/<slug:slug>/", views.questionnaire, name="questionnaire"),
    path("responses/<int:response_id>/amend/", views.amend, name="amend"),
    path("export.json", views.export_json, name="export"),
    path("patients/<int:patient_id>/", views.patient_scores, name="patient_scores"),
    path("discharge/", views.discharge_mine, name="discharge"),
    path("patients/<int:patient_id>/discharge/", views.discharge_for_patient, name="discharge_patient"),
    path("patients/<int:patient_id>/discharge.json", views.discharge_fhir, name="discharge_fhir"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge_alert, name="acknowledge_alert"),
    path("alerts/<int:alert_id>/resolve/", views.resolve_alert, name="resolve_alert"),
    path("evaluation/", views.evaluation_page, name="evaluation"),
    path("evaluation.csv", views.evaluation_csv, name="evaluation_csv"),
]
