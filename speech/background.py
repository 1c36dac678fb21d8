"""Background synthesis threads: one owner per process that starts them, hands them work and stops them."""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

logger = logging.getLogger(__name__)


class BackgroundPool:
    """SPEECH_WORKERS threads (read when the pool starts; 0: no background work) running `work(key)`.

    Started on the first submit rather than at import, because threads do not survive gunicorn's
    fork. `shutdown()` lets running and queued work finish; a later `start()` or `submit()` starts a
    fresh pool (tests do that). Shut down at exit by gunicorn's worker_exit hook, else by atexit.
    """

    def __init__(self, *, work: Callable[[str], None]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._atexit_registered = False

    @property
    def running(self) -> bool:
        return self._executor is not None

    def start(self) -> None:
        with self._lock:
            self._start()

    def submit(self, key: str) -> bool:
        """Queue `key`; False when nothing was queued (SPEECH_WORKERS is 0, or the interpreter is exiting)."""
        with self._lock:
            self._start()
            if self._executor is None:
                return False
            try:
                self._executor.submit(self._work, key)
            except RuntimeError:  # "cannot schedule new futures after interpreter shutdown"
                logger.warning("background synthesis of clip %s not queued: the process is exiting", key)
                return False
            return True

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking work; with `wait`, return once the running and queued work has finished."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait)

    def _start(self) -> None:
        # Caller holds self._lock.
        if self._executor is not None or settings.SPEECH_WORKERS <= 0:
            return
        self._executor = ThreadPoolExecutor(max_workers=settings.SPEECH_WORKERS, thread_name_prefix="speech")
        if not self._atexit_registered:
            atexit.register(self.shutdown)
            self._atexit_registered = True
