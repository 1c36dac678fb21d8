"""Interview reads and owner edits: thin views that validate, call one service or selector, and render.

The interviewer's turns (start, answer, retry, finish) are chat's endpoints; `InterviewListApi` is
extended there with POST, since listing and starting share the URL /api/interviews/.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import PageNumberPagination
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


class InterviewListApi(APIView):
    OutputSerializer = InterviewSerializer

    @extend_schema(responses={200: InterviewSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(interview_list_for_owner(user=request.user), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class InterviewDetailApi(APIView):
    class PatchInputSerializer(serializers.Serializer):
        is_public = serializers.BooleanField()

    OutputSerializer = InterviewSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: InterviewSerializer})
    def get(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_visible(user=request.user, interview_id=interview_id)
        return Response(self.OutputSerializer(interview).data)

    @extend_schema(request=PatchInputSerializer, responses={200: InterviewSerializer})
    def patch(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_for_owner(user=request.user, interview_id=interview_id)
        data = self.PatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview = interview_set_public(interview=interview, **data.validated_data)
        return Response(self.OutputSerializer(interview).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, interview_id: int) -> Response:
        interview_delete(interview=interview_get_for_owner(user=request.user, interview_id=interview_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InterviewMessagesApi(APIView):
    permission_classes = [AllowAny]
    OutputSerializer = MessageSerializer

    @extend_schema(responses={200: MessageSerializer(many=True)})
    def get(self, request: Request, interview_id: int) -> Response:
        interview = interview_get_visible(user=request.user, interview_id=interview_id)
        paginator = MessagePagination()
        page = paginator.paginate_queryset(message_list(interview=interview), request, view=self)
        data = self.OutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)
