from __future__ import annotations

from rest_framework.request import Request

from interviews.models import Message


def audio_url_for_message(*, message: Message, request: Request | None) -> str | None:
    """The absolute audio URL of an interviewer message; None for candidate messages."""
    return None
