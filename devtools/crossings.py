"""Which app calls which while a piece of work runs: the measure behind the layer rule.

A profiler hook records every call into one of the project's apps whose nearest calling project frame
belongs to another app. Frames of Django, DRF and the standard library are skipped when looking for
the caller, so a call that passes through the framework (a serializer field calling back into an app)
still counts for the app that started it. Test modules do not count as app code.

    python -m devtools.crossings        # one POST /answers/ with the practice interviewer

prints each crossing in order and their number. The test suite uses `recording()` to check that one
answer only ever calls down the layers.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may call only the apps before it in this tuple.
LAYERS = ("config", "accounts", "speech", "interviews", "chat")


@dataclass(frozen=True)
class Crossing:
    caller: str
    callee: str
    function: str  # module.qualname of the called function

    @property
    def downward(self) -> bool:
        return LAYERS.index(self.callee) < LAYERS.index(self.caller)


def app_of(filename: str) -> str | None:
    """The app a source file belongs to, or None for anything that is not app code."""
    try:
        parts = Path(filename).resolve().relative_to(ROOT).parts
    except ValueError:
        return None
    if len(parts) < 2 or parts[0] not in LAYERS or "tests" in parts or "migrations" in parts:
        return None
    return parts[0]


def _caller_app(frame: FrameType | None) -> str | None:
    while frame is not None:
        app = app_of(frame.f_code.co_filename)
        if app is not None:
            return app
        frame = frame.f_back
    return None


@contextmanager
def recording() -> Iterator[list[Crossing]]:
    """Record, in order, the crossings between apps made by this thread inside the block."""
    crossings: list[Crossing] = []
    apps: dict[str, str | None] = {}

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        filename = frame.f_code.co_filename
        if filename not in apps:
            apps[filename] = app_of(filename)
        callee = apps[filename]
        if callee is None:
            return
        caller = _caller_app(frame.f_back)
        if caller is not None and caller != callee:
            module = frame.f_globals.get("__name__", "?")
            crossings.append(Crossing(caller, callee, f"{module}.{frame.f_code.co_qualname}"))

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield crossings
    finally:
        sys.setprofile(previous)


def _one_answer() -> list[Crossing]:
    """Set up a throwaway database, start an interview, and record one answer through the API."""
    data = tempfile.mkdtemp(prefix="crossings-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{data}/db.sqlite3",
        DEBUG="true",
        SPEECH_ENGINE="espeak",
        SPEECH_WORKERS="0",
        CHAT_PROVIDER="practice",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    call_command("migrate", verbosity=0)
    call_command("load_questions", verbosity=0)
    client = APIClient(HTTP_HOST="localhost")  # DEBUG allows localhost
    tokens = client.post(
        "/api/auth/register/",
        {"username": "crossings", "email": "c@example.com", "password": "a long enough passphrase"},
        format="json",
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    interview = client.post("/api/interviews/", {"position": "be", "topic": "databases"}, format="json").json()
    with recording() as crossings:
        response = client.post(
            f"/api/interviews/{interview['id']}/answers/",
            {"content": "A B-tree index keeps keys sorted."},
            format="json",
        )
    assert response.status_code == 201, response.content
    return crossings


def main() -> int:
    crossings = _one_answer()
    for crossing in crossings:
        arrow = "->" if crossing.downward else "=> UP"
        print(f"{crossing.caller:>10} {arrow} {crossing.callee:<10} {crossing.function}")
    upward = sum(not c.downward for c in crossings)
    print(f"{len(crossings)} crossings, {upward} upward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
