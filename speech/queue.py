"""The speech task queue (SPEECH_QUEUE=redis): Dramatiq on Redis, the one module that imports dramatiq.

Contract: `submit(key)` puts one message on the queue and says whether it got there; it never raises,
so a reply is stored and answered whether or not Redis is up (the browser's audio request then
synthesizes on demand). Worker processes (`python manage.py speech_worker`, which runs Dramatiq's
CLI on `speech.worker`) take the messages and call `work(key)`. Delivery is at least once: a message
taken by a worker that dies is given to another after Dramatiq's heartbeat timeout, and `work` must
be harmless to run twice (the clip's claim in speech.services makes it so). Settings are read when
the broker is built, and again whenever they change (tests do that).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import dramatiq
import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from dramatiq.brokers.redis import RedisBroker
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

QUEUE_NAME = "speech"
ACTOR_NAME = "speech_synthesize"


class TaskQueue:
    """A Redis-backed queue of clip keys, each handed to `work(key)` in a worker process."""

    def __init__(self, *, work: Callable[[str], None]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._built: tuple[tuple, RedisBroker, dramatiq.Actor] | None = None

    def broker(self) -> RedisBroker:
        """The broker for the current settings, with the synthesis actor declared on it (what a worker consumes)."""
        return self._current()[0]

    def submit(self, key: str) -> bool:
        """Queue `key` for a worker process; False (logged, never raised) when Redis could not take it."""
        try:
            self._current()[1].send(key)
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # Redis down, refusing or slow: the audio request synthesizes instead
            logger.warning("clip %s not queued (%s: %s); it is made on request", key, type(exc).__name__, exc)
            return False
        return True

    def close(self) -> None:
        """Drop the broker and its connections; the next use builds a fresh one."""
        with self._lock:
            built, self._built = self._built, None
        if built is not None:
            built[1].client.close()

    def _current(self) -> tuple[RedisBroker, dramatiq.Actor]:
        config = (settings.SPEECH_QUEUE_URL, settings.SPEECH_QUEUE_NAMESPACE, settings.SPEECH_QUEUE_TIMEOUT)
        with self._lock:
            if self._built is None or self._built[0] != config:
                if self._built is not None:
                    self._built[1].client.close()
                self._built = (config, *self._build(*config))
            return self._built[1], self._built[2]

    def _build(self, url: str, namespace: str, timeout: float) -> tuple[RedisBroker, dramatiq.Actor]:
        if not url:
            raise ImproperlyConfigured("SPEECH_QUEUE=redis needs SPEECH_QUEUE_URL (or REDIS_URL).")
        # Bounded waits and no retries: scheduling runs on the answer's request thread, after its commit.
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        broker = RedisBroker(client=client, namespace=namespace)
        # No retries by Dramatiq: `work` records failures on the clip, and the audio request retries.
        actor = dramatiq.Actor(
            self._work,
            broker=broker,
            actor_name=ACTOR_NAME,
            queue_name=QUEUE_NAME,
            priority=0,
            options={"max_retries": 0},
        )
        return broker, actor
