"""Plumbing for the compatibility endpoints of the original Mock-Interviewer frontend.

That frontend reads flat error bodies (`{"error": "..."}`), not our envelope. Every error on its
paths leaves in that shape: views that serve it use `CompatApiView`, whose exception handler renders
every error that way (DRF's own auth, parse, method and throttle errors, a body over the size limit,
and an unexpected bug), and unknown paths under its prefixes answer with `compat_not_found`.
"""

from __future__ import annotations

from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, JsonResponse
from django.utils.log import log_response
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from config.exceptions import exception_handler

# The sentences the original backend used; the frontend shows them as they are.
_ORIGINAL_MESSAGES = {
    "quota_exceeded": "You have exceeded the chat request limit for today.",
    "invalid_credentials": "Invalid credentials.",
}
_SERVER_ERROR = "Something went wrong on our side; please try again."


def flat_error(message: str) -> dict[str, str]:
    return {"error": message}


def _flat_message(error: dict[str, Any]) -> str:
    if error["code"] in _ORIGINAL_MESSAGES:
        return _ORIGINAL_MESSAGES[error["code"]]
    if error["code"] == "validation_error" and error["details"]:
        # One sentence naming each field, since the flat shape has no room for `details`.
        problems = [
            messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
            for field, messages in error["details"].items()
        ]
        return "Invalid input: " + " ".join(p if p.endswith(".") else p + "." for p in problems)
    return error["message"]


def flat_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = exception_handler(exc, context)
    if response is not None:
        response.data = flat_error(_flat_message(response.data["error"]))
        return response
    set_rollback()
    # A bug: logged with its traceback and signalled as Django does for any 500, answered flat.
    request = context["request"]._request
    response = Response(flat_error(_SERVER_ERROR), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    log_response("%s: %s", "Internal Server Error", request.path, response=response, request=request, exception=exc)
    got_request_exception.send(sender=None, request=request)
    return response


class CompatApiView(APIView):
    def get_exception_handler(self):
        return flat_exception_handler


def compat_not_found(request: HttpRequest, **kwargs: Any) -> JsonResponse:
    """Any unknown path under the compatibility prefixes: 404 in the flat shape."""
    return JsonResponse(flat_error("Not found."), status=404)
