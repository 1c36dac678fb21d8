"""CV endpoints: upload (multipart `file`), list and delete the caller's own CVs.

An upload is read into memory through `CvUploadParser`, which keeps at most `CV_MAX_BYTES` of it: a
larger file is a 413 `payload_too_large` as soon as the limit is passed, without the rest of it being
buffered, and never a temporary file on disk.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import PageNumberPagination
from config.uploads import BoundedMultiPartParser
from interviews.cvs import CvTooLarge, cv_create, cv_delete, cv_get_for_owner, cv_list_for_owner


class CvUploadParser(BoundedMultiPartParser):
    """The shared bounded multipart parser (config.uploads): in memory, at most CV_MAX_BYTES of files."""

    @property
    def max_bytes(self) -> int:  # read per request: the setting may change (tests, a reload)
        return settings.CV_MAX_BYTES

    def too_large(self, limit: int) -> Exception:
        return CvTooLarge(limit=limit)


class CvListCreateApi(APIView):
    """The caller's CVs (newest first), and uploading one."""

    pagination_class = PageNumberPagination
    parser_classes = [CvUploadParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            help_text="A PDF, DOCX or plain-text (UTF-8) CV, recognised by its content, at most "
            "CV_MAX_BYTES (default 5 MB). Only its text is kept."
        )

    class OutputSerializer(serializers.Serializer):
        class SummarySerializer(serializers.Serializer):
            skills = serializers.ListField(
                child=serializers.CharField(), help_text="Known technologies, first seen first."
            )
            projects = serializers.ListField(child=serializers.CharField(), help_text="Lines describing projects.")

        id = serializers.IntegerField()
        filename = serializers.CharField()
        content_type = serializers.CharField(help_text="Decided from the file's bytes: PDF, DOCX or plain text.")
        size = serializers.IntegerField(help_text="Bytes.")
        created_at = serializers.DateTimeField()
        summary = SummarySerializer()

    @extend_schema(responses={200: OutputSerializer(many=True)}, description="Your CVs, newest first.")
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(cv_list_for_owner(user=request.user), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(
                description="`invalid_file`: not a PDF, DOCX or text file, encrypted, damaged, or a scanned PDF "
                "without text; `validation_error` when `file` is missing."
            ),
            413: OpenApiResponse(description="`payload_too_large`: the file is over `details.limit` bytes."),
        },
        description="Upload a CV. Its type is decided by its content, not its name. The text is extracted and "
        "summarised (known skills, project lines) and used only for your own interviews (`cv_id` when starting "
        "one); the file itself is not kept, and the text is never returned.",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        cv = cv_create(owner=request.user, filename=upload.name, data=upload.read())
        return Response(self.OutputSerializer(cv).data, status=status.HTTP_201_CREATED)


class CvDeleteApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, cv_id: int) -> Response:
        """Delete one of your CVs. Interviews that used it stay, without it."""
        cv_delete(cv=cv_get_for_owner(user=request.user, cv_id=cv_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
