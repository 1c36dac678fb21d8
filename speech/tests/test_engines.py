import base64
import json

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured

from speech.engines import engine_module, join_mp3, preferred_engine_available, split_text, synthesize_mp3
from speech.engines.base import SpeechEngineError
from speech.engines.espeak import synthesize as espeak_synthesize
from speech.engines.openai import openai_client, openai_speech_config
from speech.mp3 import mp3_info
from speech.tests.fake_engine import silent_mp3

GTTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Hello, this is a test of the offline voice."), ("ko", "안녕하세요. 오늘 면접을 시작하겠습니다.")],
)
def test_espeak_produces_a_playable_mp3(language, text):
    data = espeak_synthesize(text, language=language)
    info = mp3_info(data)
    assert data[:2] == b"\xff\xf3" or data[:3] == b"ID3"  # an MPEG-2 Layer III frame sync (22.05 kHz)
    assert info.sample_rate == 22050
    assert info.frames > 20
    assert 1.0 < info.duration < 8.0


def test_espeak_refuses_empty_text_and_unknown_languages():
    with pytest.raises(SpeechEngineError):
        espeak_synthesize("   ", language="en")
    with pytest.raises(SpeechEngineError):
        espeak_synthesize("Bonjour", language="fr")


def test_mp3_info_rejects_what_is_not_an_mp3():
    with pytest.raises(ValueError, match="not an MP3"):
        mp3_info(b"")
    with pytest.raises(ValueError, match="not an MP3"):
        mp3_info(b"<html>error page</html>" * 50)


def gtts_body(audio: bytes) -> str:
    encoded = base64.b64encode(audio).decode()
    payload = [["wrb.fr", "jQ1olc", json.dumps([encoded]), None, None, None, "generic"]]
    return ")]}'\n\n" + json.dumps(payload, separators=(",", ":"))  # Google's compact batchexecute framing


@responses.activate
def test_gtts_returns_the_audio_google_sends(settings):
    settings.SPEECH_ENGINE = "gtts"
    audio = silent_mp3(0.5)
    responses.post(GTTS_URL, body=gtts_body(audio))
    result = synthesize_mp3(text="Hello there.", language="en")
    assert result.engine == "gtts"
    assert result.data == audio
    assert "Hello" in responses.calls[0].request.body


@responses.activate
def test_gtts_http_error_is_a_retryable_engine_error():
    responses.post(GTTS_URL, status=500)
    with pytest.raises(SpeechEngineError) as info:
        engine_module("gtts").synthesize("Hello.", language="en")
    assert info.value.retryable


@responses.activate
def test_gtts_empty_audio_is_a_failure():
    responses.post(GTTS_URL, body=")]}'\n\n[]")
    with pytest.raises(SpeechEngineError, match="no audio"):
        engine_module("gtts").synthesize("Hello.", language="en")


@responses.activate
def test_gtts_timeout_falls_back_to_espeak_and_opens_the_breaker(settings):
    settings.SPEECH_ENGINE = "auto"
    settings.SPEECH_GTTS_TIMEOUT = 0.5
    responses.post(GTTS_URL, body=requests.exceptions.ConnectTimeout("timed out"))
    first = synthesize_mp3(text="First clip.", language="en")
    second = synthesize_mp3(text="Second clip.", language="ko")
    assert (first.engine, second.engine) == ("espeak", "espeak")
    assert mp3_info(first.data).duration > 0.3
    assert len(responses.calls) == 1  # the breaker kept the second clip away from gTTS


@responses.activate
def test_auto_uses_gtts_while_it_works(settings):
    settings.SPEECH_ENGINE = "auto"
    responses.post(GTTS_URL, body=gtts_body(silent_mp3(0.3)))
    assert synthesize_mp3(text="Hi.", language="en").engine == "gtts"


def test_openai_engine_speaks_through_the_fake_server(fake_llm, settings):
    settings.SPEECH_ENGINE = "openai"
    settings.SPEECH_OPENAI_VOICE = "nova"
    long_text = "This sentence is part of a long reply. " * 150  # ~5,800 characters: two requests
    result = synthesize_mp3(text=long_text, language="en")
    sent = fake_llm.requests_for("/v1/audio/speech")
    assert len(sent) == 2
    assert all(len(r.body["input"]) <= 4000 for r in sent)
    assert sent[0].body["voice"] == "nova"
    assert sent[0].body["input"].endswith("long reply.")  # split at a sentence boundary
    assert mp3_info(result.data).frames > 0


def test_openai_engine_failure_is_an_engine_error(fake_llm, settings):
    settings.SPEECH_ENGINE = "openai"
    fake_llm.fail_next("503")
    with pytest.raises(SpeechEngineError) as info:
        synthesize_mp3(text="Hello.", language="en")
    assert info.value.retryable


@pytest.mark.parametrize("failure", ["429", "500", "timeout", "drop"])
def test_openai_engine_failures_that_may_pass_later_are_retryable(fake_llm, settings, failure):
    settings.SPEECH_ENGINE = "openai"
    fake_llm.fail_next(failure)
    with pytest.raises(SpeechEngineError, match=r"^openai: ") as info:
        synthesize_mp3(text="Hello.", language="en")
    assert info.value.retryable


def test_openai_engine_refusal_is_not_retryable(fake_llm, settings):
    settings.SPEECH_ENGINE = "openai"
    settings.OPENAI_BASE_URL = f"{fake_llm.base_url}/nowhere"  # the server answers 404
    with pytest.raises(SpeechEngineError, match="HTTP 404") as info:
        synthesize_mp3(text="Hello.", language="en")
    assert not info.value.retryable


def test_openai_engine_needs_an_api_key(settings):
    settings.SPEECH_ENGINE = "openai"
    settings.OPENAI_API_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="OPENAI_API_KEY"):
        synthesize_mp3(text="Hello.", language="en")


def test_openai_engine_keeps_one_client_per_configuration(settings):
    settings.OPENAI_API_KEY = "test-key"
    first = openai_client(openai_speech_config())
    assert openai_client(openai_speech_config()) is first
    settings.OPENAI_TIMEOUT = 3.5
    fresh = openai_client(openai_speech_config())
    assert fresh is not first
    assert fresh.timeout == 3.5


@pytest.mark.parametrize("name", ["speech.engines.espeak", "speech.tests.fake_engine", "polly", ""])
def test_speech_engine_is_a_name_from_the_closed_registry(settings, name):
    settings.SPEECH_ENGINE = name
    with pytest.raises(ImproperlyConfigured, match="auto, gtts, openai, espeak") as info:
        synthesize_mp3(text="Hello.", language="en")
    assert repr(name) in str(info.value)


def test_the_fake_speech_fixture_registers_the_fake_engine_for_one_test(fake_speech):
    result = synthesize_mp3(text="Hi.", language="en")
    assert (result.engine, fake_speech.calls) == ("fake", ["Hi."])


def test_split_text_packs_sentences_under_the_limit():
    text = "One two three. Four five six! Seven eight nine? " + "x" * 25
    chunks = split_text(text, 20)
    assert chunks[:3] == ["One two three.", "Four five six!", "Seven eight nine?"]
    assert all(len(c) <= 20 for c in chunks)
    assert split_text("short", None) == ["short"]


def test_join_mp3_drops_later_id3_tags_and_refuses_empty_parts():
    frame = silent_mp3(0.1)
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x05hello" + frame
    assert join_mp3([frame, tagged]) == frame + frame
    stacked = b"ID3\x04\x00\x00\x00\x00\x00\x01a" + tagged  # some taggers write two tags
    assert join_mp3([tagged, stacked]) == tagged + frame
    assert mp3_info(stacked).frames == mp3_info(frame).frames  # the one skipper serves both
    with pytest.raises(SpeechEngineError):
        join_mp3([frame, b""])


def test_an_unregistered_speech_engine_fails_the_startup_checks(settings):
    from django.core.checks import run_checks

    settings.SPEECH_ENGINE = "myproject.engines.custom"
    errors = [e for e in run_checks() if e.id == "speech.E001"]
    assert len(errors) == 1
    assert "auto, gtts, openai, espeak" in errors[0].msg
    settings.SPEECH_ENGINE = "espeak"
    assert not [e for e in run_checks() if e.id == "speech.E001"]


@responses.activate
def test_auto_reports_espeak_as_a_fallback_with_its_voice_when_gtts_is_unreachable(settings):
    settings.SPEECH_ENGINE = "auto"
    responses.post(GTTS_URL, body=requests.exceptions.ConnectionError("no route to host"))
    failed_over = synthesize_mp3(text="First clip.", language="ko")
    skipped = synthesize_mp3(text="Second clip.", language="en")  # the breaker is open: gTTS not tried
    assert (failed_over.engine, failed_over.voice, failed_over.is_fallback) == ("espeak", "espeak-ng:ko", True)
    assert (skipped.engine, skipped.voice, skipped.is_fallback) == ("espeak", "espeak-ng:en-us", True)
    assert not preferred_engine_available()


@responses.activate
def test_auto_reports_gtts_and_its_voice_as_no_fallback(settings):
    settings.SPEECH_ENGINE = "auto"
    settings.SPEECH_GTTS_TLD = "co.kr"
    responses.post(
        "https://translate.google.co.kr/_/TranslateWebserverUi/data/batchexecute", body=gtts_body(silent_mp3())
    )
    result = synthesize_mp3(text="Hi.", language="ko")
    assert (result.engine, result.voice, result.is_fallback) == ("gtts", "gtts:co.kr/ko", False)
    assert preferred_engine_available()


@pytest.mark.parametrize(("engine", "voice"), [("espeak", "espeak-ng:en-us"), ("fake", "fake")])
def test_a_directly_configured_engine_is_never_a_fallback(settings, fake_speech, engine, voice):
    settings.SPEECH_ENGINE = engine
    result = synthesize_mp3(text="Hello.", language="en")
    assert (result.engine, result.voice, result.is_fallback) == (engine, voice, False)
    assert preferred_engine_available()


def test_openai_engine_reports_its_model_and_voice(fake_llm, settings):
    settings.SPEECH_ENGINE = "openai"
    settings.SPEECH_OPENAI_MODEL, settings.SPEECH_OPENAI_VOICE = "tts-1-hd", "nova"
    result = synthesize_mp3(text="Hello.", language="en")
    assert (result.engine, result.voice, result.is_fallback) == ("openai", "tts-1-hd/nova", False)


@responses.activate
def test_without_fallback_auto_raises_instead_of_using_espeak(settings):
    settings.SPEECH_ENGINE = "auto"
    responses.post(GTTS_URL, status=503)
    with pytest.raises(SpeechEngineError, match="gTTS"):
        synthesize_mp3(text="Hello.", language="en", allow_fallback=False)
    assert not preferred_engine_available()  # the failure opened the breaker
    with pytest.raises(SpeechEngineError, match="circuit breaker"):
        synthesize_mp3(text="Hello.", language="en", allow_fallback=False)
    assert len(responses.calls) == 1  # the open breaker kept the second attempt away from gTTS


@responses.activate
def test_a_text_gtts_refuses_is_spoken_by_espeak_as_final_audio_and_the_breaker_stays_closed(settings):
    settings.SPEECH_ENGINE = "auto"
    result = synthesize_mp3(text="...", language="en")  # gTTS finds nothing to say in it, before any request
    assert (result.engine, result.is_fallback) == ("espeak", False)
    assert mp3_info(result.data).frames > 0
    assert preferred_engine_available()
    assert len(responses.calls) == 0
