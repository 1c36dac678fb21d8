"""One exception handler for the whole API: every error leaves in the envelope of API.md."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from config.errors import ApplicationError

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def payload_too_large_body() -> dict[str, Any]:
    """413 `payload_too_large`: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (MAX_BODY_BYTES), files aside."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_body("payload_too_large", f"The request body is too large: at most {limit} bytes.", {"limit": limit})


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _field_errors(detail: dict, prefix: str = "") -> dict[str, list[str]]:
    """`{"field": ["msg", ...]}` with nested serializers' fields as dotted paths ("plan.technical"), and
    a list of nested objects by index ("items.0.name"), so every client reads one flat shape."""
    errors: dict[str, list[str]] = {}
    for field, messages in detail.items():
        path = f"{prefix}.{field}" if prefix and field != "non_field_errors" else (prefix or str(field))
        if isinstance(messages, dict):
            errors.update(_field_errors(messages, path))
        elif isinstance(messages, list) and any(isinstance(m, dict) for m in messages):
            for index, item in enumerate(messages):
                if isinstance(item, dict) and item:
                    errors.update(_field_errors(item, f"{path}.{index}"))
        else:
            listed = messages if isinstance(messages, list) else [messages]
            errors.setdefault(path, []).extend(str(m) for m in listed)
    return errors


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code, headers=exc.headers)
    # Django raises this while DRF reads the body. Answered here, it gets its own status (413, not
    # Django's generic 400), and every handler built on this one (the compat one) sees it too.
    if isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(payload_too_large_body(), status=413)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500 (JSON, see config.views)

    set_rollback()
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        details = _field_errors(detail)
        message = "Invalid input: " + _first_message(detail)
        return Response(error_body("validation_error", message, details), status=exc.status_code, headers=headers)

    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else _first_message(codes)
    details: dict[str, Any] = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details["retry_after"] = int(exc.wait)
    if isinstance(exc.detail, dict) and "messages" in exc.detail:
        # simplejwt puts per-token reasons here; keep them, they help debugging clients.
        details["messages"] = [
            str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in exc.detail["messages"]
        ]
    message = _first_message(exc.detail.get("detail", exc.detail) if isinstance(exc.detail, dict) else exc.detail)
    return Response(error_body(code, message, details), status=exc.status_code, headers=headers)
