from __future__ import annotations

from django.urls import reverse
from rest_framework.request import Request

from interviews.models import Message


def audio_url_for_message(*, message: Message, request: Request | None) -> str | None:
    """The absolute audio URL of an interviewer message; None for candidate messages.

    Built from the request, so behind a TLS proxy (SECURE_PROXY_SSL_HEADER) it is https.
    """
    if message.role != Message.Role.ASSISTANT or message.audio_clip_id is None:
        return None
    path = reverse("speech-audio", kwargs={"key": message.audio_clip_id})
    return request.build_absolute_uri(path) if request is not None else path
