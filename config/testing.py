"""Helpers shared by every app's tests: the error envelope, real concurrency, the production server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test session created, so a server's workers can reach it (the
    test must commit what they should see: `django_db(transaction=True)`)."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT
    pid: int  # gunicorn's master process

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@contextlib.contextmanager
def production_server(**environment: str) -> Iterator[Server]:
    """gunicorn with gunicorn.conf.py and DEBUG off on a free local port, on the test database; yields
    it once /api/health/ answers. `environment` adds or overrides settings."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        # The test's own keys, so tokens it issues (tokens_for) are valid on the server.
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESSLOG": "",
        "SPEECH_ENGINE": "espeak",
        **environment,
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "-c", "gunicorn.conf.py"],  # the conf names the app for its worker class
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/api/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read1() if proc.poll() is not None else b"(still running)"
                    raise RuntimeError(f"gunicorn did not come up: {output.decode(errors='replace')}") from None
                time.sleep(0.2)
        yield Server(url=base_url, pid=proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
