"""Speech to text for dictated answers (`POST /api/transcriptions/`): the audio is recognised by its
content, sent to the configured engine (speech.engines.openai_stt) and forgotten; only the text
comes back. No quota unit is spent (the view throttles per user instead).
"""

from __future__ import annotations

import logging

from config.errors import ApplicationError
from speech.engines import openai_stt
from speech.engines.base import AudioRejected, SpeechEngineError, SpeechEngineTimeout
from speech.engines.openai_stt import Transcript

logger = logging.getLogger(__name__)

# OpenAI's own limit for one transcription request; a minute of browser Opus is about 0.5 MB.
AUDIO_MAX_BYTES = 25 * 1024 * 1024
# What browsers record (MediaRecorder: webm or ogg Opus, mp4/m4a AAC in Safari) and common files.
AUDIO_TYPES = "webm, ogg, mp4/m4a, wav, mp3"


class SttUnavailable(ApplicationError):
    status_code = 503
    code = "stt_unavailable"
    default_message = "Speech to text is not available on this server; type your answer instead."


class SttFailed(ApplicationError):
    status_code = 503
    code = "stt_failed"
    default_message = "Your recording could not be transcribed right now; try again."


class SttTimeout(ApplicationError):
    status_code = 504
    code = "stt_timeout"
    default_message = "Transcribing your recording took too long; try again."


class InvalidAudio(ApplicationError):
    status_code = 400
    code = "invalid_audio"
    default_message = "The recording could not be understood as audio; record your answer again."


class UnsupportedAudio(ApplicationError):
    status_code = 415
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__(f"Unsupported audio format; send one of: {AUDIO_TYPES}.", details={"accepted": AUDIO_TYPES})


class AudioTooLarge(ApplicationError):
    status_code = 413
    code = "payload_too_large"

    def __init__(self, limit: int = AUDIO_MAX_BYTES) -> None:
        super().__init__(f"The recording is too large: at most {limit} bytes.", details={"limit": limit})


def audio_format(data: bytes) -> tuple[str, str] | None:
    """(file extension, content type) of an audio file recognised by its first bytes, or None."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm", "audio/webm"  # EBML: WebM (and Matroska, which the engines read alike)
    if data[:4] == b"OggS":
        return "ogg", "audio/ogg"
    if data[4:8] == b"ftyp":
        return "m4a", "audio/mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav", "audio/wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3", "audio/mpeg"
    return None


def audio_transcribe(*, data: bytes, language: str | None = None) -> Transcript:
    """The text spoken in `data`, in `language` if given (ISO-639-1), else as detected.

    Raises SttUnavailable (503) when no engine is configured, AudioTooLarge (413) past AUDIO_MAX_BYTES,
    UnsupportedAudio (415) for anything but the accepted formats, InvalidAudio (400) for audio the
    engine refuses, SttFailed (503, `details.retryable`) or SttTimeout (504) when the engine fails.
    """
    if not openai_stt.stt_configured():
        raise SttUnavailable()
    if len(data) > AUDIO_MAX_BYTES:
        raise AudioTooLarge()
    found = audio_format(data)
    if found is None:
        raise UnsupportedAudio()
    extension, content_type = found
    try:
        return openai_stt.transcribe(data, filename=f"answer.{extension}", content_type=content_type, language=language)
    except SpeechEngineTimeout as exc:
        logger.warning("speech to text timed out: %s", exc)
        raise SttTimeout(details={"retryable": True}) from exc
    except AudioRejected as exc:
        raise InvalidAudio(details={"reason": exc.message}) from exc
    except SpeechEngineError as exc:
        logger.warning("speech to text failed: %s", exc)
        raise SttFailed(details={"retryable": exc.retryable}) from exc
