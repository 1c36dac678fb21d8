"""The `gtts` engine: Google Translate's text-to-speech through gTTS.

Contract (base.py): a complete MP3 or SpeechEngineError. gTTS waits forever by default, so every
request carries SPEECH_GTTS_TIMEOUT; an HTTP error, a timeout or an empty result is a retryable
failure. gTTS splits long text itself, so no MAX_CHARS here.
"""

from __future__ import annotations

import io

from django.conf import settings
from gtts import gTTS, gTTSError

from speech.engines.base import SpeechEngineError

LANGUAGES = {"en": "en", "ko": "ko"}


def synthesize(text: str, *, language: str) -> bytes:
    if language not in LANGUAGES:
        raise SpeechEngineError(f"gTTS: unsupported language {language!r}", retryable=False)
    if not text.strip():
        raise SpeechEngineError("gTTS: nothing to say", retryable=False)
    buffer = io.BytesIO()
    try:
        tts = gTTS(
            text=text,
            lang=LANGUAGES[language],
            tld=settings.SPEECH_GTTS_TLD,
            lang_check=False,  # the check itself would fetch from Google
            timeout=settings.SPEECH_GTTS_TIMEOUT,
        )
        tts.write_to_fp(buffer)
    except gTTSError as exc:
        raise SpeechEngineError(f"gTTS: {exc}") from exc
    except (AssertionError, ValueError) as exc:  # gTTS asserts on text it cannot speak
        raise SpeechEngineError(f"gTTS: {exc}", retryable=False) from exc
    data = buffer.getvalue()
    if not data:
        raise SpeechEngineError("gTTS returned no audio")
    return data
