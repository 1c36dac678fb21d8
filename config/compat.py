"""Plumbing for the compatibility endpoints of the original Mock-Interviewer frontend.

That frontend reads flat error bodies (`{"error": "..."}`), not our envelope; views that serve it
use `CompatApiView`, which renders every error that way and nothing else differently.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import exception_handler


def flat_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    error = response.data["error"]
    messages = {
        "quota_exceeded": "You have exceeded the chat request limit for today.",
        "invalid_credentials": "Invalid credentials.",
    }
    response.data = {"error": messages.get(error["code"], error["message"])}
    return response


class CompatApiView(APIView):
    def get_exception_handler(self):
        return flat_exception_handler
