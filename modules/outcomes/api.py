"""API: FHIR export of a patient's questionnaires for the patient and their assigned therapist."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from paceway.accounts.access import patient_for_clinical
from paceway.typing import AuthenticatedApiRequest

from . import reads


class PatientFhirView(APIView):
    """GET a FHIR R4 collection Bundle (Questionnaire, QuestionnaireResponse, Observation)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="FHIR R4 Bundle of a patient's questionnaires")
    def get(self, request: AuthenticatedApiRequest, patient_id: int) -> Response:
        patient = patient_for_clinical(request.user, patient_id)  # 404 unless allowed
        bundle = reads.fhir_bundle(viewer=request.user, patient=patient)
        response = Response(bundle)
        response["Cache-Control"] = "no-store"
        return response
