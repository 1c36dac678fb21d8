"""Audio clips: create them for a text, synthesize each exactly once, in the background right after
the caller's transaction commits (clip_schedule) and on demand when a browser asks first."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from config.errors import ApplicationError
from speech.background import BackgroundPool
from speech.engines import SpeechEngineError, clip_key, synthesize_mp3, voice_signature
from speech.models import AudioClip
from speech.mp3 import mp3_info

logger = logging.getLogger(__name__)
_POLL_SECONDS = 0.1


class SpeechUnavailable(ApplicationError):
    status_code = 503
    code = "speech_unavailable"
    default_message = "The audio for this message cannot be produced right now; try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(message, details={"retryable": True}, headers={"Retry-After": str(max(retry_after, 1))})


def clip_for_text(*, text: str, language: str) -> str:
    """The key of the clip for this text in this language, created (pending) if new; one INSERT, no read.

    Identical text with the same engine and voice shares one clip.
    """
    voice = voice_signature()
    key = clip_key(text=text, language=language, voice=voice)
    # ON CONFLICT DO NOTHING: safe inside the caller's transaction when two replies race.
    clip = AudioClip(key=key, engine=settings.SPEECH_ENGINE, voice=voice[:100], language=language, text=text)
    AudioClip.objects.bulk_create([clip], ignore_conflicts=True)
    return key


def clip_get(*, key: str) -> AudioClip | None:
    return AudioClip.objects.filter(key=key).first()


def clip_ensure_ready(*, clip: AudioClip, wait_seconds: float) -> AudioClip:
    """Return the clip once its audio is stored, synthesizing it here if nobody else is.

    Exactly one caller at a time wins the claim (a conditional UPDATE with a lease); the others wait
    for its result up to `wait_seconds`. Raises SpeechUnavailable on failure or when waiting runs out.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        clip.refresh_from_db()
        if clip.status == AudioClip.Status.READY:
            return clip
        now = timezone.now()
        retry_from = now - dt.timedelta(seconds=settings.SPEECH_RETRY_SECONDS)
        claimable = (
            Q(status=AudioClip.Status.PENDING)
            | Q(status=AudioClip.Status.FAILED, updated_at__lte=retry_from)
            | Q(status=AudioClip.Status.SYNTHESIZING, lease_until__lt=now)
        )
        claimed = AudioClip.objects.filter(claimable, pk=clip.pk).update(
            status=AudioClip.Status.SYNTHESIZING,
            lease_until=now + dt.timedelta(seconds=settings.SPEECH_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        if claimed:
            return _synthesize(clip)
        if clip.status == AudioClip.Status.FAILED:
            wait = settings.SPEECH_RETRY_SECONDS - (now - clip.updated_at).total_seconds()
            raise SpeechUnavailable(retry_after=int(wait) + 1)
        if time.monotonic() >= deadline:
            raise SpeechUnavailable(retry_after=2)
        time.sleep(_POLL_SECONDS)


def _synthesize(clip: AudioClip) -> AudioClip:
    try:
        result = synthesize_mp3(text=clip.text, language=clip.language)
        info = mp3_info(result.data)  # never store something a browser cannot play
    except (SpeechEngineError, ValueError) as exc:
        _record_failure(clip, str(exc))
        raise SpeechUnavailable() from exc
    except Exception as exc:
        logger.exception("speech synthesis crashed for clip %s", clip.pk)
        _record_failure(clip, f"{type(exc).__name__}: {exc}")
        raise SpeechUnavailable() from exc

    name = f"audio/{clip.key[:2]}/{clip.key}.mp3"
    try:
        if default_storage.exists(name):  # a leftover from an attempt that died before recording it
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(result.data))
    except Exception as exc:  # disk full, object store down: the clip must not stay claimed
        logger.exception("storing clip %s failed", clip.pk)
        _record_failure(clip, f"storage: {type(exc).__name__}: {exc}")
        raise SpeechUnavailable() from exc
    AudioClip.objects.filter(pk=clip.pk).update(
        status=AudioClip.Status.READY,
        file=stored,
        size=len(result.data),
        duration=round(info.duration, 3),
        engine_used=result.engine,
        error="",
        lease_until=None,
        updated_at=timezone.now(),
    )
    clip.refresh_from_db()
    return clip


def _record_failure(clip: AudioClip, error: str) -> None:
    logger.warning("speech synthesis failed for clip %s: %s", clip.pk, error)
    AudioClip.objects.filter(pk=clip.pk).update(
        status=AudioClip.Status.FAILED, error=error[:2000], lease_until=None, updated_at=timezone.now()
    )


def clip_schedule(*, key: str) -> None:
    """Synthesize in a background thread of this process, off the request's critical path (call it
    on commit). Nothing happens when SPEECH_WORKERS is 0.

    Best effort: if the process dies first, the browser's request synthesizes on demand instead.
    """
    synthesis_pool.submit(key)


def _synthesize_in_background(key: str) -> None:
    try:
        close_old_connections()
        clip = clip_get(key=key)
        if clip is not None and clip.status != AudioClip.Status.READY:
            clip_ensure_ready(clip=clip, wait_seconds=0)
    except SpeechUnavailable:
        pass  # recorded on the clip; the next request for it retries
    except Exception:
        logger.exception("background synthesis of clip %s failed", key)
    finally:
        connection.close()


# The process's one background pool; gunicorn's worker_exit and atexit shut it down.
synthesis_pool = BackgroundPool(work=_synthesize_in_background)
