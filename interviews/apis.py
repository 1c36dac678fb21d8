"""Interview reads and owner edits: thin views that validate, call one service or selector, and render.

The interviewer's turns (start, answer, retry, finish) are chat's endpoints; `InterviewListApi` is
extended there with POST, since listing and starting share the URL /api/interviews/.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import PageNumberPagination
from interviews.models import Language, Position
from interviews.reports import PROGRESS_MAX_INTERVIEWS, TREND_WINDOW, progress_for
from interviews.selectors import (
    feed_get,
    feed_list,
    feed_version,
    interview_get_for_owner,
    interview_get_visible,
    interview_list_for_owner,
    message_list,
    topic_list,
)
from interviews.serializers import FeedInterviewSerializer, InterviewSerializer, MessageSerializer
from interviews.services import interview_delete, interview_set_visibility
from interviews.vocabulary import topic_label


class MessagePagination(PageNumberPagination):
    page_size = 50
    max_page_size = 200


class InterviewListApi(APIView):
    # Declared on the view so that the schema describes the page object, not a bare array.
    pagination_class = PageNumberPagination
    OutputSerializer = InterviewSerializer

    @extend_schema(responses={200: InterviewSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(interview_list_for_owner(user=request.user), request, view=self)
        data = self.OutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class InterviewDetailApi(APIView):
    class PatchInputSerializer(serializers.Serializer):
        is_public = serializers.BooleanField(required=False)
        is_anonymous = serializers.BooleanField(required=False)

    OutputSerializer = InterviewSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: InterviewSerializer})
    def get(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_visible(user=request.user, interview_id=interview_id)
        return Response(self.OutputSerializer(interview, context={"request": request}).data)

    @extend_schema(
        request=PatchInputSerializer,
        responses={200: InterviewSerializer},
        description="Publish or withdraw the interview (`is_public`) and choose whether the public sees the "
        "owner's name (`is_anonymous`). Both fields are optional; an empty body (or `{}`) changes nothing "
        "and returns the interview as it is.",
    )
    def patch(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_for_owner(user=request.user, interview_id=interview_id)
        data = self.PatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview = interview_set_visibility(interview=interview, **data.validated_data)
        return Response(self.OutputSerializer(interview, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, interview_id: int) -> Response:
        interview_delete(interview=interview_get_for_owner(user=request.user, interview_id=interview_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InterviewMessagesApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = MessagePagination
    OutputSerializer = MessageSerializer

    @extend_schema(responses={200: MessageSerializer(many=True)})
    def get(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_visible(user=request.user, interview_id=interview_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(message_list(interview=interview), request, view=self)
        context = {"request": request, "owner_id": interview.owner_id}
        data = self.OutputSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


# --- The public feed: read-only, no authentication -----------------------------------------------


class FeedPagination(PageNumberPagination):
    page_size = 20
    max_page_size = 50


def _not_modified(request: Request, etag: str, last_modified: dt.datetime | None) -> HttpResponseBase | None:
    """A 304 when the client's copy is current (If-None-Match, else If-Modified-Since), else None."""
    stamp = int(last_modified.timestamp()) if last_modified else None
    return get_conditional_response(request, etag=etag, last_modified=stamp)


def _validators(response: Response, etag: str, last_modified: dt.datetime | None) -> Response:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    # Public data, but revalidated on every read: a hidden interview must leave every copy at once.
    response["Cache-Control"] = "public, no-cache"
    return response


class FeedListApi(APIView):
    """Public interviews, newest first: `?position=`, `?language=`, `?q=` (topic and transcript text)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    pagination_class = FeedPagination

    class FilterSerializer(serializers.Serializer):
        position = serializers.ChoiceField(choices=Position.choices, required=False)
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        q = serializers.CharField(max_length=200, required=False, allow_blank=True)

    OutputSerializer = FeedInterviewSerializer

    @extend_schema(parameters=[FilterSerializer], responses={200: FeedInterviewSerializer(many=True)})
    def get(self, request: Request) -> HttpResponseBase:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        interviews = feed_list(**filters.validated_data)
        version, last_modified = feed_version(interviews=interviews)
        # One tag per listing version and page: the same URL with the same data is the same bytes.
        etag = quote_etag(hashlib.sha256(f"{version}|{request.get_full_path()}".encode()).hexdigest()[:32])
        if (cached := _not_modified(request, etag, last_modified)) is not None:
            return cached
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(interviews, request, view=self)
        data = self.OutputSerializer(page, many=True, context={"request": request, "public": True}).data
        return _validators(paginator.get_paginated_response(data), etag, last_modified)


class FeedDetailApi(APIView):
    """One public interview with its whole transcript (audio URLs included)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class OutputSerializer(InterviewSerializer):
        messages = MessageSerializer(many=True, source="messages_for_feed")

        class Meta(InterviewSerializer.Meta):
            fields = [*InterviewSerializer.Meta.fields, "messages"]

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, interview_id: int) -> HttpResponseBase:
        interview = feed_get(interview_id=interview_id)
        transcript = list(message_list(interview=interview))
        newest = max([interview.updated_at, *(m.created_at for m in transcript)])
        etag = quote_etag(f"{interview.pk}-{int(newest.timestamp() * 1000)}-{len(transcript)}")
        if (cached := _not_modified(request, etag, newest)) is not None:
            return cached
        interview.messages_for_feed = transcript
        data = self.OutputSerializer(interview, context={"request": request, "public": True}).data
        return _validators(Response(data), etag, newest)


class TopicSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="The value to send as `topic`.")
    label = serializers.DictField(child=serializers.CharField(), help_text='{"en": ..., "ko": ...}')
    questions = serializers.IntegerField(help_text="Bank questions on the topic (per language).")


class TopicListApi(APIView):
    """The bank's topics per position, with their names in English and Korean: what a client offers
    as `topic` when starting an interview (a topic the bank does not know is refused)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        positions = serializers.DictField(
            child=TopicSerializer(many=True), help_text="Position code -> the bank's topics for it."
        )

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        positions = {
            position: [
                {"topic": t, "label": {"en": topic_label(t, "en"), "ko": topic_label(t, "ko")}, "questions": n}
                for t, n in topics
            ]
            for position, topics in topic_list().items()
        }
        return Response(self.OutputSerializer({"positions": positions}).data)


class ProgressDimensionsSerializer(serializers.Serializer):
    correctness = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField(allow_null=True)
    communication = serializers.IntegerField(allow_null=True)


class ProgressInterviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.ChoiceField(choices=Position.choices)
    language = serializers.ChoiceField(choices=Language.choices)
    finished_at = serializers.DateTimeField(allow_null=True)
    overall = serializers.IntegerField(help_text="0-100.")
    dimensions = ProgressDimensionsSerializer(help_text="0-100 each; null where nothing was scored.")


class ProgressPositionSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="The caller's finished, scored interviews for the position.")
    average = serializers.FloatField(help_text="Their mean overall score (0-100, 1 decimal).")
    trend = serializers.FloatField(
        allow_null=True,
        help_text=f"Least-squares slope of the overall score over the position's latest {TREND_WINDOW} "
        "interviews, in points per interview (1 decimal); null with fewer than two.",
    )


class ProgressApi(APIView):
    """The caller's scores over time, from their finished interviews (interviews.reports.progress_for)."""

    class OutputSerializer(serializers.Serializer):
        interviews = ProgressInterviewSerializer(
            many=True,
            help_text=f"The caller's finished, scored interviews, oldest first (the latest {PROGRESS_MAX_INTERVIEWS}).",
        )
        positions = serializers.DictField(child=ProgressPositionSerializer(), help_text="Keyed by position.")

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(progress_for(user=request.user)).data)
