"""JSON API for clients without WebSockets: the same services as the socket.

GET  /api/v1/conversations/<patient_id>/messages?after_seq=N&limit=M
POST /api/v1/conversations/<patient_id>/messages   {client_id, body}
POST /api/v1/conversations/<patient_id>/read       {seq}
GET  /api/v1/conversations/unread
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from paceway.accounts.access import patient_for_clinical
from paceway.accounts.roles import is_patient, is_therapist
from paceway.typing import AuthenticatedApiRequest

from . import errors, frames, selectors, services


class MessageOut(serializers.Serializer[dict[str, Any]]):
    seq = serializers.IntegerField()
    client_id = serializers.CharField()
    sender_id = serializers.IntegerField()
    sender_name = serializers.CharField()
    from_patient = serializers.BooleanField()
    mine = serializers.BooleanField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class PageOut(serializers.Serializer[dict[str, Any]]):
    conversation_id = serializers.IntegerField(allow_null=True)
    messages = MessageOut(many=True)
    limited = serializers.BooleanField()
    next_after_seq = serializers.IntegerField(allow_null=True, help_text="Pass as after_seq for the next page")
    last_seq = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()


class SendIn(serializers.Serializer[dict[str, Any]]):
    client_id = serializers.CharField(max_length=64)
    body = serializers.CharField(max_length=frames.MAX_BODY_CHARS, trim_whitespace=False)


class SendOut(serializers.Serializer[dict[str, Any]]):
    client_id = serializers.CharField()
    seq = serializers.IntegerField()
    duplicate = serializers.BooleanField()


class ReadIn(serializers.Serializer[dict[str, Any]]):
    seq = serializers.IntegerField(min_value=0)


class ReadOut(serializers.Serializer[dict[str, Any]]):
    last_read_seq = serializers.IntegerField()


def _error(exc: errors.MessagingError) -> Response:
    if isinstance(exc, errors.NotAllowed):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, errors.RateLimited):
        return Response(
            {"detail": "Too many messages. Please wait a moment."},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, errors.ConversationClosed):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return Response({exc.field or "detail": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)


class ConversationMessagesView(APIView):
    throttle_classes = (UserRateThrottle,)

    @extend_schema(
        parameters=[
            OpenApiParameter("after_seq", int, description="Return messages after this sequence number"),
            OpenApiParameter("limit", int, description=f"At most this many (1-{frames.MAX_PAGE})"),
        ],
        responses={200: PageOut},
    )
    def get(self, request: AuthenticatedApiRequest, patient_id: int) -> Response:
        patient = patient_for_clinical(request.user, patient_id)
        try:
            page = selectors.list_messages(
                user=request.user,
                patient=patient,
                after_seq=request.query_params.get("after_seq", 0),
                limit=request.query_params.get("limit"),
            )
        except errors.MessagingError as exc:
            return _error(exc)
        _conversation_id, _last_seq, last_read_seq = selectors.where_it_stands(user=request.user, patient=patient)
        data: dict[str, Any] = {
            "conversation_id": page.conversation_id,
            "messages": page.messages,
            "limited": page.limited,
            "next_after_seq": page.next_after_seq,
            "last_seq": page.last_seq,
            "last_read_seq": last_read_seq,
        }
        response = Response(PageOut(data).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=SendIn, responses={201: SendOut, 200: SendOut})
    def post(self, request: AuthenticatedApiRequest, patient_id: int) -> Response:
        patient = patient_for_clinical(request.user, patient_id)
        payload = SendIn(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            message, created = services.send_message(
                sender=request.user,
                patient=patient,
                client_id=payload.validated_data["client_id"],
                body=payload.validated_data["body"],
            )
        except errors.MessagingError as exc:
            return _error(exc)
        return Response(
            SendOut({"client_id": message.client_id, "seq": message.seq, "duplicate": not created}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MarkReadView(APIView):
    @extend_schema(request=ReadIn, responses={200: ReadOut})
    def post(self, request: AuthenticatedApiRequest, patient_id: int) -> Response:
        patient = patient_for_clinical(request.user, patient_id)
        payload = ReadIn(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            marker = services.mark_read(user=request.user, patient=patient, seq=payload.validated_data["seq"])
        except errors.MessagingError as exc:
            return _error(exc)
        return Response({"last_read_seq": marker})


class UnreadView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT}, description="{patient_id: unread count}")
    def get(self, request: AuthenticatedApiRequest) -> Response:
        """{patient_id: unread} for a therapist's caseload; {own id: unread} for a patient."""
        user = request.user
        counts: dict[int, int]
        if is_patient(user):
            counts = {user.pk or 0: selectors.patient_unread_count(user)}
        elif is_therapist(user):
            counts = selectors.caseload_unread_counts(user)
        else:
            raise PermissionDenied  # deny by default: nobody else has conversations to count
        return Response({str(k): v for k, v in counts.items()})
