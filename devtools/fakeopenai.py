"""A fake OpenAI-compatible HTTP server for the product's tests, ``make bench`` and local demos.

It fakes the two endpoints the product calls through the official ``openai`` SDK:

* ``POST /v1/chat/completions`` - a ``chat.completion`` with ``usage``, or with ``stream: true`` the
  same as server-sent ``chat.completion.chunk`` events ending in ``data: [DONE]`` (usage in a last
  chunk when ``stream_options.include_usage`` is set); with ``response_format`` ``json_schema``
  (structured output) the reply is by default a JSON object built from the schema (see
  ``structured_default``), and a strict schema that the real API would refuse (an object whose
  properties are not all required, or that allows additional properties) is a 400;
* ``POST /v1/audio/speech`` - a short, valid MP3 of silence (``response_format`` mp3 only);
* ``POST /v1/audio/transcriptions`` - multipart ``file`` and ``model`` (``language``, ``prompt``,
  ``response_format`` json, text or verbose_json): the text set by ``transcribe_with()`` (by default
  a fixed English sentence), with ``language`` and ``duration`` (exact for WAV) in verbose_json;

and answers anything else with a 404 in OpenAI's error shape. ``n > 1`` and other audio formats are
refused with a 400, so a product change that starts using them fails loudly.

It runs a real HTTP server on 127.0.0.1 and speaks the real wire protocol (JSON bodies, status
codes, OpenAI's error bodies, ``retry-after``, dropped and stalled connections) rather than being
a mock: with ``OpenAI(base_url=server.base_url, api_key="x")`` the SDK's own request building,
response parsing, timeouts and error mapping (``RateLimitError``, ``APITimeoutError``, ...) run
exactly as they do against the real API, so the product's handling of them is what gets tested.

Test hooks: ``reply_with()``; ``transcribe_with()``; ``reply_next()`` scripts the next replies (raw text such as invalid
JSON, an object laid over the schema's default, a refusal, a ``finish_reason``); recorded requests
(``last_request``, ``requests_for()``, ``clear_requests()``); ``latency`` before every answer (before
the first chunk of a stream) and ``stream_interval`` between a stream's chunks;
``fail_next(kind)`` to inject one of ``FAILURE_KINDS``; ``stop()`` returns promptly even while a
request is hanging.

Command line, for demos::

    python -m devtools.fakeopenai --port 8100 --latency 1.0

Standard library only, and it must never import Django.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import email.parser
import email.policy
import json
import math
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FAILURE_KINDS", "FakeOpenAI", "RecordedRequest", "main", "silent_mp3", "structured_default"]

#: What ``fail_next()`` injects: "429" / "500" / "503" answer OpenAI-shaped errors; "timeout"
#: stalls for ``hang_seconds``; "drop" closes the connection without answering; "garbage" is a 200
#: whose body is not JSON; "empty" is a 200 with empty content (or empty audio); "no_choices" is a
#: chat completion with ``choices: []``.
FAILURE_KINDS: frozenset[str] = frozenset({"429", "500", "503", "timeout", "drop", "garbage", "empty", "no_choices"})

CHAT_PATH = "/v1/chat/completions"
SPEECH_PATH = "/v1/audio/speech"
TRANSCRIPTION_PATH = "/v1/audio/transcriptions"
#: What a transcription says unless ``transcribe_with()`` set another text.
DEFAULT_TRANSCRIPT = "I would add an index on the columns the query filters by and check the plan."
# ISO-639-1 -> the language name verbose_json reports (Whisper reports names, not codes).
_LANGUAGE_NAMES = {"en": "english", "ko": "korean", "ja": "japanese"}
_TRANSCRIPTION_FORMATS = ("json", "text", "verbose_json")

# status, error type, error code, message
_INJECTED_ERRORS: dict[str, tuple[int, str, str, str]] = {
    "429": (429, "rate_limit_exceeded", "rate_limit_exceeded", "Rate limit reached (fake). Please try again in 1s."),
    "500": (500, "server_error", "internal_error", "The server had an error while processing your request (fake)."),
    "503": (503, "server_error", "service_unavailable", "The engine is currently overloaded (fake)."),
}

# What a structured-output reply holds by default, by property name, where the schema allows it: a
# good answer to the interviewer's question (our judgement schema); any other property gets the
# plainest value of its type (see structured_default).
STRUCTURED_DEFAULTS: dict[str, Any] = {
    "kind": "answer",
    "correctness": 4,
    "depth": 4,
    "communication": 4,
    "covered": [1],
    "missed": [],
    "feedback": "Fake feedback: a clear answer that makes the main point.",
    "verdict": "Fake verdict: a good answer.",
}
_RESPONSE_FORMATS = ("text", "json_object", "json_schema")
_SCHEMA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Speech length follows the input (about 15 characters a second), within these bounds.
_SPEECH_CHARS_PER_SECOND = 15.0
_SPEECH_MIN_SECONDS = 0.5
_SPEECH_MAX_SECONDS = 5.0


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: Any  # the parsed JSON body, or None when it was missing or not JSON
    failure: str | None = None  # the injected failure kind applied to this request


@dataclass(frozen=True)
class _Scripted:
    """A reply queued by ``reply_next()``."""

    content: str | dict[str, Any] | None
    refusal: str | None
    finish_reason: str


class _APIError(Exception):
    """Raised while handling a request to answer with an OpenAI-shaped error."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code


def _error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _count_tokens(content: Any) -> int:
    # Word counts are enough: tests only need stable, plausible numbers.
    return len(content.split()) if isinstance(content, str) else 0


def _stream_pieces(text: str) -> list[str]:
    """``text`` cut as a model streams it: a word (with the space before it) or a bit of JSON at a time."""
    return re.findall(r"\s*[^\s\"{}\[\],:]+|\s*[\"{}\[\],:]", text) if text else []


def structured_default(schema: Any, name: str = "") -> Any:
    """A value valid against ``schema`` (the subset strict structured output allows): the value of
    ``STRUCTURED_DEFAULTS`` for the property ``name`` when the schema accepts it, else the first enum
    value, else the plainest value of the type ("" / 0 / false / [] / null, objects property by property)."""
    if not isinstance(schema, dict):
        return None
    if name in STRUCTURED_DEFAULTS and _matches(STRUCTURED_DEFAULTS[name], schema):
        return STRUCTURED_DEFAULTS[name]
    if schema.get("enum"):
        return schema["enum"][0]
    if "anyOf" in schema:
        return structured_default(schema["anyOf"][0], name)
    type_ = schema.get("type")
    if isinstance(type_, list):
        type_ = next((t for t in type_ if t != "null"), "null")
    if type_ == "object":
        properties = schema.get("properties", {})
        return {key: structured_default(sub, key) for key, sub in properties.items()}
    if type_ == "integer" or type_ == "number":
        return max(0, schema.get("minimum", 0))
    return {"string": "", "boolean": False, "array": []}.get(type_)


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    # Enough of JSON Schema for the defaults above: type, enum and integer array items.
    if "enum" in schema and value not in schema["enum"]:
        return False
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "array": lambda v: isinstance(v, list) and all(_matches(i, schema.get("items", {})) for i in v),
    }
    type_ = schema.get("type")
    return type_ is None or checks.get(type_, lambda v: False)(value)


def _strict_schema_problem(schema: Any, path: str = "schema") -> str | None:
    """Why OpenAI would refuse ``schema`` in strict mode, or None: every object must list all its
    properties as required and set ``additionalProperties: false`` (nested ones too)."""
    if not isinstance(schema, dict):
        return f"{path} must be an object"
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            return f"In context={path}, 'additionalProperties' is required to be supplied and to be false."
        if sorted(schema.get("required", [])) != sorted(properties):
            return (
                f"In context={path}, 'required' is required to be supplied and to be an array including "
                "every key in properties."
            )
        for key, sub in properties.items():
            if problem := _strict_schema_problem(sub, f"{path}.{key}"):
                return problem
    if "items" in schema:
        return _strict_schema_problem(schema["items"], f"{path}.items")
    for n, sub in enumerate(schema.get("anyOf", [])):
        if problem := _strict_schema_problem(sub, f"{path}.anyOf[{n}]"):
            return problem
    return None


def _merged(base: Any, over: Any) -> Any:
    # A scripted object laid over the schema's default: nested objects merge, anything else replaces.
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in over.items()}}
    return over


def silent_mp3(seconds: float) -> bytes:
    """At least ``seconds`` of digital silence as valid MPEG-1 Layer III frames, built by hand.

    At 32 kbps and 32 kHz every frame is exactly 144 bytes (144 * 32000 / 32000), with no
    padding to track. An all-zero side-info block means no Huffman data: decoders play silence.
    """
    header = bytes((0xFF, 0xFB, 0x18, 0xC0))  # sync, MPEG-1, Layer III, no CRC, 32 kbps, 32 kHz, mono
    frame = header + bytes(144 - len(header))
    samples_per_frame, sample_rate = 1152, 32_000
    return frame * max(1, math.ceil(seconds * sample_rate / samples_per_frame))


# --------------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must never keep the process alive
    block_on_close = False  # ...nor make server_close() wait for it
    request_queue_size = 128  # the benchmark's bursts of 50+ clients must not get ECONNREFUSED
    allow_reuse_address = True

    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (timeouts, drops) is expected traffic, not a server bug.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the SDK's keep-alive pool behaves as it does against the real API.
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; with Nagle on, each small response
        # would wait ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the benchmark own the terminal

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            self.server.fake._handle(self)
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(payload).encode(), "application/json", headers)


# --------------------------------------------------------------------------- the fake


class FakeOpenAI:
    """The fake server. Use as a context manager (``with FakeOpenAI() as server: ...``) or call
    ``start()`` / ``stop()``. ``latency`` and ``hang_seconds`` may be changed while it runs."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0, *, hang_seconds: float = 30.0
    ) -> None:
        self.host = host
        self._requested_port = port  # 0: any free port
        #: Seconds to wait before answering each chat or speech request.
        self.latency = float(latency)
        #: How long a "timeout" failure stalls; the client should give up first.
        self.hang_seconds = float(hang_seconds)
        #: Seconds between two chunks of a streamed completion (the first comes after ``latency``).
        self.stream_interval = 0.0

        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        # None: a request let through (``fail_next(kind, after=n)``).
        self._failures: collections.deque[str | None] = collections.deque()
        self._fixed_reply: str | None = None
        self._transcript = DEFAULT_TRANSCRIPT
        self._scripted: collections.deque[_Scripted] = collections.deque()
        self._reply_count = 0
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # Set by stop() so that sleeping handlers (latency, "timeout") wake up at once.
        self._stopping = threading.Event()

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        if self._server is not None:
            raise RuntimeError("FakeOpenAI is already running")
        self._stopping = threading.Event()
        server = _Server((self.host, self._requested_port), _Handler)
        server.fake = self
        self._server = server
        # A short poll interval keeps shutdown(), and so stop(), fast.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeOpenAI:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving. Returns promptly even if handlers are mid-request; idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        # Otherwise open keep-alive (or hung) connections would go on being served by their
        # daemon handler threads after the server is "stopped".
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321``."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; call start() first")
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """What to pass as the SDK's ``base_url``."""
        return self.url + "/v1"

    # -- test hooks -----------------------------------------------------------

    def reply_with(self, text: str | None) -> None:
        """Answer every chat completion with ``text``; ``None`` restores the default replies."""
        self._fixed_reply = text

    def transcribe_with(self, text: str | None) -> None:
        """Transcribe every audio file as ``text``; ``None`` restores ``DEFAULT_TRANSCRIPT``."""
        self._transcript = DEFAULT_TRANSCRIPT if text is None else text

    def reply_next(
        self,
        content: str | dict[str, Any] | None = None,
        *,
        refusal: str | None = None,
        finish_reason: str = "stop",
    ) -> None:
        """Answer the next chat completion that gets an answer with this (calls queue up, one per
        request; an injected failure does not use one up). A ``str`` is sent verbatim (invalid JSON
        included); a ``dict`` is sent as JSON, laid over the default object of the request's
        ``json_schema`` when it has one (``{"kind": "off_topic"}`` changes only the kind, ``{"scores":
        {"depth": 9}}`` one score); ``refusal`` answers with that refusal and no content. Takes
        precedence over ``reply_with()``."""
        if content is None and refusal is None:
            raise ValueError("reply_next needs a content or a refusal")
        with self._lock:
            self._scripted.append(_Scripted(content, refusal, finish_reason))

    def fail_next(self, kind: str, *, after: int = 0) -> None:
        """Make the next chat, speech or transcription request fail with ``kind`` (calls queue up); with ``after``,
        let that many requests through first (``after=1``: the second request fails)."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}; expected one of {sorted(FAILURE_KINDS)}")
        with self._lock:
            self._failures.extend([None] * after)
            self._failures.append(kind)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest | None:
        with self._lock:
            return self._requests[-1] if self._requests else None

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- internals ------------------------------------------------------------

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; False means "stopping: abandon the request"."""
        return not self._stopping.wait(seconds) if seconds > 0 else not self._stopping.is_set()

    def _reply(self, body: dict[str, Any], schema: dict[str, Any] | None) -> tuple[str, str | None, str]:
        """(content, refusal, finish_reason) of the next answer: scripted, fixed, or the default."""
        with self._lock:
            self._reply_count += 1
            n = self._reply_count
            scripted = self._scripted.popleft() if self._scripted else None
        if scripted is not None:
            content = scripted.content
            if isinstance(content, dict):
                content = json.dumps(_merged(structured_default(schema), content) if schema else content)
            return content or "", scripted.refusal, scripted.finish_reason
        if self._fixed_reply is not None:
            return self._fixed_reply, None, "stop"
        if schema is not None:
            return json.dumps(structured_default(schema), ensure_ascii=False), None, "stop"
        if (body.get("response_format") or {}).get("type") == "json_object":
            return "{}", None, "stop"
        return self._default_text(body, n), None, "stop"

    def _default_text(self, body: dict[str, Any], n: int) -> str:
        user_texts = [m.get("content") for m in body["messages"] if m.get("role") == "user"]
        last_user = user_texts[-1].strip() if user_texts and isinstance(user_texts[-1], str) else ""
        return f"Fake interviewer reply #{n}: {last_user[:40]}?" if last_user else f"Fake interviewer reply #{n}?"

    def _handle(self, h: _Handler) -> None:
        path = h.path.split("?", 1)[0]
        raw = h.read_body()
        if path == TRANSCRIPTION_PATH:
            body = _multipart_fields(h.headers.get("content-type", ""), raw)
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
        is_api_call = h.command == "POST" and path in (CHAT_PATH, SPEECH_PATH, TRANSCRIPTION_PATH)
        failure = None
        if is_api_call:
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
        request = RecordedRequest(h.command, path, {k.lower(): v for k, v in h.headers.items()}, body, failure)
        with self._lock:
            self._requests.append(request)

        try:
            if not is_api_call:
                raise _APIError(404, f"Invalid URL ({h.command} {path})", code="unknown_url")
            if not isinstance(body, dict):
                if path == TRANSCRIPTION_PATH:
                    raise _APIError(400, "Could not parse multipart form.")
                raise _APIError(400, "We could not parse the JSON body of your request.")
            if not body.get("model"):
                raise _APIError(400, "you must provide a model parameter", param="model")
            if failure is not None and self._send_failure(h, failure):
                return
            if not self._sleep(self.latency):
                h.close_connection = True
                return
            if path == CHAT_PATH:
                self._chat(h, body, failure)
            elif path == TRANSCRIPTION_PATH:
                self._transcription(h, body, failure)
            else:
                self._speech(h, body, failure)
        except _APIError as err:
            h.send_json(err.status, _error_body(err.message, "invalid_request_error", err.code, err.param))

    def _send_failure(self, h: _Handler, kind: str) -> bool:
        """Answer with the injected failure; False when the endpoint still has to answer."""
        if kind in _INJECTED_ERRORS:
            status, type_, code, message = _INJECTED_ERRORS[kind]
            headers = {"retry-after": "1"} if status == 429 else None
            h.send_json(status, _error_body(message, type_, code), headers)
        elif kind == "timeout":
            if self._sleep(self.hang_seconds):
                return False  # the client did not give up: answer, just very late
            h.close_connection = True
        elif kind == "drop":
            h.close_connection = True  # the socket closes with no bytes written
        elif kind == "garbage":
            h.send_bytes(200, b"<html>oops</html>", "application/json")
        else:  # "empty" / "no_choices" shape the endpoint's 200 answer
            return False
        return True

    def _chat(self, h: _Handler, body: dict[str, Any], failure: str | None) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise _APIError(400, "Missing required parameter: 'messages'.", param="messages")
        if body.get("n", 1) != 1:
            raise _APIError(400, "FakeOpenAI answers with one choice only.", param="n")
        schema = self._structured_schema(body.get("response_format"))
        text, refusal, finish_reason = (
            ("", None, "stop") if failure in ("empty", "no_choices") else self._reply(body, schema)
        )
        prompt_tokens = sum(_count_tokens(m.get("content")) for m in messages)
        completion_tokens = _count_tokens(text) + _count_tokens(refusal)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        if body.get("stream"):
            self._stream(h, body, text=text, refusal=refusal, finish_reason=finish_reason, usage=usage, failure=failure)
            return
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": None if refusal else text, "refusal": refusal},
            "logprobs": None,
            "finish_reason": finish_reason,
        }
        completion = {
            "id": f"chatcmpl-fake{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fakeopenai",
            "choices": [] if failure == "no_choices" else [choice],
            "usage": usage,
        }
        h.send_json(200, completion)

    def _stream(
        self,
        h: _Handler,
        body: dict[str, Any],
        *,
        text: str,
        refusal: str | None,
        finish_reason: str,
        usage: dict[str, int],
        failure: str | None,
    ) -> None:
        """The completion as OpenAI streams it: server-sent ``chat.completion.chunk`` events, the
        text in small pieces ``stream_interval`` apart, then the finish reason, the usage when asked
        for, and ``data: [DONE]``. Sent without a length, the connection closes at the end."""
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        h.end_headers()
        chunk_id = f"chatcmpl-fake{uuid.uuid4().hex[:24]}"

        def chunk(delta: dict[str, Any] | None, finish: str | None = None, extra: dict | None = None) -> bytes:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
            event = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body["model"],
                "system_fingerprint": "fp_fakeopenai",
                "choices": choices,
                **(extra or {}),
            }
            return f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()

        pieces = [] if failure == "no_choices" else _stream_pieces(refusal if refusal else text)
        h.wfile.write(chunk({"role": "assistant", "content": "", "refusal": None}))
        h.wfile.flush()
        for n, piece in enumerate(pieces):
            if n and not self._sleep(self.stream_interval):
                return
            h.wfile.write(chunk({"refusal": piece} if refusal else {"content": piece}))
            h.wfile.flush()
        h.wfile.write(chunk({}, finish_reason))
        if (body.get("stream_options") or {}).get("include_usage"):
            h.wfile.write(chunk(None, extra={"usage": usage}))
        h.wfile.write(b"data: [DONE]\n\n")
        h.wfile.flush()

    @staticmethod
    def _structured_schema(response_format: Any) -> dict[str, Any] | None:
        """The JSON schema a request asks the reply to follow, or None; a 400 for what OpenAI refuses."""
        if response_format is None:
            return None
        type_ = response_format.get("type") if isinstance(response_format, dict) else None
        if type_ not in _RESPONSE_FORMATS:
            raise _APIError(400, f"Invalid value for 'response_format.type': {type_!r}.", param="response_format")
        if type_ != "json_schema":
            return None
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not _SCHEMA_NAME.match(str(spec.get("name", ""))):
            raise _APIError(400, "Missing or invalid 'response_format.json_schema.name'.", param="response_format")
        schema = spec.get("schema")
        if not isinstance(schema, dict):
            raise _APIError(400, "Missing 'response_format.json_schema.schema'.", param="response_format")
        if spec.get("strict") and (problem := _strict_schema_problem(schema)):
            raise _APIError(
                400, f"Invalid schema for response_format '{spec['name']}': {problem}", param="response_format"
            )
        return schema

    def _speech(self, h: _Handler, body: dict[str, Any], failure: str | None) -> None:
        text = body.get("input")
        if not isinstance(text, str) or not text:
            raise _APIError(400, "Missing required parameter: 'input'.", param="input")
        if not body.get("voice"):
            raise _APIError(400, "Missing required parameter: 'voice'.", param="voice")
        if body.get("response_format", "mp3") != "mp3":
            raise _APIError(400, "FakeOpenAI only produces mp3.", param="response_format")
        seconds = min(max(len(text) / _SPEECH_CHARS_PER_SECOND, _SPEECH_MIN_SECONDS), _SPEECH_MAX_SECONDS)
        h.send_bytes(200, b"" if failure == "empty" else silent_mp3(seconds), "audio/mpeg")

    def _transcription(self, h: _Handler, body: dict[str, Any], failure: str | None) -> None:
        audio = body.get("file")
        if not isinstance(audio, dict) or not audio.get("data"):
            raise _APIError(400, "Missing required parameter: 'file'.", param="file")
        response_format = body.get("response_format") or "json"
        if response_format not in _TRANSCRIPTION_FORMATS:
            raise _APIError(400, f"FakeOpenAI does not produce {response_format!r}.", param="response_format")
        text = "" if failure == "empty" else self._transcript
        if response_format == "text":
            h.send_bytes(200, f"{text}\n".encode(), "text/plain; charset=utf-8")
            return
        payload: dict[str, Any] = {"text": text}
        if response_format == "verbose_json":
            language = _LANGUAGE_NAMES.get(body.get("language") or "en", "english")
            duration = _audio_seconds(audio["data"])
            payload = {"task": "transcribe", "language": language, "duration": duration, "text": text, "segments": []}
        h.send_json(200, payload)


def _multipart_fields(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """A multipart/form-data body as ``{name: value}``, a file as ``{"filename", "content_type", "data"}``;
    None when it is not multipart (the real API answers that with a 400 too)."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    if not message.is_multipart():
        return None
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = {"filename": filename, "content_type": part.get_content_type(), "data": data}
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields


def _audio_seconds(data: bytes) -> float:
    """The length of a WAV file from its header; for other formats a plausible guess from the size
    (about 4 KB a second, Opus at 32 kbps)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        byte_rate = int.from_bytes(data[28:32], "little")
        position = 12
        while position + 8 <= len(data):
            chunk, size = data[position : position + 4], int.from_bytes(data[position + 4 : position + 8], "little")
            if chunk == b"data" and byte_rate:
                return round(min(size, len(data) - position - 8) / byte_rate, 2)
            position += 8 + size + (size % 2)
    return round(len(data) / 4000, 2)


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.fakeopenai",
        description="Serve a fake OpenAI API (chat completions, audio speech and transcriptions) until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args(argv)
    with FakeOpenAI(args.host, args.port, args.latency) as server:
        print(f"FakeOpenAI serving; SDK base_url={server.base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
