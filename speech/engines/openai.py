"""The `openai` engine: OpenAI text-to-speech through the same SDK settings as the interviewer
(OPENAI_API_KEY, OPENAI_BASE_URL), with SPEECH_OPENAI_MODEL and SPEECH_OPENAI_VOICE.

Contract (base.py): a complete MP3 or SpeechEngineError. The API takes at most 4096 characters per
request (MAX_CHARS); the dispatcher splits longer text at sentence boundaries. The SDK itself stays
behind chat.providers.openai.
"""

from __future__ import annotations

from django.conf import settings

from chat.providers import openai_provider
from chat.providers.base import ProviderError
from speech.engines.base import SpeechEngineError

MAX_CHARS = 4000


def synthesize(text: str, *, language: str) -> bytes:
    if not text.strip():
        raise SpeechEngineError("openai: nothing to say", retryable=False)
    try:
        data = openai_provider().speech(text, model=settings.SPEECH_OPENAI_MODEL, voice=settings.SPEECH_OPENAI_VOICE)
    except ProviderError as exc:
        raise SpeechEngineError(f"openai: {exc.message}", retryable=exc.retryable) from exc
    if not data:
        raise SpeechEngineError("openai returned no audio")
    return data
