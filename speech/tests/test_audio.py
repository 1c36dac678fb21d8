import time

import pytest

from accounts.tests.factories import UserFactory
from accounts.tests.test_apis import assert_error
from config.testing import run_in_threads
from interviews.models import Message
from speech.models import AudioClip
from speech.mp3 import mp3_info
from speech.services import clip_for_text
from speech.tests import fake_engine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def engine(settings):
    settings.SPEECH_ENGINE = "speech.tests.fake_engine"
    fake_engine.reset()
    yield fake_engine
    fake_engine.reset()


def path_of(url: str) -> str:
    return url.split("testserver", 1)[1]


@pytest.fixture
def started(auth_client, bank):
    return auth_client.post("/api/interviews/", {"position": "fe", "topic": "react"}, format="json").json()


def test_every_endpoint_returning_messages_gives_assistant_messages_an_absolute_audio_url(auth_client, started):
    first = started["messages"][0]
    assert first["audio_url"].startswith("http://testserver/api/audio/")
    assert first["audio_url"].endswith(".mp3")
    turn = auth_client.post(
        f"/api/interviews/{started['id']}/answers/", {"content": "Virtual DOM diffing."}, format="json"
    )
    assert turn.json()["reply"]["audio_url"].startswith("http://testserver/api/audio/")
    assert turn.json()["answer"]["audio_url"] is None
    listed = auth_client.get(f"/api/interviews/{started['id']}/messages/").json()["results"]
    assert [m["audio_url"] is None for m in listed] == [False, True, False]
    assert listed[0]["audio_url"] == first["audio_url"]


def test_audio_url_is_https_behind_a_tls_proxy(auth_client, bank, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["interviews.example.com"]
    body = auth_client.post(
        "/api/interviews/",
        {"position": "ai"},
        format="json",
        HTTP_HOST="interviews.example.com",
        HTTP_X_FORWARDED_PROTO="https",
    ).json()
    assert body["messages"][0]["audio_url"].startswith("https://interviews.example.com/api/audio/")


def test_the_url_is_unguessable_from_the_text(started):
    key = started["messages"][0]["audio_url"].rsplit("/", 1)[1].removesuffix(".mp3")
    import hashlib

    text = Message.objects.get(pk=started["messages"][0]["id"]).content
    assert len(key) == 64
    assert key != hashlib.sha256(text.encode()).hexdigest()


def test_first_get_synthesizes_and_serves_a_cacheable_mp3(api_client, started, engine):
    response = api_client.get(path_of(started["messages"][0]["audio_url"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) > 0
    assert "max-age=31536000" in response["Cache-Control"]
    assert response["Accept-Ranges"] == "bytes"
    assert mp3_info(body).frames > 0
    clip = AudioClip.objects.get()
    assert (clip.status, clip.size, clip.engine_used) == ("ready", len(body), "speech.tests.fake_engine")
    assert clip.duration > 0
    assert len(engine.calls) == 1


def test_a_cached_clip_is_not_synthesized_again(api_client, started, engine):
    url = path_of(started["messages"][0]["audio_url"])
    api_client.get(url)
    again = api_client.get(url)
    assert again.status_code == 200
    assert len(engine.calls) == 1
    assert api_client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_identical_text_shares_one_clip(db):
    one = clip_for_text(text="Same words.", language="en")
    two = clip_for_text(text="Same words.", language="en")
    korean = clip_for_text(text="Same words.", language="ko")
    assert one.pk == two.pk != korean.pk


def test_range_requests_return_the_right_bytes(api_client, started):
    url = path_of(started["messages"][0]["audio_url"])
    whole = b"".join(api_client.get(url).streaming_content)
    size = len(whole)
    part = api_client.get(url, HTTP_RANGE="bytes=10-109")
    assert part.status_code == 206
    assert part.content == whole[10:110]
    assert part["Content-Range"] == f"bytes 10-109/{size}"
    assert part["Content-Length"] == "100"
    assert api_client.get(url, HTTP_RANGE="bytes=100-").content == whole[100:]
    assert api_client.get(url, HTTP_RANGE="bytes=-50").content == whole[-50:]
    assert api_client.get(url, HTTP_RANGE=f"bytes=0-{size * 2}").content == whole
    unsatisfiable = api_client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable["Content-Range"] == f"bytes */{size}"
    assert api_client.get(url, HTTP_RANGE="pages=1-2").status_code == 200


def test_engine_failure_is_503_recorded_and_retried_later(api_client, started, engine, settings):
    settings.SPEECH_RETRY_SECONDS = 0
    url = path_of(started["messages"][0]["audio_url"])
    engine.fail = "empty"
    response = api_client.get(url)
    assert_error(response, 503, "speech_unavailable")
    assert response["Retry-After"]
    clip = AudioClip.objects.get()
    assert clip.status == "failed"
    assert clip.error
    assert not clip.file
    engine.fail = None
    assert api_client.get(url).status_code == 200
    assert AudioClip.objects.get().status == "ready"


def test_a_recent_failure_answers_503_without_hammering_the_engine(api_client, started, engine, settings):
    settings.SPEECH_RETRY_SECONDS = 60
    engine.fail = "error"
    url = path_of(started["messages"][0]["audio_url"])
    assert api_client.get(url).status_code == 503
    response = api_client.get(url)
    assert_error(response, 503, "speech_unavailable")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert len(engine.calls) == 1


def test_a_storage_failure_is_a_recorded_503_not_a_500(api_client, started, monkeypatch):
    def full_disk(storage, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.save", full_disk)
    response = api_client.get(path_of(started["messages"][0]["audio_url"]))
    assert_error(response, 503, "speech_unavailable")
    clip = AudioClip.objects.get()
    assert clip.status == "failed"
    assert "No space left" in clip.error


def test_a_speech_failure_never_touches_the_text_reply(auth_client, started, engine):
    engine.fail = "error"
    turn = auth_client.post(f"/api/interviews/{started['id']}/answers/", {"content": "An answer."}, format="json")
    assert turn.status_code == 201
    assert turn.json()["reply"]["content"]


def test_unknown_audio_is_404_in_the_envelope(api_client):
    assert_error(api_client.get("/api/audio/" + "0" * 64 + ".mp3"), 404, "not_found")


def test_audio_errors_are_json_even_when_the_browser_asks_for_audio(api_client):
    response = api_client.get("/api/audio/" + "0" * 64 + ".mp3", HTTP_ACCEPT="audio/mpeg")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_admin_lists_clips_with_a_player(client, started):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    clip = AudioClip.objects.get()
    assert client.get("/admin/speech/audioclip/").status_code == 200
    page = client.get(f"/admin/speech/audioclip/{clip.pk}/change/").content.decode()
    assert f'src="/api/audio/{clip.key}.mp3"' in page
    assert "<audio controls" in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_requests_synthesize_once(client_for, engine):
    from django.test import Client

    engine.delay = 0.5
    clip = clip_for_text(text="Concurrent clip.", language="en")
    statuses: list[int] = []

    def fetch() -> None:
        statuses.append(Client().get(f"/api/audio/{clip.key}.mp3").status_code)

    run_in_threads(fetch, 2)
    assert statuses == [200, 200]
    assert engine.calls == ["Concurrent clip."]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_answer_does_not_wait_for_speech_which_starts_in_the_background(client_for, engine, settings):
    from interviews.bank import question_load_bank

    question_load_bank()
    settings.SPEECH_WORKERS = 2
    engine.delay = 3.0  # a very slow engine
    client = client_for(UserFactory())
    started = time.monotonic()
    body = client.post("/api/interviews/", {"position": "be"}, format="json").json()
    turn = client.post(f"/api/interviews/{body['id']}/answers/", {"content": "Indexes."}, format="json")
    elapsed = time.monotonic() - started
    assert turn.status_code == 201
    assert elapsed < 2.0, "the text reply waited for speech synthesis"
    # Synthesis already started in the background; the browser's request waits for that same run.
    response = client.get(path_of(turn.json()["reply"]["audio_url"]))
    assert response.status_code == 200
    deadline = time.monotonic() + 10
    while len(engine.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(engine.calls) == 2  # the opening question and the reply, each once
    assert AudioClip.objects.filter(status="ready").count() >= 1
