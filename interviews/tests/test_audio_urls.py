"""Interviewer messages carry the absolute URL of their audio; candidate messages carry none."""

from pathlib import Path

import pytest

from config.testing import assert_error
from interviews.models import Message
from interviews.tests.factories import InterviewFactory, MessageFactory
from speech.models import AudioClip

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(auth_client, bank, fake_speech):
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


def test_audio_url_is_https_behind_a_tls_proxy(auth_client, bank, fake_speech, settings):
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


def test_a_speech_failure_never_touches_the_text_reply(auth_client, started, fake_speech):
    fake_speech.fail = "error"
    turn = auth_client.post(f"/api/interviews/{started['id']}/answers/", {"content": "An answer."}, format="json")
    assert turn.status_code == 201
    assert turn.json()["reply"]["content"]


def audio_path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_deleting_an_interview_stops_serving_its_audio(
    auth_client, started, settings, django_capture_on_commit_callbacks
):
    url = audio_path(started["messages"][0]["audio_url"])
    assert auth_client.get(url).status_code == 200
    clip = AudioClip.objects.get()
    stored = Path(settings.MEDIA_ROOT) / clip.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.delete(f"/api/interviews/{started['id']}/").status_code == 204
    assert_error(auth_client.get(url), 404, "not_found")
    assert not AudioClip.objects.filter(text=clip.text).exists()  # the text has left the clip table
    assert not stored.exists()


def test_audio_someone_else_still_uses_keeps_playing_after_the_delete(
    auth_client, started, other_user, client_for, django_capture_on_commit_callbacks
):
    opening = Message.objects.get(pk=started["messages"][0]["id"])
    theirs = InterviewFactory(owner=other_user)  # their interview opened with the same words
    MessageFactory(interview=theirs, content=opening.content, audio_clip_id=opening.audio_clip_id)
    turn = auth_client.post(f"/api/interviews/{started['id']}/answers/", {"content": "Hooks."}, format="json")
    only_mine = audio_path(turn.json()["reply"]["audio_url"])
    assert auth_client.get(only_mine).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.delete(f"/api/interviews/{started['id']}/").status_code == 204
    listed = client_for(other_user).get(f"/api/interviews/{theirs.pk}/messages/").json()["results"]
    assert listed[0]["audio_url"] == started["messages"][0]["audio_url"]
    response = client_for(other_user).get(audio_path(listed[0]["audio_url"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
    assert_error(auth_client.get(only_mine), 404, "not_found")
    assert list(AudioClip.objects.values_list("text", flat=True)) == [opening.content]


def test_someone_else_cannot_delete_the_interview_or_its_audio(
    auth_client, started, other_user, client_for, django_capture_on_commit_callbacks
):
    url = audio_path(started["messages"][0]["audio_url"])
    assert_error(client_for(other_user).delete(f"/api/interviews/{started['id']}/"), 404, "not_found")
    assert auth_client.get(url).status_code == 200
    assert AudioClip.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.delete(f"/api/interviews/{started['id']}/").status_code == 204  # only its owner can
    assert_error(client_for(other_user).get(url), 404, "not_found")
