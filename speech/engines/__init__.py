"""Speech engines and the dispatcher that picks one (SPEECH_ENGINE).

Engines are modules with `synthesize(text, *, language) -> bytes` (see base.py) and optionally
`MAX_CHARS`, their input limit: longer texts are split at sentence boundaries and the MP3s joined.
SPEECH_ENGINE names one of a closed set (`auto` or a key of ENGINES), never an import path.
`auto` tries gTTS and falls back to the offline espeak engine; after a gTTS failure a circuit
breaker skips gTTS for SPEECH_BREAKER_SECONDS, so an offline machine does not pay gTTS's timeout
on every clip. Audio made that way is a *fallback*: the result says so, and the clip cache replaces
it with gTTS's audio once the breaker has closed again. A directly configured engine is never a
fallback: it is what was asked for; nor is espeak's audio for a text gTTS refuses (a non-retryable
error, which leaves the breaker closed): there is nothing better to replace it with.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from speech.engines.base import SpeechEngineError
from speech.mp3 import id3v2_end

logger = logging.getLogger(__name__)

# The closed registry: engine name -> module, imported on first use. Tests register their fake
# engine here for one test (monkeypatch.setitem, see the `fake_speech` fixture); nothing else adds to it.
ENGINES: dict[str, str] = {
    "gtts": "speech.engines.gtts",
    "openai": "speech.engines.openai",
    "espeak": "speech.engines.espeak",
}
AUTO = "auto"
_BREAKER_KEY = "speech:breaker:gtts"
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff1f\uff01])\s+|\n+")  # also CJK full stops and marks


@dataclass(frozen=True)
class SpeechResult:
    """The audio and what really produced it (the configured engine may have fallen back)."""

    data: bytes
    engine: str
    voice: str
    is_fallback: bool = False


def engine_module(name: str) -> ModuleType:
    """The engine module registered under `name`; ImproperlyConfigured for anything else."""
    if name not in ENGINES:
        choices = ", ".join([AUTO, *ENGINES])
        raise ImproperlyConfigured(f"SPEECH_ENGINE must be one of {choices}, not {name!r}.")
    return import_module(ENGINES[name])


def voice_signature() -> str:
    """What, besides the text, decides how a clip sounds: part of the clip's key."""
    engine = settings.SPEECH_ENGINE
    if engine == "openai":
        return f"{settings.SPEECH_OPENAI_MODEL}/{settings.SPEECH_OPENAI_VOICE}"
    if engine in ("gtts", AUTO):
        return f"gtts:{settings.SPEECH_GTTS_TLD}"
    return engine


def clip_key(*, text: str, language: str, voice: str) -> str:
    """The clip's content address: an HMAC of engine, voice (`voice_signature()`), language and text."""
    message = "\x1f".join([settings.SPEECH_ENGINE, voice, language, text])
    return hmac.new(settings.SPEECH_URL_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()


def voice_used(*, engine: str, language: str) -> str:
    """The voice `engine` speaks `language` with, as staff read it in the admin."""
    if engine == "gtts":
        return f"gtts:{settings.SPEECH_GTTS_TLD}/{language}"
    if engine == "openai":
        return f"{settings.SPEECH_OPENAI_MODEL}/{settings.SPEECH_OPENAI_VOICE}"
    if engine == "espeak":
        voices = getattr(engine_module("espeak"), "LANGUAGE_VOICES", {})
        return f"espeak-ng:{voices.get(language, language)}"
    return engine


def preferred_engine_available() -> bool:
    """False while `auto`'s circuit breaker keeps gTTS out; a directly configured engine has no fallback."""
    return settings.SPEECH_ENGINE != AUTO or not cache.get(_BREAKER_KEY)


def synthesize_mp3(*, text: str, language: str, allow_fallback: bool = True) -> SpeechResult:
    """Synthesize with the configured engine and say which engine and voice really did; raises
    SpeechEngineError.

    With `allow_fallback=False`, `auto` only tries gTTS (and raises while its breaker is open): what
    replacing a fallback clip needs, since espeak's audio again would replace nothing.
    """
    name = settings.SPEECH_ENGINE
    if name != AUTO:
        return _result(name, text, language, is_fallback=False)
    if preferred_engine_available():
        try:
            return _result("gtts", text, language, is_fallback=False)
        except SpeechEngineError as exc:
            if not exc.retryable:
                # gTTS refuses this text, not every text: espeak's audio is this clip's final one, and
                # the breaker stays closed for the others.
                logger.warning("gTTS refused a text (%s); espeak speaks it", exc)
                if not allow_fallback:
                    raise
                return _result("espeak", text, language, is_fallback=False)
            logger.warning("gTTS failed (%s); using espeak for %ss", exc, settings.SPEECH_BREAKER_SECONDS)
            cache.set(_BREAKER_KEY, True, timeout=settings.SPEECH_BREAKER_SECONDS)
            if not allow_fallback:
                raise
    elif not allow_fallback:
        raise SpeechEngineError("gTTS is skipped after a recent failure (circuit breaker open)")
    return _result("espeak", text, language, is_fallback=True)


def _result(name: str, text: str, language: str, *, is_fallback: bool) -> SpeechResult:
    data = _run(name, text, language)
    return SpeechResult(data, name, voice_used(engine=name, language=language)[:100], is_fallback)


def _run(name: str, text: str, language: str) -> bytes:
    module = engine_module(name)
    parts = [
        module.synthesize(chunk, language=language) for chunk in split_text(text, getattr(module, "MAX_CHARS", None))
    ]
    return join_mp3(parts)


def split_text(text: str, max_chars: int | None) -> list[str]:
    """Sentences packed into chunks of at most `max_chars` (a sentence longer than that is cut at a space)."""
    text = text.strip()
    if not max_chars or len(text) <= max_chars:
        return [text]
    chunks: list[str] = []
    current = ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(text) if s.strip()):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            pieces, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if current:
                chunks.append(current)
                current = ""
            chunks.append(pieces)
        if current and len(current) + 1 + len(sentence) > max_chars:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


def join_mp3(parts: list[bytes]) -> bytes:
    """MP3 frames concatenate; only a leading ID3v2 tag of later parts must go."""
    if any(not part for part in parts):
        raise SpeechEngineError("the engine returned empty audio")
    return parts[0] + b"".join(part[id3v2_end(part) :] for part in parts[1:])
