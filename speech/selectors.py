from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from rest_framework.request import Request


def clip_url(*, key: str, request: HttpRequest | Request | None) -> str:
    """The URL of the clip's MP3: absolute when a request is given, else the path.

    Built from the request, so behind a TLS proxy (SECURE_PROXY_SSL_HEADER) it is https.
    """
    path = reverse("speech-audio", kwargs={"key": key})
    return request.build_absolute_uri(path) if request is not None else path
