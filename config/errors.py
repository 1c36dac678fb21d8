"""The one application error type that services raise.

The API's exception handler (config.exceptions) renders it as
`{"error": {"code", "message", "details"}}` with its HTTP status and any extra headers.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status_code: int = 400
    code: str = "bad_request"
    default_message: str = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."
