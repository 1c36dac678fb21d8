"""The interviewer's turn endpoints: start, answer, retry, finish.

Thin views: validate, call one turn service, render the result with the view's OutputSerializer.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import QuotaSerializer
from chat.planning import MAX_PER_STAGE, MAX_QUESTIONS
from chat.services import (
    StartResult,
    TurnResult,
    answer_begin,
    answer_retry,
    interview_finish,
    interview_start,
    turn_complete,
)
from chat.streaming import (
    EVENT_STREAM,
    event_stream_response,
    turn_channel,
    turn_events,
    turn_events_async,
    wants_event_stream,
)
from interviews.apis import InterviewListApi
from interviews.models import Language, Position
from interviews.selectors import topic_canonical, topic_list
from interviews.serializers import AnswerContentField, InterviewSerializer, MessageSerializer, ReportSerializer
from interviews.vocabulary import JOB_DESCRIPTION_MAX_CHARS

# Idempotency-Key: 1 to 255 visible ASCII characters (API.md).
IDEMPOTENCY_KEY_CHARS = r"[\x21-\x7e]{1,255}"
_KEY_RULE = "Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces)."


class TurnOutputSerializer(serializers.Serializer):
    answer = MessageSerializer()
    reply = MessageSerializer()
    quota = QuotaSerializer()
    interview = InterviewSerializer()


class PlanInputSerializer(serializers.Serializer):
    """Questions per stage; the server picks the questions. Omitted stages ask none."""

    technical = serializers.IntegerField(min_value=0, max_value=MAX_PER_STAGE, required=False, default=0)
    behavioural = serializers.IntegerField(min_value=0, max_value=MAX_PER_STAGE, required=False, default=0)
    personal = serializers.IntegerField(min_value=0, max_value=MAX_PER_STAGE, required=False, default=0)

    def validate(self, attrs: dict) -> dict:
        total = sum(attrs.values())
        if not 1 <= total <= MAX_QUESTIONS:
            raise serializers.ValidationError(f"A plan asks 1 to {MAX_QUESTIONS} questions in all.")
        return attrs


class InterviewListStartApi(InterviewListApi):
    """GET lists the caller's interviews (interviews' read); POST starts one with its opening turn."""

    class StartInputSerializer(serializers.Serializer):
        position = serializers.ChoiceField(choices=Position.choices)
        topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ENGLISH)
        # Private unless the owner publishes it (or the deployment publishes by default).
        is_public = serializers.BooleanField(required=False, default=lambda: settings.INTERVIEWS_PUBLIC_BY_DEFAULT)
        is_anonymous = serializers.BooleanField(required=False, default=False)
        plan = PlanInputSerializer(required=False, help_text="Omit for the default plan (it fits the default limit).")
        cv_id = serializers.IntegerField(required=False, min_value=1, help_text="One of your CVs (POST /api/cvs/).")
        job_description = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=JOB_DESCRIPTION_MAX_CHARS
        )

        def validate(self, attrs: dict) -> dict:
            topic = attrs.get("topic", "").strip()
            if topic:
                known = topic_canonical(position=attrs["position"], topic=topic)
                if known is None:
                    choices = ", ".join(t for t, _ in topic_list().get(attrs["position"], []))
                    raise serializers.ValidationError(
                        {"topic": [f"Unknown topic {topic!r} for this position; known topics: {choices or 'none'}."]}
                    )
                attrs["topic"] = known
            return attrs

    class StartOutputSerializer(InterviewSerializer):
        """The new interview's own fields, flat (API.md), then its opening message and the quota."""

        messages = MessageSerializer(many=True)
        quota = QuotaSerializer()
        notice = serializers.CharField(help_text="Set when the server changed the start: a plan shrunk to fit today.")

        class Meta(InterviewSerializer.Meta):
            fields = [*InterviewSerializer.Meta.fields, "messages", "quota", "notice"]

        def to_representation(self, result: StartResult) -> dict:
            body = InterviewSerializer(result.interview, context=self.context).data
            body["messages"] = self.fields["messages"].to_representation(result.messages)
            body["quota"] = self.fields["quota"].to_representation(result.quota)
            body["notice"] = result.notice
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
        content = AnswerContentField()
        spoken_seconds = serializers.FloatField(
            required=False,
            min_value=0.1,
            max_value=3600,
            help_text="How long the candidate spoke, when the answer was dictated (words per minute in the report).",
        )

    class HeaderSerializer(serializers.Serializer):
        # Sent means checked: an empty or non-ASCII key is a client bug, not "no key".
        idempotency_key = serializers.RegexField(
            rf"\A{IDEMPOTENCY_KEY_CHARS}\Z",
            required=False,
            trim_whitespace=False,  # HTTP's optional whitespace (space, tab) only; see post()
            error_messages={"invalid": _KEY_RULE, "blank": _KEY_RULE},
        )

    OutputSerializer = TurnOutputSerializer

    @extend_schema(
        request=InputSerializer,
        responses={
            201: TurnOutputSerializer,
            (200, EVENT_STREAM): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="With `Accept: text/event-stream`: server-sent events. `event: delta` "
                '`data: {"text": "..."}` for each piece of the reply as it is produced, then `event: done` '
                "with the stored result (the 201 body), or `event: error` with the error envelope (the "
                "answer stays stored; an upstream failure is refunded and retryable). Errors found before "
                "the stream starts are plain JSON responses. A client that disconnects loses nothing.",
            ),
            422: OpenApiResponse(
                description="`idempotency_key_reused`: this Idempotency-Key came earlier with a different body; "
                "nothing was stored or charged."
            ),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                pattern=f"^{IDEMPOTENCY_KEY_CHARS}$",
                description="Makes the POST safe to repeat: the same key with the same body returns the first "
                "result (same ids, header `Idempotent-Replayed: true`) and charges nothing more; the same key "
                "with another body is 422 `idempotency_key_reused`. Keys are per interview.",
            )
        ],
    )
    def post(self, request: Request, interview_id: int) -> HttpResponseBase:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key")
        header = self.HeaderSerializer(data={} if key is None else {"idempotency_key": key.strip(" \t")})
        header.is_valid(raise_exception=True)
        turn = answer_begin(
            user=request.user,
            interview_id=interview_id,
            content=data.validated_data["content"],
            spoken_seconds=data.validated_data.get("spoken_seconds"),
            idempotency_key=header.validated_data.get("idempotency_key"),
        )
        replayed = isinstance(turn, TurnResult) and turn.replayed
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        if wants_event_stream(request.headers.get("Accept", "")):
            channel = turn_channel(turn, partial(self._render, request=request))  # producing from now on
            # Under ASGI only an asynchronous iterator streams; under WSGI only a synchronous one does.
            events = turn_events_async if isinstance(request._request, ASGIRequest) else turn_events
            response = event_stream_response(events(channel))
            for name, value in headers.items():
                response[name] = value
            return response
        result = turn if isinstance(turn, TurnResult) else turn_complete(turn)
        return Response(self._render(result, request=request), status=status.HTTP_201_CREATED, headers=headers)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        # An event stream is not rendered by DRF: the success is a StreamingHttpResponse, and errors
        # before it (404, 409, 422, 429) are plain JSON, so JSON is the renderer whatever Accept says.
        return super().perform_content_negotiation(request, force=True)

    def _render(self, result: TurnResult, *, request: Request) -> dict:
        return self.OutputSerializer(result, context={"request": request}).data


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
        report = ReportSerializer(allow_null=True)
        quota = QuotaSerializer()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, interview_id: int) -> Response:
        result = interview_finish(user=request.user, interview_id=interview_id)
        return Response(self.OutputSerializer(result, context={"request": request}).data)
