import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
import requests
import responses
import time_machine
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.errors import NotFoundError
from config.testing import assert_error
from speech.engines import clip_key, preferred_engine_available
from speech.models import AudioClip
from speech.selectors import clip_url
from speech.services import (
    clip_ensure_ready,
    clip_for_text,
    clip_release,
    clip_schedule,
    clip_upgrade,
    synthesis_pool,
)
from speech.tests.fake_engine import silent_mp3
from speech.tests.test_engines import GTTS_URL, gtts_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("engine", "voice"),
    [("openai", "tts-1-hd/nova"), ("gtts", "gtts:co.kr"), ("auto", "gtts:co.kr"), ("espeak", "espeak")],
)
def test_a_new_clip_records_the_engine_and_the_voice_of_its_key(settings, engine, voice):
    settings.SPEECH_ENGINE = engine
    settings.SPEECH_OPENAI_MODEL, settings.SPEECH_OPENAI_VOICE = "tts-1-hd", "nova"
    settings.SPEECH_GTTS_TLD = "co.kr"
    key = clip_for_text(text="Why did you pick PostgreSQL?", language="en")
    clip = AudioClip.objects.get()
    assert (clip.key, clip.engine, clip.voice, clip.status) == (key, engine, voice, "pending")
    assert key == clip_key(text="Why did you pick PostgreSQL?", language="en", voice=voice)


def test_another_voice_is_another_clip(settings):
    settings.SPEECH_ENGINE = "openai"
    alloy = clip_for_text(text="Hello.", language="en")
    settings.SPEECH_OPENAI_VOICE = "nova"
    nova = clip_for_text(text="Hello.", language="en")
    assert alloy != nova
    assert sorted(AudioClip.objects.values_list("voice", flat=True)) == ["tts-1/alloy", "tts-1/nova"]


def test_clip_for_text_is_one_insert_and_no_read_even_when_the_clip_exists():
    clip_for_text(text="Hello.", language="en")
    with CaptureQueriesContext(connection) as queries:
        clip_for_text(text="Hello.", language="en")
    assert [q["sql"].split()[0].upper() for q in queries.captured_queries] == ["INSERT"]
    assert AudioClip.objects.count() == 1


# --- The engine and voice really used; a fallback clip is honest about it and heals -------------------

GTTS_AUDIO = silent_mp3(1.0)


class FakeGtts:
    """gTTS's HTTP endpoint, faked with `responses` (as in test_engines.py): up or down."""

    def __init__(self, mock: responses.RequestsMock, clock: time_machine.Traveller) -> None:
        self.mock = mock
        self.clock = clock  # gTTS's breaker runs on the cache's clock
        self.down()

    def down(self) -> None:
        self.mock.upsert(responses.POST, GTTS_URL, body=requests.exceptions.ConnectionError("no route to host"))

    def up(self, audio: bytes = GTTS_AUDIO) -> None:
        self.mock.upsert(responses.POST, GTTS_URL, body=gtts_body(audio))

    def during_call(self, action: Callable[[], None], audio: bytes = GTTS_AUDIO) -> None:
        """Up, running `action` while gTTS is answering (the middle of a synthesis)."""

        def answer(request):
            action()
            return 200, {}, gtts_body(audio)

        self.mock.remove(responses.POST, GTTS_URL)
        self.mock.add_callback(responses.POST, GTTS_URL, callback=answer)

    @property
    def calls(self) -> int:
        return len(self.mock.calls)


@pytest.fixture
def gtts(settings):
    """The `auto` engine with gTTS unreachable at first (so espeak is its fallback), on a clock that
    breaker_expires() moves on."""
    settings.SPEECH_ENGINE = "auto"
    synthesis_pool.shutdown(wait=True)
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
        time_machine.travel(time.time(), tick=True) as clock,
    ):
        yield FakeGtts(mock, clock)
        synthesis_pool.shutdown(wait=True)


def breaker_expires(settings, gtts: FakeGtts) -> None:
    gtts.clock.shift(settings.SPEECH_BREAKER_SECONDS + 1)
    assert preferred_engine_available()


def audio_url(text: str = "Tell me about covering indexes.") -> str:
    return clip_url(key=clip_for_text(text=text, language="en"), request=None)


def stored_files(settings) -> list[Path]:
    return sorted(p for p in (Path(settings.MEDIA_ROOT) / "audio").rglob("*") if p.is_file())


def test_a_clip_records_the_engine_and_voice_that_made_it_and_whether_that_was_a_fallback(api_client, gtts, settings):
    assert api_client.get(audio_url("Made while Google is unreachable.")).status_code == 200
    fallback = AudioClip.objects.get()
    assert (fallback.engine, fallback.engine_used, fallback.voice_used) == ("auto", "espeak", "espeak-ng:en-us")
    assert fallback.is_fallback
    breaker_expires(settings, gtts)
    gtts.up()
    assert api_client.get(audio_url("Made by Google.")).status_code == 200
    preferred = AudioClip.objects.get(text="Made by Google.")
    assert (preferred.engine_used, preferred.voice_used, preferred.is_fallback) == ("gtts", "gtts:com/en", False)


def test_a_directly_configured_engine_makes_no_fallback_clip(api_client, settings):
    settings.SPEECH_ENGINE = "espeak"
    assert api_client.get(audio_url()).status_code == 200
    clip = AudioClip.objects.get()
    assert (clip.engine_used, clip.voice_used, clip.is_fallback) == ("espeak", "espeak-ng:en-us", False)


def test_a_fallback_clip_is_not_cached_by_browsers_as_final(api_client, gtts, settings):
    url = audio_url()
    response = api_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"  # revalidated on every play
    assert "immutable" not in response["Cache-Control"]
    revalidated = api_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert revalidated.status_code == 304
    assert revalidated["Cache-Control"] == "public, no-cache"
    breaker_expires(settings, gtts)
    gtts.up()
    final = api_client.get(audio_url("Said by the preferred engine."))
    assert final["Cache-Control"] == "public, max-age=31536000, immutable"


def test_fetching_a_fallback_clip_queues_its_upgrade_once_the_breaker_has_closed(
    api_client, gtts, settings, monkeypatch
):
    queued: list[str] = []
    monkeypatch.setattr(synthesis_pool, "submit", lambda key: queued.append(key) or True)
    url = audio_url()
    etag = api_client.get(url)["ETag"]
    key = AudioClip.objects.get().key
    assert queued == []  # gTTS has just failed: the breaker is open, nothing to try yet
    breaker_expires(settings, gtts)
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api_client.get(url).status_code == 200
    assert queued == [key, key]  # each play asks (the upgrade itself runs once, under a lease)
    assert api_client.get(audio_url("Another, by gTTS now.")).status_code == 200
    assert queued == [key, key]  # a clip that is no fallback is never queued


def test_a_fallback_clip_is_replaced_by_the_preferred_engine_behind_the_same_url(
    api_client, gtts, settings, django_capture_on_commit_callbacks
):
    url = audio_url()
    first = api_client.get(url)
    fallback_audio, fallback_etag = b"".join(first.streaming_content), first["ETag"]
    key = AudioClip.objects.get().key
    breaker_expires(settings, gtts)
    gtts.up()
    with django_capture_on_commit_callbacks(execute=True):
        assert clip_upgrade(key=key)
    clip = AudioClip.objects.get()
    assert (clip.key, clip.status, clip.engine_used, clip.voice_used, clip.is_fallback) == (
        key, "ready", "gtts", "gtts:com/en", False
    )  # fmt: skip
    assert (clip.size, clip.lease_until) == (len(GTTS_AUDIO), None)
    again = api_client.get(url, HTTP_IF_NONE_MATCH=fallback_etag)
    assert again.status_code == 200  # the old ETag no longer names these bytes
    assert b"".join(again.streaming_content) == GTTS_AUDIO != fallback_audio
    assert again["ETag"] != fallback_etag
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"
    assert api_client.get(url, HTTP_RANGE="bytes=0-99").content == GTTS_AUDIO[:100]
    assert stored_files(settings) == [Path(settings.MEDIA_ROOT) / clip.file.name]  # the fallback file is gone
    assert not clip_upgrade(key=key)  # nothing left to upgrade
    assert gtts.calls == 2  # the first failure, the upgrade


def test_until_the_swap_the_clip_serves_its_whole_fallback_audio(api_client, gtts, settings):
    url = audio_url()
    fallback_audio = b"".join(api_client.get(url).streaming_content)
    breaker_expires(settings, gtts)
    served_meanwhile: list[bytes] = []
    gtts.during_call(lambda: served_meanwhile.append(b"".join(api_client.get(url).streaming_content)))
    assert clip_upgrade(key=AudioClip.objects.get().key)
    assert served_meanwhile == [fallback_audio]
    assert b"".join(api_client.get(url).streaming_content) == GTTS_AUDIO


def test_an_upgrade_that_fails_keeps_the_fallback_audio_and_waits_for_the_breaker(api_client, gtts, settings):
    url = audio_url()
    first = api_client.get(url)
    fallback_audio = b"".join(first.streaming_content)
    key = AudioClip.objects.get().key
    breaker_expires(settings, gtts)
    assert not clip_upgrade(key=key)  # gTTS is still down
    assert not preferred_engine_available()
    assert not clip_upgrade(key=key)  # the breaker is open again: gTTS is not even tried
    assert gtts.calls == 2
    clip = AudioClip.objects.get()
    assert (clip.status, clip.engine_used, clip.is_fallback, clip.lease_until) == ("ready", "espeak", True, None)
    again = api_client.get(url)
    assert (b"".join(again.streaming_content), again["ETag"]) == (fallback_audio, first["ETag"])
    assert len(stored_files(settings)) == 1


def test_a_fallback_clip_whose_text_gtts_refuses_is_settled_not_retried_on_every_play(api_client, gtts, settings):
    api_client.get(audio_url("Google is down."))  # opens the breaker
    url = audio_url("...")  # spoken by espeak while gTTS is skipped
    assert api_client.get(url)["Cache-Control"] == "public, no-cache"
    refused = AudioClip.objects.get(text="...")
    assert refused.is_fallback
    breaker_expires(settings, gtts)
    gtts.up()
    assert not clip_upgrade(key=refused.key)  # gTTS refuses the text itself
    refused.refresh_from_db()
    assert (refused.status, refused.engine_used, refused.is_fallback) == ("ready", "espeak", False)
    assert "No text" in refused.error
    assert preferred_engine_available()  # one text's refusal does not keep gTTS from the others
    assert api_client.get(url)["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_play_that_races_the_swap_gets_the_new_audio(api_client, gtts, settings, monkeypatch):
    url = audio_url()
    api_client.get(url)
    clip = AudioClip.objects.get()
    breaker_expires(settings, gtts)
    gtts.up()
    open_file = FileSystemStorage.open

    def upgraded_just_before_the_open(storage, name, mode="rb"):
        if name == clip.file.name:  # the row was read with the old file; the upgrade lands now
            assert clip_upgrade(key=clip.key)
            storage.delete(name)
        return open_file(storage, name, mode)

    monkeypatch.setattr(FileSystemStorage, "open", upgraded_just_before_the_open)
    response = api_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == GTTS_AUDIO


def test_an_upgrade_whose_file_cannot_be_stored_keeps_the_fallback_audio(api_client, gtts, settings, monkeypatch):
    url = audio_url()
    fallback_audio = b"".join(api_client.get(url).streaming_content)
    breaker_expires(settings, gtts)
    gtts.up()

    def full_disk(storage, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.save", full_disk)
    assert not clip_upgrade(key=AudioClip.objects.get().key)
    monkeypatch.undo()
    clip = AudioClip.objects.get()
    assert (clip.status, clip.is_fallback, clip.lease_until) == ("ready", True, None)
    assert b"".join(api_client.get(url).streaming_content) == fallback_audio


def test_a_second_upgrader_leaves_the_clip_to_the_first(api_client, gtts, settings):
    api_client.get(audio_url())
    key = AudioClip.objects.get().key
    breaker_expires(settings, gtts)
    nested: list[bool] = []
    gtts.during_call(lambda: nested.append(clip_upgrade(key=key)))
    assert clip_upgrade(key=key)
    assert nested == [False]
    assert gtts.calls == 2  # the first failure, one upgrade


@pytest.mark.django_db(transaction=True)
def test_the_background_pool_upgrades_a_fallback_clip_that_is_played(gtts, settings):
    settings.SPEECH_WORKERS = 1
    client = Client()
    url = audio_url()
    assert client.get(url)["Cache-Control"] == "public, no-cache"
    breaker_expires(settings, gtts)
    gtts.up()
    client.get(url)  # still the fallback audio; the upgrade is queued
    synthesis_pool.shutdown(wait=True)
    clip = AudioClip.objects.get()
    assert (clip.engine_used, clip.is_fallback) == ("gtts", False)
    response = client.get(url)
    assert b"".join(response.streaming_content) == GTTS_AUDIO
    assert len(stored_files(settings)) == 1


def test_the_upgrade_command_replaces_every_fallback_clip(gtts, settings):
    for text in ("One.", "Two.", "Three."):
        clip_ensure_ready(clip=AudioClip.objects.get(key=clip_for_text(text=text, language="en")), wait_seconds=0)
    assert AudioClip.objects.filter(is_fallback=True).count() == 3
    breaker_expires(settings, gtts)
    gtts.up()
    out = StringIO()
    call_command("upgrade_fallback_clips", "--limit", "2", stdout=out)
    assert out.getvalue().strip() == "Upgraded 2 fallback clip(s); 1 left."
    assert sorted(AudioClip.objects.filter(is_fallback=True).values_list("text", flat=True)) == ["Three."]
    call_command("upgrade_fallback_clips", stdout=out)
    assert not AudioClip.objects.filter(is_fallback=True).exists()


def test_the_upgrade_command_stops_at_the_first_failure(gtts, settings):
    for text in ("One.", "Two."):
        clip_ensure_ready(clip=AudioClip.objects.get(key=clip_for_text(text=text, language="en")), wait_seconds=0)
    breaker_expires(settings, gtts)
    out, err = StringIO(), StringIO()
    call_command("upgrade_fallback_clips", stdout=out, stderr=err)
    assert out.getvalue().strip() == "Upgraded 0 fallback clip(s); 2 left."
    assert "unreachable" in err.getvalue()
    assert gtts.calls == 2  # the fallback of "One." (the breaker then kept "Two." away), one upgrade attempt


# --- Releasing clips nobody uses any more ------------------------------------------------------------


@pytest.fixture
def two_ready_clips(fake_speech) -> tuple[AudioClip, AudioClip]:
    clips = [
        clip_ensure_ready(clip=AudioClip.objects.get(key=clip_for_text(text=text, language="en")), wait_seconds=0)
        for text in ("Released text.", "Text still in use.")
    ]
    return clips[0], clips[1]


def test_release_deletes_the_unused_clips_with_their_files_once_committed(
    api_client, two_ready_clips, settings, django_capture_on_commit_callbacks
):
    released, used = two_ready_clips
    used_audio = b"".join(api_client.get(clip_url(key=used.key, request=None)).streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        count = clip_release(
            keys=[released.key, used.key, "0" * 64], in_use=AudioClip.objects.filter(pk=used.pk).values("key")
        )
        assert (Path(settings.MEDIA_ROOT) / released.file.name).exists()  # not before the commit
    assert count == 1
    assert list(AudioClip.objects.values_list("text", flat=True)) == ["Text still in use."]
    assert not (Path(settings.MEDIA_ROOT) / released.file.name).exists()
    assert_error(api_client.get(clip_url(key=released.key, request=None)), 404, "not_found")
    assert b"".join(api_client.get(clip_url(key=used.key, request=None)).streaming_content) == used_audio


def test_release_of_no_keys_touches_nothing(two_ready_clips):
    with CaptureQueriesContext(connection) as queries:
        assert clip_release(keys=[]) == 0
    assert queries.captured_queries == []
    assert AudioClip.objects.count() == 2


def test_a_released_clip_is_made_again_if_its_text_is_used_again(api_client, two_ready_clips):
    released, _ = two_ready_clips
    clip_release(keys=[released.key])
    assert clip_for_text(text="Released text.", language="en") == released.key
    assert AudioClip.objects.get(key=released.key).status == "pending"
    assert api_client.get(clip_url(key=released.key, request=None)).status_code == 200


def test_a_synthesis_in_flight_for_a_released_clip_does_not_bring_it_back(
    fake_speech, monkeypatch, settings, django_capture_on_commit_callbacks
):
    key = clip_for_text(text="Deleted while being spoken.", language="en")
    speak = fake_speech.synthesize

    def released_meanwhile(text: str, *, language: str) -> bytes:
        clip_release(keys=[key])
        return speak(text, language=language)

    monkeypatch.setattr(fake_speech, "synthesize", released_meanwhile)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotFoundError):
        clip_ensure_ready(clip=AudioClip.objects.get(key=key), wait_seconds=0)
    assert not AudioClip.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_a_background_synthesis_of_a_clip_released_meanwhile_stores_nothing(fake_speech, settings):
    settings.SPEECH_WORKERS = 1
    fake_speech.delay = 0.3
    key = clip_for_text(text="Deleted while the pool speaks it.", language="en")
    clip_schedule(key=key)
    deadline = time.monotonic() + 5
    while not fake_speech.calls:  # the worker is speaking it now
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert clip_release(keys=[key]) == 1
    synthesis_pool.shutdown(wait=True)
    assert not AudioClip.objects.exists()
    assert stored_files(settings) == []


def test_an_upgrade_in_flight_for_a_released_clip_stores_nothing(
    api_client, gtts, settings, django_capture_on_commit_callbacks
):
    api_client.get(audio_url())
    key = AudioClip.objects.get().key
    breaker_expires(settings, gtts)
    gtts.during_call(lambda: clip_release(keys=[key]))
    with django_capture_on_commit_callbacks(execute=True):
        assert not clip_upgrade(key=key)
    assert not AudioClip.objects.exists()
    assert stored_files(settings) == []
