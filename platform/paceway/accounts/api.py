"""JSON API for accounts and care assignments (administrators), and 'who am I' for everyone."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paceway.typing import AuthenticatedApiRequest

from . import services
from .access import can_manage_accounts
from .models import CareAssignment, User
from .roles import Role


class IsAdministrator(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return can_manage_accounts(request.user)


class MeSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "email", "display_name", "role", "preferred_language")
        read_only_fields = fields


class MeView(generics.GenericAPIView[User]):
    serializer_class = MeSerializer

    def get(self, request: AuthenticatedApiRequest) -> Response:
        return Response(MeSerializer(request.user).data)


class AssignmentSerializer(serializers.ModelSerializer[CareAssignment]):
    class Meta:
        model = CareAssignment
        fields = ("id", "patient", "therapist", "assigned_by", "assigned_at", "reason", "ended_at", "end_reason")
        read_only_fields = fields


class AssignRequestSerializer(serializers.Serializer[dict[str, Any]]):
    patient = serializers.IntegerField()
    therapist = serializers.IntegerField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignmentListView(APIView):
    permission_classes = (IsAdministrator,)

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = CareAssignment.objects.filter(ended_at__isnull=True).order_by("-assigned_at")[:500]
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(request=AssignRequestSerializer, responses={201: AssignmentSerializer})
    def post(self, request: AuthenticatedApiRequest) -> Response:
        payload = AssignRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        patient = get_object_or_404(User, pk=payload.validated_data["patient"], role=Role.PATIENT)
        therapist = get_object_or_404(User, pk=payload.validated_data["therapist"], role=Role.THERAPIST)
        try:
            assignment = services.assign_patient(
                actor=request.user,
                patient=patient,
                therapist=therapist,
                reason=payload.validated_data["reason"],
            )
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)
