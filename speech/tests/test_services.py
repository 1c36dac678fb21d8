import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from speech.engines import clip_key
from speech.models import AudioClip
from speech.services import clip_for_text

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
