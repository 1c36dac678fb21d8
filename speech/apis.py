"""Serving audio: `GET /api/audio/<key>.mp3`, no auth (the key is unguessable), with HTTP Range; and
speech to text for dictated answers: `POST /api/transcriptions/`."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from config.errors import NotFoundError
from config.uploads import BoundedMultiPartParser
from speech.engines.openai_stt import stt_configured
from speech.models import AudioClip
from speech.selectors import clip_cache_control, clip_etag
from speech.services import clip_ensure_ready, clip_get, clip_upgrade_later
from speech.transcription import AUDIO_MAX_BYTES, AUDIO_TYPES, AudioTooLarge, SttUnavailable, audio_transcribe

_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
# Clip keys are SHA-256 HMACs in lower-case hex (speech.engines.clip_key); nothing else is looked up.
_KEY = re.compile(r"[0-9a-f]{64}")
# Byte positions past any file's size; longer digit strings need no int() (which refuses > 4300 digits).
_POSITION_DIGITS = 18


class AudioApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        # Browsers ask for audio/*; errors are still rendered as JSON, whatever they accept.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The MP3."),
            (206, "audio/mpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The requested byte range."),
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            416: OpenApiResponse(description="Range not satisfiable."),
        },
        description="Synthesizes on first request if the clip is not ready yet; 503 speech_unavailable on failure.",
    )
    def get(self, request: Request, key: str) -> HttpResponseBase:
        # A malformed key (a NUL, which PostgreSQL refuses in a query, unicode, any length) is simply unknown.
        clip = clip_get(key=key) if _KEY.fullmatch(key) else None
        if clip is None:
            raise NotFoundError("No such audio.")
        if request.headers.get("If-None-Match") == clip_etag(clip=clip) and clip.status == AudioClip.Status.READY:
            clip_upgrade_later(clip=clip)  # a fallback clip heals once the preferred engine is back
            return _cached_as(_headers(HttpResponse(status=304), clip_etag(clip=clip)), clip)
        clip = clip_ensure_ready(clip=clip, wait_seconds=settings.SPEECH_WAIT_SECONDS)
        clip_upgrade_later(clip=clip)
        try:
            response = _ranged(request, clip, clip_etag(clip=clip))
        except FileNotFoundError:  # its audio was replaced between reading the row and opening the file
            clip = clip_ensure_ready(clip=clip, wait_seconds=0)
            response = _ranged(request, clip, clip_etag(clip=clip))
        return _cached_as(response, clip)


def _ranged(request: Request, clip: AudioClip, etag: str) -> HttpResponseBase:
    size = clip.size or 0
    byte_range = _parse_range(request.headers.get("Range", ""), size)
    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _headers(response, etag)
    handle = default_storage.open(clip.file.name, "rb")
    if byte_range is None:
        response = FileResponse(handle, content_type="audio/mpeg")
        response["Content-Length"] = str(size)
        return _headers(response, etag)
    start, end = byte_range
    with handle:
        handle.seek(start)
        body = handle.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type="audio/mpeg")
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(len(body))
    return _headers(response, etag)


def _parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(start, end) inclusive, None to send everything, or "unsatisfiable" (RFC 9110 section 14)."""
    match = _RANGE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # absent, multi-range or malformed: a full 200 is always a valid answer
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = _position(last)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = _position(first)
    end = min(_position(last), size - 1) if last else size - 1
    if start >= size or (last and _position(last) < start):
        return "unsatisfiable"
    return start, end


def _position(digits: str) -> int:
    """A byte position or length as sent; any huge one (thousands of digits) counts as 10**18."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _POSITION_DIGITS else 10**_POSITION_DIGITS


def _cached_as(response: HttpResponseBase, clip: AudioClip) -> HttpResponseBase:
    response["Cache-Control"] = clip_cache_control(clip=clip)  # a fallback clip is not final
    return response


def _headers(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Content-Disposition"] = "inline"
    return response


class AudioUploadParser(BoundedMultiPartParser):
    """One recording, in memory, at most AUDIO_MAX_BYTES (413 `payload_too_large` beyond)."""

    max_bytes = AUDIO_MAX_BYTES

    def too_large(self, limit: int) -> Exception:
        return AudioTooLarge(limit)


class TranscriptionThrottle(UserRateThrottle):
    scope = "transcription"


class TranscriptionApi(APIView):
    """Speech to text for a dictated answer. Costs no quota unit; throttled per user; the audio is not kept."""

    parser_classes = [AudioUploadParser]
    throttle_classes = [TranscriptionThrottle]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            allow_empty_file=False,
            help_text=f"The recording ({AUDIO_TYPES}; recognised by its content), at most {AUDIO_MAX_BYTES} bytes.",
        )
        language = serializers.RegexField(
            r"\A[a-z]{2}\Z",
            required=False,
            allow_blank=True,
            help_text="ISO-639-1 code of the language spoken (`en`, `ko`); omit to let the engine detect it.",
        )

    class OutputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, help_text="What was said (empty when nothing was heard).")
        language = serializers.CharField(allow_null=True, help_text="ISO-639-1 code, when known.")
        seconds = serializers.FloatField(allow_null=True, help_text="The recording's length, when known.")

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={200: OutputSerializer},
        description="503 `stt_unavailable` when no speech-to-text engine is configured (STT_MODEL); 503 "
        "`stt_failed` / 504 `stt_timeout` when it fails (try again); 415 `unsupported_media_type`; 413 "
        "`payload_too_large`; 400 `invalid_audio` for audio the engine cannot read.",
    )
    def post(self, request: Request) -> Response:
        if not stt_configured():  # before reading (up to 25 MB of) a body that cannot be used
            raise SttUnavailable()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transcript = audio_transcribe(
            data=data.validated_data["file"].read(), language=data.validated_data.get("language") or None
        )
        return Response(self.OutputSerializer(transcript).data)
