"""Interview endpoints: thin views that validate, call one service or selector, and render."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import QuotaSerializer, quota_payload
from chat import services as turns
from config.pagination import PageNumberPagination
from interviews.models import Language, Position
from interviews.selectors import (
    interview_get_for_owner,
    interview_get_visible,
    interview_list_for_owner,
    message_list,
)
from interviews.serializers import InterviewSerializer, MessageSerializer
from interviews.services import interview_delete, interview_set_public


class MessagePagination(PageNumberPagination):
    page_size = 50
    max_page_size = 200


class TurnOutputSerializer(serializers.Serializer):
    answer = MessageSerializer()
    reply = MessageSerializer()
    quota = QuotaSerializer()


def _turn_payload(result: turns.TurnResult, request: Request) -> dict:
    context = {"request": request}
    return {
        "answer": MessageSerializer(result.answer, context=context).data,
        "reply": MessageSerializer(result.reply, context=context).data,
        "quota": quota_payload(result.quota),
    }


class InterviewListStartApi(APIView):
    class InputSerializer(serializers.Serializer):
        position = serializers.ChoiceField(choices=Position.choices)
        topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ENGLISH)
        is_public = serializers.BooleanField(required=False, default=True)

    class StartOutputSerializer(InterviewSerializer):
        messages = MessageSerializer(many=True)
        quota = QuotaSerializer()

        class Meta(InterviewSerializer.Meta):
            fields = [*InterviewSerializer.Meta.fields, "messages", "quota"]

    @extend_schema(responses={200: InterviewSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(interview_list_for_owner(user=request.user), request, view=self)
        return paginator.get_paginated_response(InterviewSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: StartOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = turns.interview_start(user=request.user, **data.validated_data)
        body = InterviewSerializer(result.interview).data
        body["messages"] = MessageSerializer(result.messages, many=True, context={"request": request}).data
        body["quota"] = quota_payload(result.quota)
        return Response(body, status=status.HTTP_201_CREATED)


class InterviewDetailApi(APIView):
    class PatchInputSerializer(serializers.Serializer):
        is_public = serializers.BooleanField()

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: InterviewSerializer})
    def get(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_visible(user=request.user, interview_id=interview_id)
        return Response(InterviewSerializer(interview).data)

    @extend_schema(request=PatchInputSerializer, responses={200: InterviewSerializer})
    def patch(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_for_owner(user=request.user, interview_id=interview_id)
        data = self.PatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview = interview_set_public(interview=interview, **data.validated_data)
        return Response(InterviewSerializer(interview).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, interview_id: int) -> Response:
        interview_delete(interview=interview_get_for_owner(user=request.user, interview_id=interview_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InterviewMessagesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: MessageSerializer(many=True)})
    def get(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_visible(user=request.user, interview_id=interview_id)
        paginator = MessagePagination()
        page = paginator.paginate_queryset(message_list(interview=interview), request, view=self)
        return paginator.get_paginated_response(MessageSerializer(page, many=True, context={"request": request}).data)


class InterviewAnswerApi(APIView):
    class InputSerializer(serializers.Serializer):
        content = serializers.CharField(max_length=settings.ANSWER_MAX_CHARS, trim_whitespace=True)

    class HeaderSerializer(serializers.Serializer):
        idempotency_key = serializers.CharField(max_length=255, required=False, allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={201: TurnOutputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request, interview_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        header = self.HeaderSerializer(data={"idempotency_key": request.headers.get("Idempotency-Key")})
        header.is_valid(raise_exception=True)
        result = turns.answer_submit(
            user=request.user,
            interview_id=interview_id,
            content=data.validated_data["content"],
            idempotency_key=header.validated_data.get("idempotency_key") or None,
        )
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(_turn_payload(result, request), status=status.HTTP_201_CREATED, headers=headers)


class InterviewRetryApi(APIView):
    @extend_schema(request=None, responses={201: TurnOutputSerializer})
    def post(self, request: Request, interview_id: int) -> Response:
        result = turns.answer_retry(user=request.user, interview_id=interview_id)
        return Response(_turn_payload(result, request), status=status.HTTP_201_CREATED)


class InterviewFinishApi(APIView):
    class OutputSerializer(serializers.Serializer):
        interview = InterviewSerializer()
        report = serializers.CharField()
        quota = QuotaSerializer()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, interview_id: int) -> Response:
        result = turns.interview_finish(user=request.user, interview_id=interview_id)
        return Response(
            {
                "interview": InterviewSerializer(result.interview).data,
                "report": result.report,
                "quota": quota_payload(result.quota),
            }
        )
