from django.urls import path

from . import views

app_name = "modules"

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("settings/", views.notification_settings, name="settings"),
    path("diary/", views.exercise_list, {"kind": "pain_diary"}, name="diary"),
    path("exercises/<slug:kind>/", views.exercise_list, name="exercises"),
    path("entries/<int:pk>/", views.entry_edit, name="entry"),
    path("modules/<slug:module>/", views.module_detail, name="module"),
    path("modules/<slug:module>/<slug:step>/", views.step_detail, name="step"),
    path("modules/<slug:module>/<slug:step>/complete/", views.step_complete, name="step-complete"),
    path("patients/<int:patient_id>/", views.patient_program, name="patient"),
    path("patients/<int:patient_id>/tailor/", views.patient_tailor, name="patient-tailor"),
    path("patients/<int:patient_id>/enrol/", views.patient_enrol, name="patient-enrol"),
    path("patients/<int:patient_id>/end/", views.patient_end, name="patient-end"),
]
