from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("q/<slug:slug>/", views.questionnaire, name="questionnaire"),
    path("responses/<int:response_id>/amend/", views.amend, name="amend"),
    path("export.json", views.export_json, name="export"),
    path("patients/<int:patient_id>/", views.patient_scores, name="patient_scores"),
    path("contact/", views.contact_edit, name="contact"),
    path("safety-plan/", views.my_safety_plan, name="safety_plan"),
    path("patients/<int:patient_id>/safety-plan/", views.patient_safety_plan, name="patient_safety_plan"),
    path("risk/<int:alert_id>/", views.screener, name="screener"),
    path("discharge/", views.discharge_mine, name="discharge"),
    path("patients/<int:patient_id>/discharge/", views.discharge_for_patient, name="discharge_patient"),
    path("patients/<int:patient_id>/discharge.json", views.discharge_fhir, name="discharge_fhir"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/attempts/", views.add_attempt, name="add_attempt"),
    path("alerts/<int:alert_id>/follow-up/", views.save_follow_up, name="save_follow_up"),
    path("alerts/<int:alert_id>/handover/", views.handover, name="handover"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge_alert, name="acknowledge_alert"),
    path("alerts/<int:alert_id>/resolve/", views.resolve_alert, name="resolve_alert"),
    path("evaluation/", views.evaluation_page, name="evaluation"),
    path("evaluation.csv", views.evaluation_csv, name="evaluation_csv"),
]
