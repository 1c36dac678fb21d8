"""The answer's reply as server-sent events (API.md, "Streaming").

`Accept: text/event-stream` on POST /api/interviews/{id}/answers/ gets `event: delta` with each piece
of the reply's text as it is produced, then `event: done` with the stored result (what the JSON
variant answers), or `event: error` with the error envelope.

The reply is produced in a thread of its own, which hands pieces to the response through a queue, so
that a client hanging up mid-stream stops only the sending: the thread goes on to store the reply and
settle the quota unit (or, on failure, refund it and leave the answer waiting for /retry/), exactly as
the JSON variant does. It is not a daemon thread, so a worker that exits gracefully finishes it first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections
from django.http import StreamingHttpResponse

from chat.services import StartedTurn, TurnResult, turn_complete
from config.errors import ApplicationError
from config.exceptions import error_body

logger = logging.getLogger(__name__)

EVENT_STREAM = "text/event-stream"
# A comment line this often while nothing else is sent, so that proxies and browsers keep the
# connection open through a slow LLM.
KEEPALIVE_SECONDS = 10.0
# The stream gives up waiting for the reply after this long (the thread still finishes and stores it).
MAX_WAIT_SECONDS = 600.0

_DELTA, _DONE, _ERROR = "delta", "done", "error"


def wants_event_stream(accept: str) -> bool:
    """Whether an Accept header asks for the event stream (and not only as a lesser choice of JSON)."""
    return any(part.split(";")[0].strip().lower() == EVENT_STREAM for part in accept.split(","))


def event(name: str, data: Any) -> bytes:
    # json.dumps escapes newlines, so one `data:` line always holds the whole payload.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def turn_events(turn: StartedTurn | TurnResult, render: Callable[[TurnResult], dict]) -> Iterator[bytes]:
    """The events of one turn, for a WSGI server: its text as produced, then `render(result)`, or
    the error envelope."""
    if isinstance(turn, TurnResult):  # a replayed idempotency key: the stored reply, all at once
        yield event(_DELTA, {"text": turn.reply.content})
        yield event(_DONE, render(turn))
        return
    pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
    _start_producer(turn, pieces.put)
    waited = 0.0
    while True:
        try:
            kind, value = pieces.get(timeout=KEEPALIVE_SECONDS)
        except queue.Empty:
            waited += KEEPALIVE_SECONDS
            if waited >= MAX_WAIT_SECONDS:
                yield _gave_up()
                return
            yield b": keep-alive\n\n"
            continue
        yield event(kind, {"text": value} if kind == _DELTA else render(value) if kind == _DONE else value)
        if kind != _DELTA:
            return


async def turn_events_async(
    turn: StartedTurn | TurnResult, render: Callable[[TurnResult], dict]
) -> AsyncIterator[bytes]:
    """The same events for an ASGI server, which streams only an asynchronous iterator: the event
    loop waits on an asyncio queue that the producing thread feeds, holding no thread meanwhile."""
    render_in_thread = sync_to_async(render)  # the serializers may read the database
    if isinstance(turn, TurnResult):
        yield event(_DELTA, {"text": turn.reply.content})
        yield event(_DONE, await render_in_thread(turn))
        return
    loop = asyncio.get_running_loop()
    pieces: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    _start_producer(turn, lambda item: loop.call_soon_threadsafe(pieces.put_nowait, item))
    waited = 0.0
    while True:
        try:
            kind, value = await asyncio.wait_for(pieces.get(), timeout=KEEPALIVE_SECONDS)
        except TimeoutError:
            waited += KEEPALIVE_SECONDS
            if waited >= MAX_WAIT_SECONDS:
                yield _gave_up()
                return
            yield b": keep-alive\n\n"
            continue
        if kind == _DONE:
            value = await render_in_thread(value)
        yield event(kind, {"text": value} if kind == _DELTA else value)
        if kind != _DELTA:
            return


def _gave_up() -> bytes:
    return event(_ERROR, error_body("llm_timeout", "The interviewer took too long to answer.", {}))


def _start_producer(turn: StartedTurn, put: Callable[[tuple[str, Any]], Any]) -> None:
    worker = threading.Thread(target=_produce, args=(turn, put), name=f"reply-{turn.answer.pk}", daemon=False)
    worker.start()


def _produce(turn: StartedTurn, put: Callable[[tuple[str, Any]], Any]) -> None:
    """The reply, in the producing thread: its pieces, then the result or the error, through `put`."""
    try:
        result = turn_complete(turn, on_text=lambda text: put((_DELTA, text)))
        put((_DONE, result))
    except ApplicationError as exc:
        put((_ERROR, error_body(exc.code, exc.message, exc.details)))
    except Exception:
        logger.exception("streamed reply to answer %s failed", turn.answer.pk)
        put((_ERROR, error_body("server_error", "Something went wrong on our side; please try again.")))
    finally:
        # This thread's own database connection: nothing else would close it.
        connections.close_all()


def event_stream_response(events: Iterator[bytes] | AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(events, content_type=f"{EVENT_STREAM}; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    # nginx (docker-compose's proxy) buffers responses by default; an event stream must pass at once.
    response["X-Accel-Buffering"] = "no"
    return response
