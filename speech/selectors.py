from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from rest_framework.request import Request

from speech.models import AudioClip


def clip_url(*, key: str, request: HttpRequest | Request | None) -> str:
    """The URL of the clip's MP3: absolute when a request is given, else the path.

    Built from the request, so behind a TLS proxy (SECURE_PROXY_SSL_HEADER) it is https.
    """
    path = reverse("speech-audio", kwargs={"key": key})
    return request.build_absolute_uri(path) if request is not None else path


# Final audio never changes behind its URL. A fallback clip's audio will (clip_upgrade), at a moment
# nobody knows in advance: browsers may keep it but must revalidate on every play (a 304 while it is
# unchanged), so the better voice is heard on the next play, and that revalidation is what asks the
# server to upgrade it. A max-age of minutes would replay the fallback meanwhile and not ask.
FINAL_CACHE_CONTROL = "public, max-age=31536000, immutable"
FALLBACK_CACHE_CONTROL = "public, no-cache"


def clip_cache_control(*, clip: AudioClip) -> str:
    return FALLBACK_CACHE_CONTROL if clip.is_fallback else FINAL_CACHE_CONTROL


def clip_etag(*, clip: AudioClip) -> str:
    """A strong ETag for the clip's current audio bytes.

    The key alone no longer identifies them once a clip can be re-synthesized; the stored file's
    name does (each synthesis is saved under a new name and a stored file is never rewritten).
    """
    stem = PurePosixPath(clip.file.name).stem if clip.file else ""
    return f'"{stem or clip.key}"'


def clip_totals_by_engine(*, since: dt.datetime) -> list[dict]:
    """Clips synthesized since `since`, per engine that really produced them, with their total audio
    seconds and bytes, and how many are fallbacks: one aggregate query."""
    return list(
        AudioClip.objects.filter(status=AudioClip.Status.READY, updated_at__gte=since)
        .values("engine_used")
        .annotate(
            clips=Count("id"),
            seconds=Coalesce(Sum("duration"), 0.0),
            bytes=Coalesce(Sum("size"), 0),
            fallbacks=Count("id", filter=Q(is_fallback=True)),
        )
        .order_by("engine_used")
    )
