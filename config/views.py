"""Service endpoints and the JSON fallbacks for errors raised outside DRF views."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import error_body, payload_too_large_body

logger = logging.getLogger(__name__)


class HealthApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        status = serializers.CharField()
        database = serializers.CharField()

    @extend_schema(
        responses={
            200: OutputSerializer,
            503: inline_serializer(
                "HealthDown", {"status": serializers.CharField(), "database": serializers.CharField()}
            ),
        }
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("health check: database unreachable")
            body = {"status": "unavailable", "database": "unreachable"}
            body.update(error_body("database_unavailable", "The database cannot be reached."))
            return Response(body, status=503)
        return Response(self.OutputSerializer({"status": "ok", "database": "ok"}).data)


def webapp(request: HttpRequest) -> HttpResponse:
    """The web app's HTML shell (templates/index.html); everything else it needs is static files."""
    response = render(request, "index.html", {"webapp_config": {"apiBaseUrl": settings.WEBAPP_API_BASE_URL}})
    # It names hashed static files: a browser must ask again after a deploy, not keep an old shell.
    patch_cache_control(response, no_cache=True)
    return response


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "Something went wrong on our side; please try again."), status=500)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    # Outside DRF (the admin, plain Django views) an oversized body reaches Django's handler400.
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(payload_too_large_body(), status=413)
    return JsonResponse(error_body("bad_request", "Bad request."), status=400)
