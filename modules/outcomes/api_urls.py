from django.urls import path

from .api import PatientFhirView

urlpatterns = [
    path("patients/<int:patient_id>/fhir", PatientFhirView.as_view(), name="outcomes-patient-fhir"),
]
