"""A fake OpenAI-compatible HTTP server for tests, benchmarks and demos.

It lets the product's ``openai`` provider run fully offline: point the official
``openai`` SDK at it with ``OpenAI(base_url=server.base_url, api_key="test")``
and it answers over real HTTP on 127.0.0.1 with the same wire format as the
real API, so the SDK's own parsing, streaming, retry and error-mapping code is
exercised instead of being mocked away.

Implemented endpoints:

* ``POST /v1/chat/completions`` - JSON or SSE streaming (``"stream": true``,
  ``stream_options.include_usage`` honoured).
* ``POST /v1/audio/speech`` - a short, valid MP3 (or WAV / raw PCM).
* ``GET /v1/models`` and ``GET /v1/models/<id>`` - for health checks.
* Anything else - 404 in OpenAI's error shape.

Test hooks: deterministic default replies, ``reply_with()`` / ``reply_fn``,
recording of every request, per-request ``latency`` and failure injection
(``fail_next()`` / ``fail_always()`` / random ``fail_rate``).

Command line (no Django needed; this module must never import it)::

    python -m chat.fakeopenai --port 8100 --latency 1.0 [--host 127.0.0.1] [--fail-rate 0.0]

Standard library only; ``lameenc`` is used for nicer audio when installed.
"""

from __future__ import annotations

import argparse
import array
import collections
import contextlib
import io
import json
import math
import random
import re
import signal
import socket
import sys
import threading
import time
import uuid
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

try:  # Optional: without it we fall back to hand-built silent MP3 frames.
    import lameenc  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    lameenc = None

__all__ = ["FAILURE_KINDS", "FakeOpenAI", "RecordedRequest", "main"]

FAILURE_KINDS: frozenset[str] = frozenset({"429", "500", "503", "timeout", "garbage", "empty", "no_choices", "drop"})

DEFAULT_MODEL = "fake-gpt"
CHAT_PATH = "/v1/chat/completions"
SPEECH_PATH = "/v1/audio/speech"
MODELS_PATH = "/v1/models"

# OpenAI's TTS returns 24 kHz mono; matching it keeps players/decoders honest.
_TTS_SAMPLE_RATE = 24_000
# Roughly how fast TTS voices speak, used only to make longer input give longer audio.
_TTS_CHARS_PER_SECOND = 15.0
_TTS_MIN_SECONDS = 0.5
_TTS_MAX_SECONDS = 5.0

ReplyFn = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # keys lower-cased, as HTTP headers are case-insensitive
    body: Any  # parsed JSON, or None when there was no body / it was not JSON
    raw_body: bytes = b""
    failure: str | None = None  # injected failure kind applied to this request
    timestamp: float = field(default_factory=time.time)

    @property
    def json(self) -> Any:
        return self.body


class _APIError(Exception):
    """Raised inside handlers to answer with an OpenAI-shaped error."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param


def _error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _text_of(content: Any) -> str:
    """Message content may be a string or a list of typed parts (vision/audio style)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return " ".join(parts)
    return ""


def _count_tokens(text: str) -> int:
    # Word counts are good enough: tests only need stable, plausible numbers.
    return len(text.split())


def _split_for_stream(text: str) -> list[str]:
    # Leading-space word pieces resemble real tokens and join back to the exact text.
    return re.findall(r"\s*\S+|\s+$", text)


# --------------------------------------------------------------------------- audio


def _silent_mp3_frames(seconds: float) -> bytes:
    """Valid MPEG-1 Layer III frames of digital silence, built by hand.

    32 kbps at 32 kHz makes every frame exactly 144 bytes (144 * 32000 / 32000)
    with no padding bookkeeping. An all-zero side info block means no Huffman
    data, which decoders render as silence.
    """
    header = bytes((0xFF, 0xFB, 0x18, 0xC0))  # sync, MPEG-1, L3, no CRC, 32kbps, 32kHz, mono
    frame = header + bytes(144 - len(header))
    samples_per_frame, sample_rate = 1152, 32_000
    count = max(1, math.ceil(seconds * sample_rate / samples_per_frame))
    return frame * count


def _pcm_tone(seconds: float, sample_rate: int = _TTS_SAMPLE_RATE) -> bytes:
    """16-bit mono PCM of a quiet 440 Hz tone, faded in/out so it never clicks."""
    total = max(1, int(seconds * sample_rate))
    fade = min(total // 2, sample_rate // 50)
    amplitude = 0.03 * 32767  # about -30 dBFS: audible in a demo, never loud
    step = 2 * math.pi * 440 / sample_rate
    samples = array.array("h", bytes(2 * total))
    for i in range(total):
        gain = min(1.0, i / fade, (total - 1 - i) / fade) if fade else 1.0
        samples[i] = int(amplitude * gain * math.sin(step * i))
    if sys.byteorder == "big":  # wire format for PCM/WAV is little-endian
        samples.byteswap()
    return samples.tobytes()


def _encode_mp3(pcm: bytes) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(_TTS_SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)  # fast; quality is irrelevant for a test tone
    return bytes(encoder.encode(pcm) + encoder.flush())


def _wav(pcm: bytes) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(_TTS_SAMPLE_RATE)
        w.writeframes(pcm)
    return buf.getvalue()


_AUDIO_CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "pcm": "audio/pcm"}
_audio_cache: dict[tuple[str, float, bool], bytes] = {}
_audio_cache_lock = threading.Lock()


def synthesize(seconds: float, fmt: str = "mp3", use_lameenc: bool | None = None) -> bytes:
    """Return ``seconds`` of audio in ``fmt`` ("mp3", "wav" or "pcm")."""
    if use_lameenc is None:
        use_lameenc = lameenc is not None
    seconds = round(seconds, 1)  # coarse steps keep the cache small
    key = (fmt, seconds, use_lameenc)
    with _audio_cache_lock:
        cached = _audio_cache.get(key)
    if cached is not None:
        return cached
    if fmt == "mp3":
        data = _encode_mp3(_pcm_tone(seconds)) if use_lameenc else _silent_mp3_frames(seconds)
    elif fmt == "wav":
        data = _wav(_pcm_tone(seconds))
    elif fmt == "pcm":
        data = _pcm_tone(seconds)
    else:
        raise ValueError(f"unsupported audio format {fmt!r}")
    with _audio_cache_lock:
        _audio_cache[key] = data
    return data


# --------------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must never keep the process alive
    block_on_close = False  # ...nor make server_close() wait for it
    request_queue_size = 128  # bursts of 50+ concurrent clients must not get ECONNREFUSED
    allow_reuse_address = True

    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (timeouts, drops) is expected traffic, not a server bug.
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the SDK's keep-alive pool behaves as it does against the real API.
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; with Nagle on, each small
        # response would wait ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.fake.log_requests:
            sys.stderr.write(f"[fakeopenai] {self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # -- request handling ---------------------------------------------------

    def _dispatch(self) -> None:
        try:
            self.server.fake._handle(self)
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # -- response helpers ---------------------------------------------------

    def send_bytes(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any, extra_headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(payload).encode(), "application/json", extra_headers)

    def send_error_json(self, err: _APIError, extra_headers: dict[str, str] | None = None) -> None:
        self.send_json(err.status, _error_body(err.message, err.type, err.code, err.param), extra_headers)

    def start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        # Chunked, like the real API, so the connection can be reused afterwards.
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        self.end_headers()

    def write_chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def send_sse(self, payload: Any) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        self.write_chunk(f"data: {text}\n\n".encode())

    def end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")


# --------------------------------------------------------------------------- the fake


class FakeOpenAI:
    """An in-process fake of the OpenAI HTTP API.

    Use as a context manager (``with FakeOpenAI() as server: ...``) or call
    ``start()`` / ``stop()``. All attributes may be changed while it runs.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        *,
        hang_seconds: float = 30.0,
        model: str = DEFAULT_MODEL,
        fail_rate: float = 0.0,
        fail_kinds: Iterable[str] = ("429", "500", "503"),
        stream_chunk_delay: float = 0.0,
        seed: int | None = None,
        log_requests: bool = False,
    ) -> None:
        self.host = host
        self._requested_port = port
        #: Seconds to wait before answering chat and speech requests.
        self.latency = float(latency)
        #: How long a "timeout" failure stalls; clients should give up first.
        self.hang_seconds = float(hang_seconds)
        #: The model listed by GET /v1/models (completions echo the request's model).
        self.model = model
        #: Probability that a chat/speech request fails with a random ``fail_kinds`` kind.
        self.fail_rate = float(fail_rate)
        self.fail_kinds: tuple[str, ...] = tuple(self._check_kind(k) for k in fail_kinds)
        #: Pause between streamed chunks, to make streaming visible in demos.
        self.stream_chunk_delay = float(stream_chunk_delay)
        #: Custom reply: ``reply_fn(request_json) -> str``; wins over everything.
        self.reply_fn: ReplyFn | None = None
        self.log_requests = log_requests

        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._request_added = threading.Condition(self._lock)
        self._failures: collections.deque[str] = collections.deque()
        self._always: str | None = None
        self._fixed_reply: str | None = None
        self._reply_count = 0
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # Set on stop() so sleeping handlers (latency, "timeout") wake up at once.
        self._stopping = threading.Event()

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        if self._server is not None:
            raise RuntimeError("FakeOpenAI is already running")
        self._stopping = threading.Event()
        server = _Server((self.host, self._requested_port), _Handler)
        server.fake = self
        self._server = server
        # A short poll interval keeps shutdown() (and so stop()) fast.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeOpenAI:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving. Returns promptly even if handlers are mid-request."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        # Otherwise idle keep-alive connections would keep being served by
        # their (daemon) handler threads after the server is "stopped".
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
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321`` (append ``/v1`` for the SDK)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as the SDK's ``base_url``."""
        return self.url + "/v1"

    # -- replies ------------------------------------------------------------

    def reply_with(self, text: str | None) -> None:
        """Answer every completion with ``text`` (``None`` restores the default)."""
        self._fixed_reply = text
        self.reply_fn = None  # the latest choice wins, whichever API set it

    def default_reply(self, request_json: dict[str, Any], n: int) -> str:
        last_user = ""
        for message in reversed(request_json.get("messages") or []):
            if isinstance(message, dict) and message.get("role") == "user":
                last_user = _text_of(message.get("content")).strip()
                break
        if not last_user:
            return f"Fake interviewer reply #{n}?"
        return f"Fake interviewer reply #{n}: {last_user[:40]}?"

    def _make_reply(self, request_json: dict[str, Any]) -> str:
        with self._lock:
            self._reply_count += 1
            n = self._reply_count
        if self.reply_fn is not None:
            return str(self.reply_fn(request_json))
        if self._fixed_reply is not None:
            return self._fixed_reply
        return self.default_reply(request_json, n)

    # -- failures -----------------------------------------------------------

    @staticmethod
    def _check_kind(kind: str) -> str:
        kind = str(kind)
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}; expected one of {sorted(FAILURE_KINDS)}")
        return kind

    def fail_next(self, kind: str, times: int = 1) -> None:
        """Make the next ``times`` chat/speech requests fail with ``kind``."""
        kind = self._check_kind(kind)
        with self._lock:
            self._failures.extend([kind] * times)

    def fail_always(self, kind: str | None) -> None:
        """Fail every chat/speech request with ``kind`` until ``reset()`` (or ``None``)."""
        self._always = None if kind is None else self._check_kind(kind)

    def reset(self) -> None:
        """Back to defaults: no failures, default replies, no recorded requests.

        Configuration given to the constructor (latency, hang_seconds, fail_rate...)
        is kept.
        """
        with self._lock:
            self._failures.clear()
            self._requests.clear()
            self._reply_count = 0
        self._always = None
        self._fixed_reply = None
        self.reply_fn = None

    def _take_failure(self) -> str | None:
        with self._lock:
            if self._failures:
                return self._failures.popleft()
        if self._always is not None:
            return self._always
        if self.fail_rate > 0 and self.fail_kinds and self._random.random() < self.fail_rate:
            return self._random.choice(self.fail_kinds)
        return None

    # -- recording ----------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Snapshot of every request received so far, oldest first."""
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

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests were recorded (for async tests)."""
        deadline = time.monotonic() + timeout
        with self._request_added:
            while len(self._requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"expected {count} requests, got {len(self._requests)}")
                self._request_added.wait(remaining)
            return list(self._requests)

    def _record(self, req: RecordedRequest) -> None:
        with self._request_added:
            self._requests.append(req)
            self._request_added.notify_all()

    # -- connection tracking --------------------------------------------------

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; False means "stopping, abandon"."""
        if seconds <= 0:
            return not self._stopping.is_set()
        return not self._stopping.wait(seconds)

    # -- routing --------------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        path = h.path.split("?", 1)[0]
        if len(path) > 1:
            path = path.rstrip("/")
        raw = h.read_body()
        body: Any = None
        bad_json = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True

        is_api_call = h.command == "POST" and path in (CHAT_PATH, SPEECH_PATH)
        failure = self._take_failure() if is_api_call else None
        self._record(
            RecordedRequest(
                method=h.command,
                path=path,
                headers={k.lower(): v for k, v in h.headers.items()},
                body=body,
                raw_body=raw,
                failure=failure,
            )
        )

        try:
            if h.command == "GET" and path == MODELS_PATH:
                h.send_json(200, {"object": "list", "data": [self._model_obj(self.model)]})
                return
            if h.command == "GET" and path.startswith(MODELS_PATH + "/"):
                h.send_json(200, self._model_obj(path[len(MODELS_PATH) + 1 :]))
                return
            if not is_api_call:
                raise _APIError(404, f"Invalid URL ({h.command} {path})", code="unknown_url")
            if bad_json or not isinstance(body, dict):
                raise _APIError(
                    400,
                    "We could not parse the JSON body of your request. (HINT: This likely means you "
                    "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
                )
            if not body.get("model"):
                raise _APIError(400, "you must provide a model parameter", param="model")

            if failure is not None and self._apply_failure(h, failure):
                return
            if not self._sleep(self.latency):
                h.close_connection = True
                return
            if path == CHAT_PATH:
                self._chat(h, body, failure)
            else:
                self._speech(h, body, failure)
        except _APIError as err:
            h.send_error_json(err)

    @staticmethod
    def _model_obj(model_id: str) -> dict[str, Any]:
        return {"id": model_id, "object": "model", "created": 1_700_000_000, "owned_by": "fakeopenai"}

    def _apply_failure(self, h: _Handler, kind: str) -> bool:
        """Answer with the failure; True if the request is fully handled."""
        if kind == "429":
            h.send_error_json(
                _APIError(
                    429,
                    "Rate limit reached (fake). Please try again in 1s.",
                    type_="rate_limit_exceeded",
                    code="rate_limit_exceeded",
                ),
                extra_headers={"retry-after": "1"},
            )
        elif kind == "500":
            h.send_error_json(
                _APIError(
                    500,
                    "The server had an error while processing your request (fake).",
                    type_="server_error",
                    code="internal_error",
                )
            )
        elif kind == "503":
            h.send_error_json(
                _APIError(
                    503,
                    "The engine is currently overloaded, please try again later (fake).",
                    type_="server_error",
                    code="service_unavailable",
                )
            )
        elif kind == "timeout":
            if self._sleep(self.hang_seconds):
                return False  # nobody gave up: answer normally, just very late
            h.close_connection = True
        elif kind == "garbage":
            h.send_bytes(200, b"<html>oops</html>", "application/json")
        elif kind == "drop":
            h.close_connection = True  # the socket closes with no bytes written
        else:  # "empty" / "no_choices" shape a 200 body, handled by the endpoint
            return False
        return True

    # -- endpoints ------------------------------------------------------------

    def _chat(self, h: _Handler, body: dict[str, Any], failure: str | None) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _APIError(
                400, "Missing required parameter: 'messages'.", param="messages", code="missing_required_parameter"
            )
        try:
            text = "" if failure in ("empty", "no_choices") else self._make_reply(body)
        except Exception as exc:  # a broken reply_fn should fail the test loudly, not hang it
            raise _APIError(500, f"reply_fn raised {exc!r}", type_="server_error", code="fake_reply_fn_error") from exc

        n = int(body.get("n") or 1)
        prompt_tokens = sum(_count_tokens(_text_of(m.get("content"))) for m in messages if isinstance(m, dict))
        completion_tokens = _count_tokens(text) * n
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        common = {
            "id": f"chatcmpl-fake{uuid.uuid4().hex[:24]}",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fakeopenai",
        }
        indexes = [] if failure == "no_choices" else list(range(n))

        if not body.get("stream"):
            h.send_json(
                200,
                {
                    **common,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": i,
                            "message": {"role": "assistant", "content": text, "refusal": None},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                        for i in indexes
                    ],
                    "usage": usage,
                },
            )
            return

        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
            payload = {**common, "object": "chat.completion.chunk", "choices": choices}
            if include_usage:
                payload["usage"] = None  # the real API sends null until the last chunk
            return payload

        def delta(i: int, d: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {"index": i, "delta": d, "logprobs": None, "finish_reason": finish}

        h.start_sse()
        for i in indexes:
            h.send_sse(chunk([delta(i, {"role": "assistant", "content": "", "refusal": None})]))
        for piece in _split_for_stream(text):
            if not self._sleep(self.stream_chunk_delay):
                h.close_connection = True
                return
            for i in indexes:
                h.send_sse(chunk([delta(i, {"content": piece})]))
        for i in indexes:
            h.send_sse(chunk([delta(i, {}, "stop")]))
        if include_usage:
            h.send_sse({**common, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        h.send_sse("[DONE]")
        h.end_chunks()

    def _speech(self, h: _Handler, body: dict[str, Any], failure: str | None) -> None:
        text = body.get("input")
        if not isinstance(text, str) or not text:
            raise _APIError(
                400, "Missing required parameter: 'input'.", param="input", code="missing_required_parameter"
            )
        if not body.get("voice"):
            raise _APIError(
                400, "Missing required parameter: 'voice'.", param="voice", code="missing_required_parameter"
            )
        fmt = body.get("response_format") or "mp3"
        if fmt not in _AUDIO_CONTENT_TYPES:
            raise _APIError(
                400, f"FakeOpenAI only produces {sorted(_AUDIO_CONTENT_TYPES)}, not {fmt!r}.", param="response_format"
            )
        speed = float(body.get("speed") or 1.0)
        seconds = len(text) / (_TTS_CHARS_PER_SECOND * max(speed, 0.25))
        seconds = min(max(seconds, _TTS_MIN_SECONDS), _TTS_MAX_SECONDS)
        audio = b"" if failure == "empty" else synthesize(seconds, fmt)
        h.send_bytes(200, audio, _AUDIO_CONTENT_TYPES[fmt])


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chat.fakeopenai",
        description="Serve a fake OpenAI API (chat completions, audio speech, models) until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="probability a request fails (0..1)")
    parser.add_argument(
        "--fail-kinds",
        default="429,500,503",
        help=f"comma-separated kinds used by --fail-rate; any of {','.join(sorted(FAILURE_KINDS))}",
    )
    parser.add_argument("--hang-seconds", type=float, default=30.0, help="stall length of 'timeout' failures")
    parser.add_argument("--stream-chunk-delay", type=float, default=0.0, help="pause between streamed chunks")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model listed by GET /v1/models")
    parser.add_argument("--seed", type=int, default=None, help="seed for --fail-rate, for repeatable runs")
    parser.add_argument("--quiet", action="store_true", help="no per-request access log")
    args = parser.parse_args(argv)

    kinds = [k.strip() for k in args.fail_kinds.split(",") if k.strip()]
    try:
        server = FakeOpenAI(
            args.host,
            args.port,
            args.latency,
            hang_seconds=args.hang_seconds,
            model=args.model,
            fail_rate=args.fail_rate,
            fail_kinds=kinds,
            stream_chunk_delay=args.stream_chunk_delay,
            seed=args.seed,
            log_requests=not args.quiet,
        )
    except ValueError as exc:
        parser.error(str(exc))

    stop = threading.Event()
    # SIGTERM (docker stop, systemd, CI teardown) should shut down as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    print(f"FakeOpenAI serving on {server.url} (SDK base_url={server.base_url})", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
