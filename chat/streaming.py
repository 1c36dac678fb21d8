"""The answer's reply as server-sent events (API.md, "Streaming").

`Accept: text/event-stream` on POST /api/interviews/{id}/answers/ gets `event: delta` with each piece
of the reply's text as it is produced, then `event: done` with the stored result (what the JSON
variant answers), or `event: error` with the error envelope. The deltas are provisional: the `done`
body is the stored reply, and where a repaired judgement changed the verdict the deltas simply stop.

The reply is produced in a thread of its own, started by the view as soon as the answer is stored and
charged (before the response is returned, so a client that hangs up even then loses nothing). It
renders the `done` body itself, so the request's side never touches the database again (its pooled
connection goes back at once, not at the end of the stream), and hands everything to the response
through a `Channel`. A client hanging up stops only the sending: the thread goes on to store the reply
and settle the quota unit (or, on failure, refund it and leave the answer waiting for /retry/),
exactly as the JSON variant does. It is not a daemon thread, so a worker that exits gracefully
finishes it first.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from django.db import connection, connections
from django.http import StreamingHttpResponse

from chat.services import StartedTurn, TurnResult, turn_complete
from config.errors import ApplicationError
from config.exceptions import error_body

logger = logging.getLogger(__name__)

EVENT_STREAM = "text/event-stream"
# A comment line this often while nothing else is sent, so that proxies and browsers keep the
# connection open through a slow LLM.
KEEPALIVE_SECONDS = 10.0
# The stream stops waiting after this long without news (the thread still finishes and stores the
# reply, which /retry/ or the interview's messages then show).
MAX_IDLE_SECONDS = 300.0

_DELTA, _DONE, _ERROR = "delta", "done", "error"
_SERVER_ERROR = "Something went wrong on our side; please try again."


def wants_event_stream(accept: str) -> bool:
    """Whether an Accept header asks for the event stream (`text/event-stream` with a q above 0)."""
    for part in accept.split(","):
        media, *params = (item.strip().lower() for item in part.split(";"))
        if media != EVENT_STREAM:
            continue
        quality = next((p.removeprefix("q=") for p in params if p.startswith("q=")), "1")
        try:
            return float(quality) > 0
        except ValueError:
            return False
    return False


def event(name: str, data: Any) -> bytes:
    # json.dumps escapes newlines, so one `data:` line always holds the whole payload.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


class Channel:
    """What the producing thread hands to the response, in order: a thread-safe buffer that a WSGI
    iterator waits on with a condition, and an ASGI one through its event loop (attached on its
    first read: the producer starts before any loop is known). Items put after the listener is gone
    are dropped, never an error: the producer must always finish its turn."""

    def __init__(self) -> None:
        self._items: collections.deque[tuple[str, Any]] = collections.deque()
        self._ready = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None

    def put(self, item: tuple[str, Any]) -> None:
        with self._ready:
            self._items.append(item)
            self._ready.notify()
            loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None:
            with contextlib.suppress(RuntimeError):  # the event loop is closed: nobody listens any more
                loop.call_soon_threadsafe(wakeup.set)

    def get(self, timeout: float) -> tuple[str, Any] | None:
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)
            return self._items.popleft() if self._items else None

    async def aget(self, timeout: float) -> tuple[str, Any] | None:
        with self._ready:
            if self._items:
                return self._items.popleft()
            if self._wakeup is None:
                self._loop, self._wakeup = asyncio.get_running_loop(), asyncio.Event()
            self._wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout)
        with self._ready:
            return self._items.popleft() if self._items else None


def turn_channel(turn: StartedTurn | TurnResult, render: Callable[[TurnResult], dict]) -> Channel:
    """Start producing the turn's events now; `render` makes the `done` body from the result. The
    calling (request) thread gives its database connection back: it has nothing more to read."""
    channel = Channel()
    if isinstance(turn, TurnResult):  # a replayed idempotency key: the stored reply, all at once
        channel.put((_DELTA, {"text": turn.reply.content}))
        channel.put(_rendered(render, turn))
        return channel
    if not connection.in_atomic_block:
        connection.close()
    threading.Thread(
        target=_produce, args=(turn, channel, render), name=f"reply-{turn.answer.pk}", daemon=False
    ).start()
    return channel


def turn_events(channel: Channel) -> Iterator[bytes]:
    """The events, for a WSGI server (which streams only a synchronous iterator)."""
    yield b": ok\n\n"  # the headers go out with the first bytes: at once, not with the first event
    idle_since = time.monotonic()
    while True:
        item = channel.get(KEEPALIVE_SECONDS)
        if item is None:
            if time.monotonic() - idle_since >= MAX_IDLE_SECONDS:
                yield _gave_up()
                return
            yield b": keep-alive\n\n"
            continue
        idle_since = time.monotonic()
        yield event(*item)
        if item[0] != _DELTA:
            return


async def turn_events_async(channel: Channel) -> AsyncIterator[bytes]:
    """The same events for an ASGI server, which streams only an asynchronous iterator: the event loop
    waits on the channel holding no thread meanwhile."""
    yield b": ok\n\n"
    idle_since = time.monotonic()
    while True:
        item = await channel.aget(KEEPALIVE_SECONDS)
        if item is None:
            if time.monotonic() - idle_since >= MAX_IDLE_SECONDS:
                yield _gave_up()
                return
            yield b": keep-alive\n\n"
            continue
        idle_since = time.monotonic()
        yield event(*item)
        if item[0] != _DELTA:
            return


def _gave_up() -> bytes:
    message = "The interviewer is taking too long; your answer is saved, and its reply will appear when ready."
    return event(_ERROR, error_body("llm_timeout", message, {"retryable": True}))


def _rendered(render: Callable[[TurnResult], dict], result: TurnResult) -> tuple[str, Any]:
    try:
        return _DONE, render(result)
    except Exception:
        logger.exception("rendering the streamed result of answer %s failed", result.answer.pk)
        return _ERROR, error_body("server_error", _SERVER_ERROR, {"retryable": False})


def _produce(turn: StartedTurn, channel: Channel, render: Callable[[TurnResult], dict]) -> None:
    """The reply, in the producing thread: its pieces, then the rendered result or the error."""
    try:
        result = turn_complete(turn, on_text=lambda text: channel.put((_DELTA, {"text": text})))
        channel.put(_rendered(render, result))
    except ApplicationError as exc:
        channel.put((_ERROR, error_body(exc.code, exc.message, exc.details)))
    except Exception:
        logger.exception("streamed reply to answer %s failed", turn.answer.pk)
        channel.put((_ERROR, error_body("server_error", _SERVER_ERROR, {"retryable": True})))
    finally:
        # This thread's own database connection: nothing else would close it.
        connections.close_all()


def event_stream_response(events: Iterator[bytes] | AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(events, content_type=f"{EVENT_STREAM}; charset=utf-8")
    # no-transform: a compressing proxy must not hold events back to fill its buffer.
    response["Cache-Control"] = "no-cache, no-transform"
    # nginx (docker-compose's proxy) buffers responses by default; an event stream must pass at once.
    response["X-Accel-Buffering"] = "no"
    return response
