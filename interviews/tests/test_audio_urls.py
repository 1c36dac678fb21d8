"""Interviewer messages carry the absolute URL of their audio; candidate messages carry none."""

import pytest

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
