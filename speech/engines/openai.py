"""The `openai` engine: OpenAI text-to-speech through the same SDK settings as the interviewer
(OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_TIMEOUT, OPENAI_MAX_RETRIES), with SPEECH_OPENAI_MODEL and
SPEECH_OPENAI_VOICE.

Contract (base.py): a complete MP3 or SpeechEngineError. The API takes at most 4096 characters per
request (MAX_CHARS); the dispatcher splits longer text at sentence boundaries. Every SDK exception
becomes a SpeechEngineError, retryable for timeouts, connection errors, 429 and 5xx. An empty
OPENAI_API_KEY raises ImproperlyConfigured. Speech's own client: nothing here goes through chat.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import openai
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from speech.engines.base import SpeechEngineError

MAX_CHARS = 4000


class OpenAISpeechConfig(NamedTuple):
    api_key: str
    base_url: str | None
    timeout: float
    max_retries: int
    model: str
    voice: str


def openai_speech_config() -> OpenAISpeechConfig:
    """The engine's settings, all read here."""
    if not settings.OPENAI_API_KEY:
        raise ImproperlyConfigured("The openai speech engine needs OPENAI_API_KEY (any value for local servers).")
    return OpenAISpeechConfig(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=settings.OPENAI_TIMEOUT,
        max_retries=settings.OPENAI_MAX_RETRIES,
        model=settings.SPEECH_OPENAI_MODEL,
        voice=settings.SPEECH_OPENAI_VOICE,
    )


@lru_cache(maxsize=8)
def openai_client(config: OpenAISpeechConfig) -> openai.OpenAI:
    """One SDK client (and connection pool) per process and configuration; new settings, new client."""
    return openai.OpenAI(
        api_key=config.api_key, base_url=config.base_url, timeout=config.timeout, max_retries=config.max_retries
    )


def synthesize(text: str, *, language: str) -> bytes:
    if not text.strip():
        raise SpeechEngineError("openai: nothing to say", retryable=False)
    config = openai_speech_config()
    try:
        response = openai_client(config).audio.speech.create(
            model=config.model, voice=config.voice, input=text, response_format="mp3"
        )
        data = response.content
    except openai.OpenAIError as exc:
        raise _translate(exc) from exc
    if not data:
        raise SpeechEngineError("openai returned no audio")
    return data


def _translate(exc: openai.OpenAIError) -> SpeechEngineError:
    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        return SpeechEngineError(f"openai: {type(exc).__name__}: {exc}")
    if isinstance(exc, openai.APIStatusError):
        # 429 and 5xx pass; any other 4xx means our key, model, voice or request is wrong.
        retryable = exc.status_code == 429 or exc.status_code >= 500
        return SpeechEngineError(f"openai: HTTP {exc.status_code}: {exc.message}", retryable=retryable)
    return SpeechEngineError(f"openai: {type(exc).__name__}: {exc}")
