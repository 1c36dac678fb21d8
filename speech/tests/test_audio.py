import hashlib

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from config.testing import assert_error, run_in_threads
from speech.models import AudioClip
from speech.mp3 import mp3_info
from speech.services import clip_for_text

pytestmark = pytest.mark.django_db

TEXT = "Tell me how React decides what to re-render."


@pytest.fixture(autouse=True)
def engine(fake_speech):
    return fake_speech


@pytest.fixture
def key(db) -> str:
    return clip_for_text(text=TEXT, language="en")


@pytest.fixture
def url(key) -> str:
    return f"/api/audio/{key}.mp3"


def test_the_url_is_unguessable_from_the_text(key):
    assert len(key) == 64
    assert key != hashlib.sha256(TEXT.encode()).hexdigest()


def test_first_get_synthesizes_and_serves_a_cacheable_mp3(api_client, url, engine):
    response = api_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) > 0
    assert "max-age=31536000" in response["Cache-Control"]
    assert response["Accept-Ranges"] == "bytes"
    assert mp3_info(body).frames > 0
    clip = AudioClip.objects.get()
    assert (clip.status, clip.size, clip.engine_used) == ("ready", len(body), "fake")
    assert clip.duration > 0
    assert len(engine.calls) == 1


def test_a_cached_clip_is_not_synthesized_again(api_client, url, engine):
    api_client.get(url)
    again = api_client.get(url)
    assert again.status_code == 200
    assert len(engine.calls) == 1
    assert api_client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_identical_text_shares_one_clip(db):
    one = clip_for_text(text="Same words.", language="en")
    two = clip_for_text(text="Same words.", language="en")
    korean = clip_for_text(text="Same words.", language="ko")
    assert one == two != korean
    assert AudioClip.objects.count() == 2


def test_range_requests_return_the_right_bytes(api_client, url):
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


def test_range_positions_with_thousands_of_digits_are_read_as_huge_not_a_500(api_client, url):
    whole = b"".join(api_client.get(url).streaming_content)
    huge = "9" * 5000  # int() refuses more than 4300 digits
    to_the_end = api_client.get(url, HTTP_RANGE=f"bytes=0-{huge}")
    assert (to_the_end.status_code, to_the_end.content) == (206, whole)
    suffix = api_client.get(url, HTTP_RANGE=f"bytes=-{huge}")
    assert (suffix.status_code, suffix.content) == (206, whole)
    assert api_client.get(url, HTTP_RANGE=f"bytes={huge}-").status_code == 416
    assert api_client.get(url, HTTP_RANGE=f"bytes={'0' * 5000}7-{'0' * 5000}9").content == whole[7:10]
    assert api_client.get(url, HTTP_RANGE=f"bytes=0-{huge}\n").status_code == 206


@pytest.mark.parametrize(
    "path",
    [
        "ab%00cd",  # a NUL, which PostgreSQL refuses in a query
        "%00" * 32,
        "A" * 64,  # keys are lower-case hex
        "g" * 64,
        "0" * 63,
        "0" * 65,
        "%C3%A9" * 64,
        "0" * 10_000,
    ],
)
def test_a_malformed_audio_key_is_404_in_the_envelope(api_client, path, engine):
    assert_error(api_client.get(f"/api/audio/{path}.mp3"), 404, "not_found")
    assert engine.calls == []


def test_engine_failure_is_503_recorded_and_retried_later(api_client, url, engine, settings):
    settings.SPEECH_RETRY_SECONDS = 0
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


def test_a_recent_failure_answers_503_without_hammering_the_engine(api_client, url, engine, settings):
    settings.SPEECH_RETRY_SECONDS = 60
    engine.fail = "error"
    assert api_client.get(url).status_code == 503
    response = api_client.get(url)
    assert_error(response, 503, "speech_unavailable")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert len(engine.calls) == 1


def test_a_storage_failure_is_a_recorded_503_not_a_500(api_client, url, monkeypatch):
    def full_disk(storage, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.save", full_disk)
    response = api_client.get(url)
    assert_error(response, 503, "speech_unavailable")
    clip = AudioClip.objects.get()
    assert clip.status == "failed"
    assert "No space left" in clip.error


def test_unknown_audio_is_404_in_the_envelope(api_client):
    assert_error(api_client.get("/api/audio/" + "0" * 64 + ".mp3"), 404, "not_found")


def test_audio_errors_are_json_even_when_the_browser_asks_for_audio(api_client):
    response = api_client.get("/api/audio/" + "0" * 64 + ".mp3", HTTP_ACCEPT="audio/mpeg")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_admin_lists_clips_with_a_player(client, key):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    clip = AudioClip.objects.get()
    assert client.get("/admin/speech/audioclip/").status_code == 200
    page = client.get(f"/admin/speech/audioclip/{clip.pk}/change/").content.decode()
    assert f'src="/api/audio/{clip.key}.mp3"' in page
    assert "<audio controls" in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_requests_synthesize_once(engine):
    engine.delay = 0.5
    key = clip_for_text(text="Concurrent clip.", language="en")
    statuses: list[int] = []

    def fetch() -> None:
        statuses.append(Client().get(f"/api/audio/{key}.mp3").status_code)

    run_in_threads(fetch, 2)
    assert statuses == [200, 200]
    assert engine.calls == ["Concurrent clip."]
