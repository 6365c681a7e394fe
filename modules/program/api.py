"""JSON API for the program: progress, step completion, exercise entries. Same services, same rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from paceway.accounts.access import patient_for_clinical
from paceway.accounts.models import User
from paceway.typing import AuthenticatedApiRequest

from . import reads, selectors, services
from .access import can_do_program_work
from .forms import FORMS, PARENT_KIND
from .languages import content_language
from .models import Enrolment, ExerciseEntry, Step

PATIENT_PARAM = OpenApiParameter(
    "patient_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="'me' or the patient's id"
)
STEP_PARAM = OpenApiParameter("step_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _patient(request: AuthenticatedApiRequest, patient_id: int | str) -> User:
    """``me`` or an id; anyone who may not see this patient's program gets 404."""
    return patient_for_clinical(request.user, request.user.pk if patient_id == "me" else patient_id)


def _enrolment(patient: User) -> Enrolment:
    enrolment = selectors.active_enrolment(patient)
    if enrolment is None:
        raise Http404
    return enrolment


class StepSerializer(serializers.Serializer[Step]):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    exercise = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer[ExerciseEntry]):
    data = serializers.JSONField(read_only=True)  # type: ignore[assignment]  # sealed in the database, plain here

    class Meta:
        model = ExerciseEntry
        fields = ("id", "kind", "step", "parent", "entry_date", "data", "revision", "created_at", "updated_at")
        read_only_fields = fields


class EntryCreateSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=sorted(FORMS))
    data = serializers.DictField()  # type: ignore[assignment]
    step = serializers.IntegerField(required=False, allow_null=True)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]


def _overview_data(overview: selectors.Overview) -> dict[str, Any]:
    e = overview.enrolment
    program = overview.program or e.program
    return {
        "enrolment": e.pk,
        "program": {"slug": program.slug, "version": program.version, "title": program.title},
        "start_date": e.start_date,
        "last_active_at": e.last_active_at,
        "percent": overview.percent,
        "steps_done": overview.steps_done,
        "steps_total": overview.steps_total,
        "current_module": overview.current.module.slug if overview.current else None,
        "modules": [
            {
                "slug": s.module.slug,
                "title": s.module.title,
                "kind": s.module.kind,
                "position": s.index,
                "status": s.status,
                "opens_on": s.opens_on,
                "due_on": s.due_on,
                "note": s.plan.note,
                "steps": [dict(StepSerializer(st).data, done=st.pk in s.done_step_ids) for st in s.steps],
            }
            for s in overview.states
        ],
        "optional_not_in_plan": [p.module.slug for p in overview.not_included],
    }


class ProgressView(APIView):
    @extend_schema(parameters=[PATIENT_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedApiRequest, patient_id: int | str) -> Response:
        patient = _patient(request, patient_id)
        enrolment = _enrolment(patient)
        language = content_language(get_language())
        overview = reads.progress(viewer=request.user, patient=patient, enrolment=enrolment, language=language)
        return Response(_overview_data(overview))


class StepCompleteView(APIView):
    @extend_schema(parameters=[PATIENT_PARAM, STEP_PARAM], request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: AuthenticatedApiRequest, patient_id: int | str, step_id: int) -> Response:
        patient = _patient(request, patient_id)
        if not can_do_program_work(request.user, patient):
            return Response({"detail": "Only the patient completes steps."}, status=status.HTTP_403_FORBIDDEN)
        enrolment = _enrolment(patient)
        step = Step.objects.filter(pk=step_id, module__program=enrolment.program).first()
        if step is None:
            raise Http404
        try:
            completion, created = services.complete_step(actor=request.user, enrolment=enrolment, step=step)
        except services.StepLocked as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_409_CONFLICT)
        return Response(
            {"step": step.pk, "completed_at": completion.completed_at, "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class EntryListView(APIView):
    @extend_schema(
        parameters=[PATIENT_PARAM, OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.QUERY)],
        responses=EntrySerializer(many=True),
    )
    def get(self, request: AuthenticatedApiRequest, patient_id: int | str) -> Response:
        patient = _patient(request, patient_id)
        kind = request.query_params.get("kind") or None
        entries = reads.entries(viewer=request.user, patient=patient, kind=kind)
        return Response(EntrySerializer(entries, many=True).data)

    @extend_schema(parameters=[PATIENT_PARAM], request=EntryCreateSerializer, responses={201: EntrySerializer})
    def post(self, request: AuthenticatedApiRequest, patient_id: int | str) -> Response:
        patient = _patient(request, patient_id)
        if not can_do_program_work(request.user, patient):
            return Response({"detail": "Only the patient writes their exercises."}, status=status.HTTP_403_FORBIDDEN)
        payload = EntryCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        kind = payload.validated_data["kind"]
        step = parent = None
        if payload.validated_data.get("step"):
            enrolment = _enrolment(patient)
            step = Step.objects.filter(
                pk=payload.validated_data["step"], module__program=enrolment.program, exercise=kind
            ).first()
            if step is None:
                return Response({"step": ["Unknown step for this exercise."]}, status=status.HTTP_400_BAD_REQUEST)
        if PARENT_KIND.get(kind) or payload.validated_data.get("parent"):
            parent = ExerciseEntry.objects.filter(pk=payload.validated_data.get("parent"), patient=patient).first()
        try:
            entry = services.create_entry(
                actor=request.user,
                patient=patient,
                kind=kind,
                data=payload.validated_data["data"],
                step=step,
                parent=parent,
            )
        except services.StepLocked as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return Response(detail, status=status.HTTP_400_BAD_REQUEST)
        except PermissionDenied:
            raise Http404 from None
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
