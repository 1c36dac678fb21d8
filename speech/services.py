"""Audio clips: create them for a text, synthesize each exactly once, in the background right after
the caller's transaction commits (clip_schedule: threads of this process, or worker processes through
the Redis queue, by SPEECH_QUEUE) and on demand when a browser asks first; replace a fallback engine's
audio once the preferred engine is back (clip_upgrade); delete the clips nobody uses any more
(clip_release)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from config.errors import ApplicationError, NotFoundError
from speech.background import BackgroundPool
from speech.engines import (
    SpeechEngineError,
    SpeechResult,
    clip_key,
    preferred_engine_available,
    synthesize_mp3,
    voice_signature,
)
from speech.models import AudioClip
from speech.mp3 import Mp3Info, mp3_info
from speech.queue import TaskQueue

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
    for its result up to `wait_seconds`. Raises SpeechUnavailable on failure or when waiting runs out,
    NotFoundError when the clip is released meanwhile.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        _refresh(clip)
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
            if _synthesize(clip):
                return clip
            continue  # the clip was released or taken over meanwhile: look again
        if clip.status == AudioClip.Status.FAILED:
            wait = settings.SPEECH_RETRY_SECONDS - (now - clip.updated_at).total_seconds()
            raise SpeechUnavailable(retry_after=int(wait) + 1)
        if time.monotonic() >= deadline:
            raise SpeechUnavailable(retry_after=2)
        time.sleep(_POLL_SECONDS)


def _refresh(clip: AudioClip) -> None:
    try:
        clip.refresh_from_db()
    except AudioClip.DoesNotExist:
        raise NotFoundError("No such audio.") from None


def _synthesize(clip: AudioClip) -> bool:
    """Synthesize and store a claimed clip; False when the claim was lost meanwhile (the caller looks
    again). Raises SpeechUnavailable, recorded on the clip."""
    try:
        result, info = _produce(clip, allow_fallback=True)
        stored = _store(clip, result.data)
    except _Failed as exc:
        _record_failure(clip, exc.error)
        raise SpeechUnavailable() from exc.__cause__
    # Conditional on the claim: a clip released (deleted) meanwhile is not brought back, and its
    # file does not stay behind.
    done = AudioClip.objects.filter(pk=clip.pk, status=AudioClip.Status.SYNTHESIZING).update(
        status=AudioClip.Status.READY, file=stored, error="", lease_until=None, **_audio_fields(result, info)
    )
    if not done:
        _delete_files([stored])
        return False
    _refresh(clip)
    return True


class _Failed(Exception):
    def __init__(self, error: str, *, retryable: bool = True) -> None:
        super().__init__(error)
        self.error = error
        self.retryable = retryable


def _produce(clip: AudioClip, *, allow_fallback: bool) -> tuple[SpeechResult, Mp3Info]:
    """The clip's audio, checked playable; _Failed (with the cause chained) otherwise."""
    try:
        result = synthesize_mp3(text=clip.text, language=clip.language, allow_fallback=allow_fallback)
        return result, mp3_info(result.data)  # never store something a browser cannot play
    except SpeechEngineError as exc:
        raise _Failed(str(exc), retryable=exc.retryable) from exc
    except ValueError as exc:
        raise _Failed(str(exc)) from exc
    except Exception as exc:
        logger.exception("speech synthesis crashed for clip %s", clip.pk)
        raise _Failed(f"{type(exc).__name__}: {exc}") from exc


def _store(clip: AudioClip, data: bytes) -> str:
    """Save the audio under a name of its own: a file, once stored, is never rewritten, so a clip's
    audio is replaced by pointing its row at another file (one UPDATE), never by writing over it."""
    name = f"audio/{clip.key[:2]}/{clip.key}-{secrets.token_hex(6)}.mp3"
    try:
        return default_storage.save(name, ContentFile(data))
    except Exception as exc:  # disk full, object store down: the clip must not stay claimed
        logger.exception("storing clip %s failed", clip.pk)
        raise _Failed(f"storage: {type(exc).__name__}: {exc}") from exc


def _audio_fields(result: SpeechResult, info: Mp3Info) -> dict:
    return {
        "size": len(result.data),
        "duration": round(info.duration, 3),
        "engine_used": result.engine,
        "voice_used": result.voice,
        "is_fallback": result.is_fallback,
        "updated_at": timezone.now(),
    }


def _record_failure(clip: AudioClip, error: str) -> None:
    logger.warning("speech synthesis failed for clip %s: %s", clip.pk, error)
    AudioClip.objects.filter(pk=clip.pk).update(
        status=AudioClip.Status.FAILED, error=error[:2000], lease_until=None, updated_at=timezone.now()
    )


def clip_upgrade(*, key: str) -> bool:
    """Replace a fallback clip's audio with the preferred engine's; True when it was replaced.

    Only a ready fallback clip of the configured engine, and only while the preferred engine is not
    known to be down. The key and URL stay; the clip serves its old audio until one UPDATE points it
    at the new file (never an empty or partial file), and the old file goes after that. One upgrader
    at a time (a lease on the row); a failure leaves the fallback audio in place and opens the breaker.
    """
    clip = clip_get(key=key)
    if clip is None or not clip.is_fallback or not preferred_engine_available():
        return False
    return _replace_audio(clip, allow_fallback=False, only_fallback=True)


def clips_upgrade_fallbacks(*, limit: int | None = None) -> tuple[int, int]:
    """clip_upgrade every ready fallback clip, oldest first, stopping once the preferred engine fails
    (its breaker opens); (upgraded, fallback clips left). For cron and staff: `upgrade_fallback_clips`."""
    fallbacks = AudioClip.objects.filter(
        status=AudioClip.Status.READY, is_fallback=True, engine=settings.SPEECH_ENGINE
    ).order_by("created_at", "id")
    upgraded = 0
    for key in list(fallbacks.values_list("key", flat=True)[:limit]):
        if not preferred_engine_available():
            break
        upgraded += clip_upgrade(key=key)
    return upgraded, fallbacks.count()


def clip_resynthesize(*, clip: AudioClip) -> AudioClip:
    """Synthesize the clip again with the configured engine now (staff's "re-synthesize"): a ready
    clip's audio is replaced as in clip_upgrade, a failed or pending one is synthesized at once.

    Raises SpeechUnavailable when no audio could be made; a ready clip keeps its audio then.
    """
    _refresh(clip)
    if clip.status != AudioClip.Status.READY:
        AudioClip.objects.filter(pk=clip.pk, status=AudioClip.Status.FAILED).update(status=AudioClip.Status.PENDING)
        return clip_ensure_ready(clip=clip, wait_seconds=0)
    if not _replace_audio(clip, allow_fallback=True, only_fallback=False):
        raise SpeechUnavailable("The clip could not be synthesized again; it keeps its audio.")
    _refresh(clip)
    return clip


def _replace_audio(clip: AudioClip, *, allow_fallback: bool, only_fallback: bool) -> bool:
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.SPEECH_LEASE_SECONDS)
    # A ready clip's lease_until means "being replaced"; nothing else reads it while a clip is ready.
    claim = AudioClip.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        pk=clip.pk,
        status=AudioClip.Status.READY,
    )
    if only_fallback:
        # "Preferred" means auto's gTTS: a clip keyed for another engine than today's is left alone.
        claim = claim.filter(is_fallback=True, engine=settings.SPEECH_ENGINE)
    if not claim.update(lease_until=lease):
        return False
    try:
        clip.refresh_from_db()
    except AudioClip.DoesNotExist:  # released a moment ago
        return False
    old = clip.file.name
    try:
        result, info = _produce(clip, allow_fallback=allow_fallback)
        stored = _store(clip, result.data)
    except _Failed as exc:
        logger.warning("replacing the audio of clip %s failed: %s", clip.pk, exc.error)
        settled = {} if exc.retryable else {"is_fallback": False, "error": exc.error[:2000]}
        # A refusal of this very text (not retryable): the fallback audio is final, stop trying.
        AudioClip.objects.filter(pk=clip.pk, lease_until=lease).update(lease_until=None, **settled)
        return False
    # The swap: only if the clip is still ours (not released, not taken over after our lease ran out).
    swapped = AudioClip.objects.filter(pk=clip.pk, status=AudioClip.Status.READY, lease_until=lease).update(
        file=stored, lease_until=None, **_audio_fields(result, info)
    )
    if not swapped:
        _delete_files([stored])
        return False
    if old and old != stored:
        transaction.on_commit(partial(_delete_files, [old]))
    return True


def clip_release(*, keys: Iterable[str], in_use: QuerySet | None = None) -> int:
    """Delete the clips of `keys` that are no longer used: rows and stored files, so their text
    leaves the table and their URLs answer 404. Returns how many were deleted.

    Speech knows no users of its clips: `in_use` is the caller's query of the keys still referenced.
    It runs inside the DELETE statement itself, so a reference committed before that statement keeps
    its clip; a reference's own row (its foreign key) is never touched. Files go once the caller's
    transaction commits. A synthesis or upgrade in flight for a released clip stores nothing.
    """
    keys = set(keys)
    if not keys:
        return 0
    with transaction.atomic():
        candidates = AudioClip.objects.filter(key__in=keys)
        if in_use is not None:
            candidates = candidates.exclude(key__in=in_use)
        # Locked, so no synthesis or upgrade swaps a file between this read and the delete.
        files = dict(candidates.select_for_update().order_by("pk").values_list("pk", "file"))
        if not files:
            return 0
        doomed = AudioClip.objects.filter(pk__in=files)
        if in_use is not None:
            doomed = doomed.exclude(key__in=in_use)  # checked again: the statement sees the latest commits
        # A raw DELETE, not QuerySet.delete(): the collector would SET_NULL any reference it found, and
        # a reference that exists means the clip must stay, not lose its audio.
        doomed._raw_delete(doomed.db)
        kept = set(AudioClip.objects.filter(pk__in=files).values_list("pk", flat=True))
        gone = [name for pk, name in files.items() if pk not in kept]
        transaction.on_commit(partial(_delete_files, [name for name in gone if name]))
    return len(gone)


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # the row is gone already: a leftover file is only disk space
            logger.exception("deleting audio file %s failed", name)


def clip_schedule(*, key: str) -> None:
    """Synthesize in the background, off the request's critical path (call it on commit): in a thread
    of this process (SPEECH_QUEUE=thread; nothing happens when SPEECH_WORKERS is 0) or in a
    `speech_worker` process (SPEECH_QUEUE=redis). Never raises.

    Best effort: if the process dies first, or Redis cannot take the message, the browser's request
    synthesizes on demand instead. A clip handed over twice is synthesized once (the claim).
    """
    _submit(key)


def clip_upgrade_later(*, clip: AudioClip) -> bool:
    """Queue the replacement of a fallback clip's audio (clip_upgrade) in the background, when the
    preferred engine may be reachable again (its breaker is closed); True when queued.

    Called when a fallback clip is fetched, so a played clip heals itself; `upgrade_fallback_clips`
    does the same for every clip, from cron or by hand.
    """
    if not clip.is_fallback or clip.status != AudioClip.Status.READY or not preferred_engine_available():
        return False
    return _submit(clip.key)


def _submit(key: str) -> bool:
    if settings.SPEECH_QUEUE == "redis":
        return synthesis_queue.submit(key)
    return synthesis_pool.submit(key)


def _synthesize_in_background(key: str) -> None:
    """Make the clip of `key` ready (or upgrade its fallback audio); harmless when it is ready already,
    claimed by an audio request, or gone. Where a background thread or a queue worker does its work."""
    try:
        close_old_connections()
        clip = clip_get(key=key)
        if clip is None:
            return
        if clip.status != AudioClip.Status.READY:
            clip_ensure_ready(clip=clip, wait_seconds=0)
        elif clip.is_fallback:
            clip_upgrade(key=key)
    except (SpeechUnavailable, NotFoundError):
        pass  # recorded on the clip (the next request for it retries), or released meanwhile
    except Exception:
        logger.exception("background synthesis of clip %s failed", key)
    finally:
        connection.close()


# The process's one background pool; gunicorn's worker_exit and atexit shut it down.
synthesis_pool = BackgroundPool(work=_synthesize_in_background)
# The queue to the speech_worker processes (SPEECH_QUEUE=redis); connects on first use.
synthesis_queue = TaskQueue(work=_synthesize_in_background)
