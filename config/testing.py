"""Helpers for tests that need real concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_in_threads(target: Callable[[], None], count: int, *, timeout: float = 60) -> None:
    """Run `target` in `count` threads released at the same moment; each closes its own DB
    connection afterwards (Django opens one per thread, and the test database must be droppable)."""
    barrier = threading.Barrier(count)

    def run() -> None:
        try:
            barrier.wait()
            target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
