"""Speech to text through an OpenAI-compatible `POST /audio/transcriptions` endpoint: OpenAI's own
(whisper-1, gpt-4o-transcribe, ...) or a local Whisper server speaking the same protocol.

Contract: `transcribe(data, filename=..., content_type=..., language=...) -> Transcript`, or
SpeechEngineError: SpeechEngineTimeout for timeouts, AudioRejected when the server refuses the audio
itself (HTTP 400), retryable for connection errors, 429 and 5xx, not retryable for any other status
(our key, model or request is wrong). Settings, all read in `stt_config()`: STT_MODEL (empty: no
speech to text, `stt_configured()` is False), STT_BASE_URL (empty: OpenAI), STT_API_KEY (default
OPENAI_API_KEY; ImproperlyConfigured when empty), STT_TIMEOUT. The SDK retries nothing: a candidate
waiting for their words would rather see an error and press the button again.

`verbose_json` is asked for, so that the language and length of the audio come back; the gpt-4o
transcription models only answer `json`, and then both are unknown (None) unless the caller named the
language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import openai
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from speech.engines.base import AudioRejected, SpeechEngineError, SpeechEngineTimeout

# Whisper reports the language by name in verbose_json; the API answers ISO-639-1 codes.
_LANGUAGE_CODES = {"english": "en", "korean": "ko", "japanese": "ja", "chinese": "zh"}


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None
    seconds: float | None


class SttConfig(NamedTuple):
    api_key: str
    base_url: str | None
    timeout: float
    model: str


def stt_configured() -> bool:
    """Whether a speech-to-text model is configured at all (else the API answers 503 stt_unavailable)."""
    return bool(settings.STT_MODEL)


def stt_config() -> SttConfig:
    """The engine's settings, all read here."""
    if not settings.STT_API_KEY:
        raise ImproperlyConfigured(
            "STT_MODEL is set but STT_API_KEY (or OPENAI_API_KEY) is empty; any value works for a local Whisper server."
        )
    return SttConfig(
        api_key=settings.STT_API_KEY,
        base_url=settings.STT_BASE_URL or None,
        timeout=settings.STT_TIMEOUT,
        model=settings.STT_MODEL,
    )


@lru_cache(maxsize=8)
def stt_client(config: SttConfig) -> openai.OpenAI:
    """One SDK client (and connection pool) per process and configuration."""
    return openai.OpenAI(api_key=config.api_key, base_url=config.base_url, timeout=config.timeout, max_retries=0)


def transcribe(data: bytes, *, filename: str, content_type: str, language: str | None) -> Transcript:
    config = stt_config()
    verbose = not config.model.startswith("gpt-4o")
    extra = {"language": language} if language else {}
    try:
        result = stt_client(config).audio.transcriptions.create(
            model=config.model,
            file=(filename, data, content_type),
            response_format="verbose_json" if verbose else "json",
            **extra,
        )
    except openai.OpenAIError as exc:
        raise _translate(exc) from exc
    text = (getattr(result, "text", "") or "").strip()
    reported = getattr(result, "language", None) if verbose else None
    duration = getattr(result, "duration", None) if verbose else None
    detected = _LANGUAGE_CODES.get(str(reported).lower(), reported) if reported else None
    return Transcript(
        text=text,
        language=language or detected,
        seconds=round(float(duration), 2) if isinstance(duration, int | float) else None,
    )


def _translate(exc: openai.OpenAIError) -> SpeechEngineError:
    if isinstance(exc, openai.APITimeoutError):
        return SpeechEngineTimeout(f"speech to text: timed out: {exc}")
    if isinstance(exc, openai.APIConnectionError):
        return SpeechEngineError(f"speech to text: {type(exc).__name__}: {exc}")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 400:
            return AudioRejected(f"speech to text: HTTP 400: {exc.message}")
        retryable = exc.status_code == 429 or exc.status_code >= 500
        return SpeechEngineError(f"speech to text: HTTP {exc.status_code}: {exc.message}", retryable=retryable)
    return SpeechEngineError(f"speech to text: {type(exc).__name__}: {exc}")
