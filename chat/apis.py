"""The interviewer's turn endpoints: start, answer, retry, finish.

Thin views: validate, call one turn service, render the result with the view's OutputSerializer.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import QuotaSerializer
from chat.services import StartResult, answer_retry, answer_submit, interview_finish, interview_start
from interviews.apis import InterviewListApi
from interviews.models import Language, Position
from interviews.serializers import InterviewSerializer, MessageSerializer
from interviews.vocabulary import ANSWER_MAX_CHARS


class TurnOutputSerializer(serializers.Serializer):
    answer = MessageSerializer()
    reply = MessageSerializer()
    quota = QuotaSerializer()


class InterviewListStartApi(InterviewListApi):
    """GET lists the caller's interviews (interviews' read); POST starts one with its opening turn."""

    class StartInputSerializer(serializers.Serializer):
        position = serializers.ChoiceField(choices=Position.choices)
        topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ENGLISH)
        is_public = serializers.BooleanField(required=False, default=True)

    class StartOutputSerializer(InterviewSerializer):
        """The new interview's own fields, flat (API.md), then its opening message and the quota."""

        messages = MessageSerializer(many=True)
        quota = QuotaSerializer()

        class Meta(InterviewSerializer.Meta):
            fields = [*InterviewSerializer.Meta.fields, "messages", "quota"]

        def to_representation(self, result: StartResult) -> dict:
            body = InterviewSerializer(result.interview, context=self.context).data
            body["messages"] = self.fields["messages"].to_representation(result.messages)
            body["quota"] = self.fields["quota"].to_representation(result.quota)
            return body

    @extend_schema(request=StartInputSerializer, responses={201: StartOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.StartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = interview_start(user=request.user, **data.validated_data)
        body = self.StartOutputSerializer(result, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class InterviewAnswerApi(APIView):
    class InputSerializer(serializers.Serializer):
        content = serializers.CharField(max_length=ANSWER_MAX_CHARS, trim_whitespace=True)

    class HeaderSerializer(serializers.Serializer):
        idempotency_key = serializers.CharField(max_length=255, required=False, allow_null=True)

    OutputSerializer = TurnOutputSerializer

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
        result = answer_submit(
            user=request.user,
            interview_id=interview_id,
            content=data.validated_data["content"],
            idempotency_key=header.validated_data.get("idempotency_key") or None,
        )
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        body = self.OutputSerializer(result, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class InterviewRetryApi(APIView):
    OutputSerializer = TurnOutputSerializer

    @extend_schema(request=None, responses={201: TurnOutputSerializer})
    def post(self, request: Request, interview_id: int) -> Response:
        result = answer_retry(user=request.user, interview_id=interview_id)
        body = self.OutputSerializer(result, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class InterviewFinishApi(APIView):
    class OutputSerializer(serializers.Serializer):
        interview = InterviewSerializer()
        report = serializers.CharField()
        quota = QuotaSerializer()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, interview_id: int) -> Response:
        result = interview_finish(user=request.user, interview_id=interview_id)
        return Response(self.OutputSerializer(result, context={"request": request}).data)
