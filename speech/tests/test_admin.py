"""The clip admin: staff see which engine and voice really spoke a clip, hear it, and can redo it."""

import re

import pytest

from accounts.tests.factories import UserFactory
from speech.models import AudioClip
from speech.selectors import clip_url
from speech.services import SpeechUnavailable, clip_ensure_ready, clip_for_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def ready_clip(text: str, **fields) -> AudioClip:
    clip = clip_ensure_ready(clip=AudioClip.objects.get(key=clip_for_text(text=text, language="en")), wait_seconds=0)
    AudioClip.objects.filter(pk=clip.pk).update(**fields)
    clip.refresh_from_db()
    return clip


def test_every_audio_link_on_the_clip_page_is_the_clip_real_url_and_plays(staff, fake_speech):
    clip = ready_clip("A clip staff listens to.")
    page = staff.get(f"/admin/speech/audioclip/{clip.pk}/change/").content.decode()
    links = {url for url in re.findall(r'(?:href|src)="([^"]+)"', page) if "audio/" in url and "/admin/" not in url}
    assert links == {clip_url(key=clip.key, request=None)}  # nothing under MEDIA_URL, which nothing serves
    for url in links:
        assert staff.get(url).status_code == 200
    assert "<audio controls" in page


def test_the_clip_page_shows_the_engine_and_voice_really_used_and_the_status(staff, fake_speech):
    clip = ready_clip("Spoken by the fallback.", engine_used="espeak", voice_used="espeak-ng:en-us", is_fallback=True)
    page = staff.get(f"/admin/speech/audioclip/{clip.pk}/change/").content.decode()
    for label, value in [("Engine used", "espeak"), ("Voice used", "espeak-ng:en-us"), ("Status", "Ready")]:
        assert re.search(rf"<label>{label}:</label>\s*<div class=\"readonly\">{re.escape(value)}</div>", page), label
    assert re.search(r"<label>Is fallback:</label>\s*<div class=\"readonly\"><img [^>]*icon-yes", page)


def test_the_clip_list_filters_fallback_clips(staff, fake_speech):
    ready_clip("Made by the preferred engine.")
    ready_clip("Made by the fallback engine.", engine_used="espeak", is_fallback=True)
    page = staff.get("/admin/speech/audioclip/?is_fallback__exact=1").content.decode()
    assert "Made by the fallback engine." in page
    assert "Made by the preferred engine." not in page
    assert "?is_fallback__exact=0" in page  # the filter is offered in the sidebar


def test_staff_can_resynthesize_a_ready_and_a_failed_clip(staff, fake_speech, settings):
    settings.SPEECH_RETRY_SECONDS = 600  # a recent failure would otherwise wait this long
    ready = ready_clip("Say it again.", engine_used="espeak", voice_used="espeak-ng:en-us", is_fallback=True)
    old_file = ready.file.name
    fake_speech.fail = "error"
    failed = AudioClip.objects.get(key=clip_for_text(text="It failed before.", language="en"))
    with pytest.raises(SpeechUnavailable):
        clip_ensure_ready(clip=failed, wait_seconds=0)
    fake_speech.reset()
    response = staff.post(
        "/admin/speech/audioclip/",
        {"action": "resynthesize", "_selected_action": [ready.pk, failed.pk]},
        follow=True,
    )
    assert "Re-synthesized 2 clip(s)." in response.content.decode()
    assert sorted(fake_speech.calls) == ["It failed before.", "Say it again."]
    ready.refresh_from_db()
    failed.refresh_from_db()
    assert (ready.status, ready.engine_used, ready.voice_used, ready.is_fallback) == ("ready", "fake", "fake", False)
    assert ready.file.name != old_file
    assert (failed.status, failed.engine_used) == ("ready", "fake")


def test_a_resynthesis_that_fails_is_reported_and_keeps_the_audio(staff, fake_speech):
    clip = ready_clip("Keep me.")
    fake_speech.fail = "error"
    response = staff.post(
        "/admin/speech/audioclip/", {"action": "resynthesize", "_selected_action": [clip.pk]}, follow=True
    )
    assert "Not re-synthesized" in response.content.decode()
    kept = AudioClip.objects.get()
    assert (kept.status, kept.file.name, kept.lease_until) == ("ready", clip.file.name, None)
    assert staff.get(clip_url(key=clip.key, request=None)).status_code == 200


def test_someone_not_staff_cannot_see_clips(client, fake_speech):
    clip = ready_clip("Not for candidates.")
    client.force_login(UserFactory())
    response = client.get(f"/admin/speech/audioclip/{clip.pk}/change/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
