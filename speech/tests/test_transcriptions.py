"""POST /api/transcriptions/ through the API, against the fake OpenAI server's /v1/audio/transcriptions."""

from __future__ import annotations

import io
import wave

import pytest

from speech.transcription import AUDIO_MAX_BYTES

pytestmark = pytest.mark.django_db

URL = "/api/transcriptions/"


def wav_bytes(seconds: float = 1.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(b"\0\0" * int(16_000 * seconds))
    return buffer.getvalue()


def recording(data: bytes, name: str = "answer.webm"):
    file = io.BytesIO(data)
    file.name = name
    return file


@pytest.fixture
def stt(settings):
    """The product's speech to text pointed at the fake OpenAI server."""
    from devtools.fakeopenai import FakeOpenAI

    with FakeOpenAI() as server:
        settings.STT_MODEL = "whisper-1"
        settings.STT_BASE_URL = server.base_url
        settings.STT_API_KEY = "test-key"
        settings.STT_TIMEOUT = 1.0
        server.hang_seconds = 5
        yield server


def test_it_transcribes_a_recording_with_its_language_and_length(auth_client, stt):
    stt.transcribe_with("I would shard the table by customer.")
    response = auth_client.post(URL, {"file": recording(wav_bytes(1.5), "a.wav"), "language": "en"}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json() == {"text": "I would shard the table by customer.", "language": "en", "seconds": 1.5}
    sent = stt.requests_for("/v1/audio/transcriptions")[-1]
    assert sent.body["model"] == "whisper-1"
    assert sent.body["language"] == "en"
    assert sent.headers["authorization"] == "Bearer test-key"
    # The type is decided by content and named for the engine, whatever the client called the file.
    assert sent.body["file"]["filename"] == "answer.wav"
    assert sent.body["file"]["content_type"] == "audio/wav"


def test_browser_recordings_in_webm_and_ogg_are_accepted(auth_client, stt):
    for head, extension in ((b"\x1a\x45\xdf\xa3", "webm"), (b"OggS", "ogg"), (b"\0\0\0\x1cftypM4A ", "m4a")):
        response = auth_client.post(URL, {"file": recording(head + bytes(4000))}, format="multipart")
        assert response.status_code == 200, response.json()
        assert stt.last_request.body["file"]["filename"] == f"answer.{extension}"


def test_without_a_language_the_engines_detection_is_reported(auth_client, stt):
    response = auth_client.post(URL, {"file": recording(wav_bytes())}, format="multipart")
    assert response.json()["language"] == "en"  # the fake reports "english", as Whisper does
    assert "language" not in stt.last_request.body


def test_it_is_503_stt_unavailable_when_no_engine_is_configured(auth_client, settings):
    settings.STT_MODEL = ""
    response = auth_client.post(URL, {"file": recording(wav_bytes())}, format="multipart")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "stt_unavailable"


def test_it_needs_a_logged_in_user(api_client, stt):
    response = api_client.post(URL, {"file": recording(wav_bytes())}, format="multipart")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not stt.requests_for("/v1/audio/transcriptions")


def test_no_file_is_a_validation_error(auth_client, stt):
    response = auth_client.post(URL, {"language": "en"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["file"]
    assert response.json()["error"]["code"] == "validation_error"
    assert not stt.requests_for("/v1/audio/transcriptions")


def test_an_empty_file_is_a_validation_error(auth_client, stt):
    response = auth_client.post(URL, {"file": recording(b"")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_a_file_that_is_not_audio_is_415_whatever_its_name(auth_client, stt):
    response = auth_client.post(
        URL, {"file": recording(b"%PDF-1.7 not audio at all", "answer.webm")}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not stt.requests_for("/v1/audio/transcriptions")


def test_a_bad_language_code_is_a_validation_error(auth_client, stt):
    response = auth_client.post(URL, {"file": recording(wav_bytes()), "language": "english"}, format="multipart")
    assert response.status_code == 400
    assert "language" in response.json()["error"]["details"]


def test_a_recording_over_25_mb_is_413_and_never_reaches_the_engine(auth_client, stt):
    big = wav_bytes(0.1) + bytes(AUDIO_MAX_BYTES)
    response = auth_client.post(URL, {"file": recording(big)}, format="multipart")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"]["limit"] == AUDIO_MAX_BYTES
    assert not stt.requests_for("/v1/audio/transcriptions")


@pytest.mark.parametrize(("kind", "status", "code"), [("503", 503, "stt_failed"), ("timeout", 504, "stt_timeout")])
def test_an_engine_failure_is_a_retryable_error(auth_client, stt, kind, status, code):
    stt.fail_next(kind)
    response = auth_client.post(URL, {"file": recording(wav_bytes())}, format="multipart")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["details"]["retryable"] is True
    # ...and the same recording goes through once the engine is back.
    again = auth_client.post(URL, {"file": recording(wav_bytes())}, format="multipart")
    assert again.status_code == 200


def test_transcriptions_are_throttled_per_user_and_cost_no_quota(
    auth_client, user, other_user, client_for, stt, monkeypatch, used_today
):
    from speech.apis import TranscriptionThrottle

    monkeypatch.setattr(TranscriptionThrottle, "rate", "2/min", raising=False)
    statuses = [
        auth_client.post(URL, {"file": recording(wav_bytes())}, format="multipart").status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    other = client_for(other_user).post(URL, {"file": recording(wav_bytes())}, format="multipart")
    assert other.status_code == 200  # someone else's budget is their own
    assert used_today(user) == 0


def test_the_default_rate_is_a_settings_tunable(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["transcription"] == "60/hour"
