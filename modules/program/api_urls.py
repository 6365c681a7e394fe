from django.urls import re_path

from . import api

PATIENT = r"program/patients/(?P<patient_id>me|\d+)"

urlpatterns = [
    re_path(PATIENT + r"/progress$", api.ProgressView.as_view(), name="api-program-progress"),
    re_path(
        PATIENT + r"/steps/(?P<step_id>\d+)/complete$", api.StepCompleteView.as_view(), name="api-program-step-complete"
    ),
    re_path(PATIENT + r"/entries$", api.EntryListView.as_view(), name="api-program-entries"),
]
