"""Helpers shared by every app's tests: the error envelope, real concurrency."""

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


def assert_error(response, status: int, code: str) -> dict:
    """Assert `response` is the API's error envelope with this status and code; return its `error`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]
