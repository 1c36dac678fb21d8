"""Tests for devtools.fakeopenai, driven through the real ``openai`` SDK over HTTP.

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

from devtools.fakeopenai import FakeOpenAI, structured_default

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


def _reply(client: openai.OpenAI) -> str | None:
    return client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content


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


def test_reply_with(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_with("Why do you want this job?")
    for _ in range(2):
        assert _reply(client) == "Why do you want this job?"

    server.reply_with(None)  # back to the default, numbered replies
    assert _reply(client).startswith("Fake interviewer reply #3: ")


def test_recorded_requests_by_path_and_cleared(server: FakeOpenAI, client: openai.OpenAI) -> None:
    _reply(client)
    client.audio.speech.create(model="tts-1", voice="alloy", input="Hi")
    assert [r.path for r in server.requests] == ["/v1/chat/completions", "/v1/audio/speech"]
    assert [r.body["input"] for r in server.requests_for("/v1/audio/speech")] == ["Hi"]

    server.clear_requests()
    assert server.requests == []
    assert server.last_request is None


def test_unknown_path(server: FakeOpenAI, client: openai.OpenAI) -> None:
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


def test_unsupported_features_are_refused_loudly(client: openai.OpenAI) -> None:
    # The product uses none of these; if it starts to, its tests must fail, not pass by accident.
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="m", messages=MESSAGES, n=2)
    for fmt in ("wav", "opus"):
        with pytest.raises(openai.BadRequestError):
            client.audio.speech.create(model="tts-1", voice="alloy", input="Hi", response_format=fmt)


def test_a_stream_sends_the_same_text_in_chunks_then_the_usage(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_next({"verdict": "A clear answer."})
    fmt = {"type": "json_schema", "json_schema": {"name": "j", "strict": True, "schema": _schema()}}
    stream = client.chat.completions.create(
        model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}, response_format=fmt
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert json.loads(text)["verdict"] == "A clear answer."
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 5
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage.completion_tokens > 0


def test_a_streams_first_chunk_comes_before_the_rest_is_produced(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.stream_interval = 0.05
    server.reply_with("one two three four five six")
    started = time.monotonic()
    stream = client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    arrivals = [(time.monotonic() - started, c.choices[0].delta.content) for c in stream if c.choices]
    first = next(t for t, piece in arrivals if piece)
    assert first < 0.2
    assert arrivals[-1][0] >= 0.25  # five more pieces, 50 ms apart


def test_a_streamed_refusal_comes_as_refusal_deltas(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_next(refusal="I can't help with that.")
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.refusal or "" for c in chunks if c.choices) == "I can't help with that."


# --------------------------------------------------------------------------- failures


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
    server: FakeOpenAI, client: openai.OpenAI, kind: str, exc_type: type, status: int | None
) -> None:
    server.fail_next(kind)
    with pytest.raises(exc_type) as excinfo:
        client.chat.completions.create(model="m", messages=MESSAGES)
    if status is not None:
        assert excinfo.value.status_code == status
        assert set(excinfo.value.body) >= {"message", "type", "code"}
    assert server.last_request.failure == kind
    # The queue is consumed: the next request succeeds.
    assert _reply(client)


def test_429_is_rate_limit_shaped(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("429")
    with pytest.raises(openai.RateLimitError) as excinfo:
        client.chat.completions.create(model="m", messages=MESSAGES)
    assert excinfo.value.response.headers["retry-after"] == "1"
    assert excinfo.value.body["type"] == "rate_limit_exceeded"


def test_timeout_raises_api_timeout_error(server: FakeOpenAI) -> None:
    server.fail_next("timeout")
    c = openai.OpenAI(base_url=server.url + "/v1", api_key="test", timeout=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        c.chat.completions.create(model="m", messages=MESSAGES)
    assert time.monotonic() - started < 2


def test_garbage_body_raises_json_decode_error(server: FakeOpenAI, client: openai.OpenAI) -> None:
    # The SDK trusts "application/json" and does not wrap the parse failure in an
    # openai.APIError: callers must be ready for a bare json.JSONDecodeError (a ValueError).
    server.fail_next("garbage")
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="m", messages=MESSAGES)


def test_empty_reply(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("empty")
    resp = client.chat.completions.create(model="m", messages=MESSAGES)
    assert resp.choices[0].message.content == ""
    assert resp.usage.completion_tokens == 0


def test_no_choices(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("no_choices")
    resp = client.chat.completions.create(model="m", messages=MESSAGES)
    assert resp.choices == []
    with pytest.raises(IndexError):
        resp.choices[0]


def test_fail_next_queues_one_failure_per_request(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("503")
    server.fail_next("503")
    server.fail_next("429")
    for exc_type in (openai.InternalServerError, openai.InternalServerError, openai.RateLimitError):
        with pytest.raises(exc_type):
            client.chat.completions.create(model="m", messages=MESSAGES)
    assert _reply(client)
    assert [r.failure for r in server.requests] == ["503", "503", "429", None]


def test_sdk_retry_recovers_from_one_failure(server: FakeOpenAI) -> None:
    server.fail_next("500")
    c = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=1)
    assert _reply(c)
    assert [r.failure for r in server.requests_for("/v1/chat/completions")] == ["500", None]


def test_fail_next_after_lets_requests_through_first(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("503", after=2)
    assert _reply(client)
    assert _reply(client)
    with pytest.raises(openai.InternalServerError):
        _reply(client)
    assert _reply(client)
    assert [r.failure for r in server.requests] == [None, None, "503", None]


def test_unknown_failure_kind_is_rejected(server: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="unknown failure kind 'teapot'"):
        server.fail_next("teapot")


# --------------------------------------------------------------------------- structured output


def _schema(**extra_properties: dict) -> dict:
    properties = {
        "kind": {"type": "string", "enum": ["answer", "off_topic"]},
        "scores": {
            "type": "object",
            "properties": {"depth": {"type": "integer", "enum": [1, 2, 3, 4, 5]}},
            "required": ["depth"],
            "additionalProperties": False,
        },
        "covered": {"type": "array", "items": {"type": "integer"}},
        "missed": {"type": "array", "items": {"type": "integer"}},
        "verdict": {"type": "string"},
        "follow_up": {"type": "string"},
        **extra_properties,
    }
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def _structured(
    client: openai.OpenAI, schema: dict | None = None, *, strict: bool = True
) -> openai.types.chat.ChatCompletion:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "judgement", "strict": strict, "schema": schema or _schema()},
    }
    return client.chat.completions.create(model="m", messages=MESSAGES, response_format=response_format)


def test_structured_output_defaults_to_an_object_built_from_the_schema(
    server: FakeOpenAI, client: openai.OpenAI
) -> None:
    content = (
        _structured(client, _schema(level={"type": "string", "enum": ["junior", "senior"]})).choices[0].message.content
    )
    assert json.loads(content) == {
        "kind": "answer",
        "scores": {"depth": 4},
        "covered": [1],
        "missed": [],
        "verdict": "Fake verdict: a good answer.",
        "follow_up": "",
        "level": "junior",  # not a known property: its first enum value
    }
    assert server.last_request.body["response_format"]["json_schema"]["name"] == "judgement"


def test_a_default_the_schema_does_not_allow_is_not_used() -> None:
    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string", "enum": ["x", "y"]}, "covered": {"type": "string"}},
    }
    assert structured_default(schema) == {"kind": "x", "covered": ""}


def test_reply_next_scripts_raw_and_merged_replies_in_order(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_next('{"kind": "answer", "scores": ')  # invalid JSON, sent as it is
    server.reply_next({"kind": "off_topic", "scores": {"depth": 9}})  # laid over the schema's default
    server.reply_with("fixed")  # scripted replies come first

    assert _structured(client).choices[0].message.content == '{"kind": "answer", "scores": '
    merged = json.loads(_structured(client).choices[0].message.content)
    assert merged["kind"] == "off_topic"
    assert merged["scores"] == {"depth": 9}
    assert merged["verdict"] == "Fake verdict: a good answer."
    assert _structured(client).choices[0].message.content == "fixed"
    server.reply_with(None)
    assert json.loads(_structured(client).choices[0].message.content)["kind"] == "answer"


def test_reply_next_without_a_schema_sends_the_object_as_it_is(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_next({"only": "this"})
    assert json.loads(_reply(client)) == {"only": "this"}


def test_reply_next_refusal_and_finish_reason(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.reply_next(refusal="I can't help with that.")
    server.reply_next('{"kind": "ans', finish_reason="length")
    refused = _structured(client).choices[0]
    assert refused.message.content is None
    assert refused.message.refusal == "I can't help with that."
    cut = _structured(client).choices[0]
    assert cut.finish_reason == "length"
    assert cut.message.content == '{"kind": "ans'
    with pytest.raises(ValueError, match="content or a refusal"):
        server.reply_next()


def test_an_injected_failure_does_not_use_up_a_scripted_reply(server: FakeOpenAI, client: openai.OpenAI) -> None:
    server.fail_next("429")
    server.reply_next("scripted")
    with pytest.raises(openai.RateLimitError):
        _reply(client)
    assert _reply(client) == "scripted"


@pytest.mark.parametrize(
    "schema",
    [
        {**_schema(), "additionalProperties": True},
        {**_schema(), "required": ["kind"]},
        _schema(nested={"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}),
        _schema(items={"type": "array", "items": {"type": "object", "properties": {}, "required": []}}),
    ],
)
def test_a_strict_schema_openai_would_refuse_is_a_400(server: FakeOpenAI, client: openai.OpenAI, schema: dict) -> None:
    with pytest.raises(openai.BadRequestError, match="Invalid schema for response_format 'judgement'"):
        _structured(client, schema)
    # Not strict: the schema is only a hint, and the server answers.
    assert _structured(client, schema, strict=False).choices[0].message.content


@pytest.mark.parametrize(
    "response_format",
    [
        {"type": "xml"},
        {"type": "json_schema"},
        {"type": "json_schema", "json_schema": {"name": "bad name!", "schema": {"type": "object"}}},
        {"type": "json_schema", "json_schema": {"name": "ok"}},
    ],
)
def test_a_malformed_response_format_is_a_400(client: openai.OpenAI, response_format: dict) -> None:
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="m", messages=MESSAGES, response_format=response_format)


def test_json_object_mode_answers_a_json_object(client: openai.OpenAI) -> None:
    content = (
        client.chat.completions.create(model="m", messages=MESSAGES, response_format={"type": "json_object"})
        .choices[0]
        .message.content
    )
    assert json.loads(content) == {}


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
    assert audio[:2] == b"\xff\xfb"  # MPEG-1 Layer III, no CRC
    assert 0.5 <= _mp3_duration(audio) < 0.6  # the ~0.5 s floor

    req = server.last_request
    assert req.path == "/v1/audio/speech"
    assert req.body == {"model": "tts-1", "voice": "alloy", "input": "Hi"}

    # Longer input gives longer audio (about 15 characters per second).
    longer = _speech(client, "Tell me about a project you are proud of.")  # 41 chars
    assert 2.5 < _mp3_duration(longer) < 3.2


def test_audio_failures(server: FakeOpenAI, client: openai.OpenAI) -> None:
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
    deadline = time.monotonic() + 5
    while not srv.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert srv.requests
    time.sleep(0.1)  # let the handler enter its hang

    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 2
    with pytest.raises(RuntimeError, match="not running"):
        _ = srv.url

    # The hung client is released (connection closed), not left waiting 20 s.
    caller.join(timeout=3)
    assert not caller.is_alive()
    assert isinstance(errors[0], openai.APIConnectionError)


def _chat_status(base_url: str) -> int:
    body = json.dumps({"model": "m", "messages": MESSAGES}).encode()
    req = urllib.request.Request(
        base_url + "/chat/completions", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status


def test_start_stop_and_restart() -> None:
    srv = FakeOpenAI()
    with pytest.raises(RuntimeError, match="not running"):
        _ = srv.url
    with srv:
        assert srv.url.startswith("http://127.0.0.1:")
        assert _chat_status(srv.base_url) == 200
    srv.stop()  # idempotent
    with srv:
        assert _chat_status(srv.base_url) == 200


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler; give the child the default so the test holds anywhere.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_cli_serves_until_ctrl_c_without_django() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.fakeopenai", "--port", "0", "--latency", "0.1"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    try:
        base_url = proc.stdout.readline().strip().rsplit("base_url=", 1)[1]
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        started = time.monotonic()
        assert _chat_status(base_url) == 200
        assert time.monotonic() - started >= 0.1  # --latency was applied
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_module_does_not_import_django() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import sys, devtools.fakeopenai; print('django' in sys.modules)"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_a_transcription_answers_the_set_text_with_the_wav_length(server: FakeOpenAI, client: openai.OpenAI) -> None:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * 3)
    server.transcribe_with("Hello there.")
    result = client.audio.transcriptions.create(
        model="whisper-1", file=("a.wav", buffer.getvalue(), "audio/wav"), language="ko", response_format="verbose_json"
    )
    assert (result.text, result.language, result.duration) == ("Hello there.", "korean", 3.0)
    sent = server.last_request.body
    assert sent["model"] == "whisper-1"
    assert sent["file"]["filename"] == "a.wav"
    server.transcribe_with(None)
    plain = client.audio.transcriptions.create(model="whisper-1", file=("a.wav", buffer.getvalue(), "audio/wav"))
    assert plain.text.startswith("I would")


def test_a_transcription_without_a_file_is_a_bad_request(server: FakeOpenAI) -> None:
    request = urllib.request.Request(
        server.url + "/v1/audio/transcriptions",
        data=b'--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--b--\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 400
    assert json.loads(error.value.read())["error"]["param"] == "file"
