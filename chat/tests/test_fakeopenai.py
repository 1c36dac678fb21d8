"""Tests for chat.fakeopenai, driven through the real ``openai`` SDK over HTTP.

No database or Django settings are needed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest

from chat import fakeopenai
from chat.fakeopenai import FakeOpenAI

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [
    {"role": "system", "content": "You are an interviewer."},
    {"role": "user", "content": "I led the migration of our billing system to Postgres last year."},
]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


@pytest.fixture
def client(server: FakeOpenAI) -> Iterator[openai.OpenAI]:
    # No retries so each injected failure surfaces exactly once.
    with openai.OpenAI(base_url=server.url + "/v1", api_key="test", max_retries=0, timeout=5) as c:
        yield c


def _create(client: openai.OpenAI, stream: bool) -> object:
    """One chat call; a stream is consumed so errors inside it surface here."""
    resp = client.chat.completions.create(model="m", messages=MESSAGES, stream=stream)
    return list(resp) if stream else resp


def _stream_text(client: openai.OpenAI, **kwargs: object) -> tuple[str, list]:
    chunks = list(client.chat.completions.create(model="gpt-test", messages=MESSAGES, stream=True, **kwargs))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


# --------------------------------------------------------------------------- happy paths


def test_plain_completion(server: FakeOpenAI, client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(model="gpt-test-model", messages=MESSAGES)

    assert resp.object == "chat.completion"
    assert resp.model == "gpt-test-model"
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    content = resp.choices[0].message.content
    assert content == f"Fake interviewer reply #1: {MESSAGES[1]['content'][:40]}?"
    prompt_words = sum(len(m["content"].split()) for m in MESSAGES)
    assert resp.usage.prompt_tokens == prompt_words
    assert resp.usage.completion_tokens == len(content.split())
    assert resp.usage.total_tokens == prompt_words + len(content.split())

    req = server.last_request
    assert req.method == "POST"
    assert req.path == "/v1/chat/completions"
    assert req.body["messages"] == MESSAGES
    assert req.body["model"] == "gpt-test-model"
    assert req.headers["authorization"] == "Bearer test"
    assert req.failure is None
    assert server.requests == [req]


def test_stream_reassembles_to_non_stream_text_with_usage(server: FakeOpenAI, client: openai.OpenAI) -> None:
    plain = client.chat.completions.create(model="gpt-test", messages=MESSAGES).choices[0].message.content
    text, chunks = _stream_text(client, stream_options={"include_usage": True})

    # The default reply numbers itself, so the stream is reply #2 of the same text.
    assert text == plain.replace("#1", "#2")
    assert len(chunks) > 3  # really streamed piecewise, not one blob
    assert all(c.object == "chat.completion.chunk" and c.model == "gpt-test" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == len(text.split())
    assert chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + len(text.split())
    assert server.last_request.body["stream"] is True


def test_stream_without_include_usage_has_no_usage(client: openai.OpenAI) -> None:
    _, chunks = _stream_text(client)
    assert all(c.usage is None for c in chunks)


def test_reply_with_and_reply_fn(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_with("Why do you want this job?")
    for _ in range(2):
        assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == (
            "Why do you want this job?"
        )
    assert _stream_text(client)[0] == "Why do you want this job?"

    server.reply_fn = lambda req: f"{len(req['messages'])} messages seen"
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content == (
        "2 messages seen"
    )

    server.reset()
    assert server.requests == []
    content = client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
    assert content.startswith("Fake interviewer reply #1: ")


def test_models_and_unknown_path(server: FakeOpenAI, client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["fake-gpt"]

    with pytest.raises(openai.NotFoundError) as excinfo:
        client.post("/nope", cast_to=object, body={})
    assert excinfo.value.body["type"] == "invalid_request_error"
    assert excinfo.value.body["code"] == "unknown_url"

    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(server.url + "/v2/whatever")
    assert raw.value.code == 404
    assert set(json.loads(raw.value.read())["error"]) >= {"message", "type", "code"}


def test_missing_model_is_a_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.post("/chat/completions", cast_to=object, body={"messages": MESSAGES})


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(
    ("kind", "exc_type", "status"),
    [
        ("429", openai.RateLimitError, 429),
        ("500", openai.InternalServerError, 500),
        ("503", openai.InternalServerError, 503),
        ("drop", openai.APIConnectionError, None),
    ],
)
def test_failure_raises_sdk_exception(
    server: FakeOpenAI, client: openai.OpenAI, kind: str, exc_type: type, status: int | None, stream: bool
) -> None:
    server.fail_next(kind)
    with pytest.raises(exc_type) as excinfo:
        _create(client, stream)
    if status is not None:
        assert excinfo.value.status_code == status
        assert set(excinfo.value.body) >= {"message", "type", "code"}
    assert server.last_request.failure == kind
    # The queue is consumed: the next request succeeds.
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content


def test_429_is_rate_limit_shaped(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("429")
    with pytest.raises(openai.RateLimitError) as excinfo:
        client.chat.completions.create(model="m", messages=MESSAGES)
    assert excinfo.value.response.headers["retry-after"] == "1"
    assert excinfo.value.body["type"] == "rate_limit_exceeded"


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_timeout_raises_api_timeout_error(server: FakeOpenAI, stream: bool) -> None:
    server.fail_next("timeout")
    c = openai.OpenAI(base_url=server.url + "/v1", api_key="test", timeout=0.5 if not stream else 0.3, max_retries=0)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        _create(c, stream)
    assert time.monotonic() - started < 2


def test_garbage_body_raises_json_decode_error(server: FakeOpenAI, client: openai.OpenAI) -> None:
    # The SDK trusts "application/json" and does not wrap the parse failure in an
    # openai.APIError: callers must be ready for a bare json.JSONDecodeError (a ValueError).
    server.fail_next("garbage")
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="m", messages=MESSAGES)


def test_garbage_body_on_stream_yields_nothing(server: FakeOpenAI, client: openai.OpenAI) -> None:
    # Streams do not check the content type; a non-SSE body is just zero events, no error.
    server.fail_next("garbage")
    assert _stream_text(client) == ("", [])


def test_empty_reply(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("empty")
    resp = client.chat.completions.create(model="m", messages=MESSAGES)
    assert resp.choices[0].message.content == ""
    assert resp.usage.completion_tokens == 0

    server.fail_next("empty")
    text, chunks = _stream_text(client)
    assert text == ""
    assert not any(c.choices[0].delta.content for c in chunks if c.choices)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_no_choices(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("no_choices")
    resp = client.chat.completions.create(model="m", messages=MESSAGES)
    assert resp.choices == []
    with pytest.raises(IndexError):
        resp.choices[0]

    server.fail_next("no_choices")
    _, chunks = _stream_text(client, stream_options={"include_usage": True})
    assert [c.choices for c in chunks] == [[]]


def test_fail_next_times_is_consumed_one_per_request(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("503", times=2)
    server.fail_next("429")
    for exc_type in (openai.InternalServerError, openai.InternalServerError, openai.RateLimitError):
        with pytest.raises(exc_type):
            client.chat.completions.create(model="m", messages=MESSAGES)
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
    assert [r.failure for r in server.requests] == ["503", "503", "429", None]


def test_sdk_retry_recovers_from_one_failure(server: FakeOpenAI) -> None:
    server.fail_next("500")
    c = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=1)
    assert c.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
    assert [r.failure for r in server.requests_for("/v1/chat/completions")] == ["500", None]


def test_fail_always_and_reset(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_always("500")
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="m", messages=MESSAGES)
    assert [m.id for m in client.models.list()] == ["fake-gpt"]  # health checks unaffected
    server.reset()
    assert client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content


def test_unknown_failure_kind_is_rejected(server: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="unknown failure kind 'teapot'"):
        server.fail_next("teapot")


def test_fail_rate_is_seeded_and_random() -> None:
    with FakeOpenAI(fail_rate=0.5, fail_kinds=["500"], seed=1) as srv:
        c = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
        outcomes = []
        for _ in range(20):
            try:
                c.chat.completions.create(model="m", messages=MESSAGES)
                outcomes.append("ok")
            except openai.InternalServerError:
                outcomes.append("500")
    assert 0 < outcomes.count("500") < 20


# --------------------------------------------------------------------------- latency & concurrency


def test_latency_is_applied(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.latency = 0.3
    started = time.monotonic()
    client.chat.completions.create(model="m", messages=MESSAGES)
    assert time.monotonic() - started >= 0.3


def test_concurrent_requests_are_served_in_parallel() -> None:
    with FakeOpenAI(latency=0.5) as srv:
        c = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=20) as pool:
            replies = list(
                pool.map(
                    lambda i: (
                        c.chat.completions.create(model="m", messages=[{"role": "user", "content": f"q{i}"}])
                        .choices[0]
                        .message.content
                    ),
                    range(20),
                )
            )
        elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed  # serial would be 10 s
    assert len(set(replies)) == 20
    assert sorted(int(r.split("#")[1].split(":")[0]) for r in replies) == list(range(1, 21))


def test_burst_of_60_raw_connections() -> None:
    with FakeOpenAI(latency=0.3) as srv:
        body = json.dumps({"model": "m", "messages": MESSAGES}).encode()

        def call(_: int) -> int:
            req = urllib.request.Request(
                srv.url + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=60) as pool:
            statuses = list(pool.map(call, range(60)))
        assert statuses == [200] * 60
        assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- audio


_MP3_BITRATES = {
    3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  # MPEG-1 Layer III
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  # MPEG-2 Layer III
}
_MP3_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000]}


def _mp3_duration(data: bytes) -> float:
    """Walk every Layer III frame header; fails unless the frames tile the whole file."""
    pos, seconds, frames = 0, 0.0, 0
    if data[:3] == b"ID3":
        pos = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    while pos < len(data):
        b1, b2 = data[pos + 1], data[pos + 2]
        assert data[pos] == 0xFF, f"lost frame sync at byte {pos}"
        assert b1 & 0xE0 == 0xE0, f"lost frame sync at byte {pos}"
        version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
        assert layer == 1, "not Layer III"
        assert version in _MP3_BITRATES, "not MPEG-1/MPEG-2"
        bitrate = _MP3_BITRATES[version][b2 >> 4] * 1000
        rate = _MP3_RATES[version][(b2 >> 2) & 3]
        samples = 1152 if version == 3 else 576
        pos += samples // 8 * bitrate // rate + ((b2 >> 1) & 1)
        seconds += samples / rate
        frames += 1
    assert pos == len(data)
    assert frames > 0
    return seconds


def _speech(client: openai.OpenAI, text: str) -> bytes:
    return client.audio.speech.create(model="tts-1", voice="alloy", input=text).content


def test_audio_speech_returns_mp3(server: FakeOpenAI, client: openai.OpenAI) -> None:
    audio = _speech(client, "Hi")
    assert audio[:3] == b"ID3" or (audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0)
    assert 0.5 <= _mp3_duration(audio) < 0.7  # the ~0.5 s floor

    req = server.last_request
    assert req.path == "/v1/audio/speech"
    assert req.body == {"model": "tts-1", "voice": "alloy", "input": "Hi"}

    # Longer input gives longer audio (about 15 characters per second).
    longer = _speech(client, "Tell me about a project you are proud of.")  # 41 chars
    assert 2.5 < _mp3_duration(longer) < 3.2


def test_audio_without_lameenc_uses_hand_built_frames(
    server: FakeOpenAI, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakeopenai, "lameenc", None)
    audio = _speech(client, "Hi")
    assert audio[:2] == b"\xff\xfb"  # MPEG-1 Layer III, no CRC
    assert 0.5 <= _mp3_duration(audio) < 0.6


def test_audio_other_formats_and_failures(server: FakeOpenAI, client: openai.OpenAI) -> None:
    wav = client.audio.speech.create(model="tts-1", voice="alloy", input="Hi", response_format="wav").content
    assert wav[:4] == b"RIFF"
    assert wav[8:12] == b"WAVE"
    with pytest.raises(openai.BadRequestError):
        client.audio.speech.create(model="tts-1", voice="alloy", input="Hi", response_format="opus")
    server.fail_next("500")
    with pytest.raises(openai.InternalServerError):
        _speech(client, "Hi")
    server.fail_next("empty")
    assert _speech(client, "Hi") == b""


# --------------------------------------------------------------------------- lifecycle & CLI


def test_stop_is_prompt_while_a_request_hangs() -> None:
    srv = FakeOpenAI(hang_seconds=30).start()
    srv.fail_next("timeout")
    c = openai.OpenAI(base_url=srv.base_url, api_key="test", timeout=20, max_retries=0)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            c.chat.completions.create(model="m", messages=MESSAGES)
        except BaseException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    srv.wait_for_requests(1)
    time.sleep(0.1)  # let the handler enter its hang

    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 2
    assert not srv.running

    # The hung client is released (connection closed), not left waiting 20 s.
    caller.join(timeout=3)
    assert not caller.is_alive()
    assert isinstance(errors[0], openai.APIConnectionError)


def test_start_stop_and_restart() -> None:
    srv = FakeOpenAI()
    with pytest.raises(RuntimeError, match="not running"):
        _ = srv.url
    with srv:
        assert srv.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(srv.url + "/v1/models") as resp:
            assert resp.status == 200
    srv.stop()  # idempotent
    with srv, urllib.request.urlopen(srv.url + "/v1/models") as resp:
        assert resp.status == 200


def test_cli_serves_until_sigterm_without_django() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chat.fakeopenai", "--port", "0", "--quiet"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split()[3]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/v1/models", timeout=5) as resp:
            assert json.loads(resp.read())["data"][0]["id"] == "fake-gpt"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_module_does_not_import_django() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import sys, chat.fakeopenai; print('django' in sys.modules)"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
