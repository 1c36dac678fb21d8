"""The turn flow stores the text reply first; its audio is synthesized in the background after commit."""

import time

import pytest

from accounts.tests.factories import UserFactory
from speech.models import AudioClip


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_answer_does_not_wait_for_speech_which_starts_in_the_background(client_for, bank, fake_speech, settings):
    settings.SPEECH_WORKERS = 2
    fake_speech.delay = 3.0  # a very slow engine
    client = client_for(UserFactory())
    started = time.monotonic()
    body = client.post("/api/interviews/", {"position": "be"}, format="json").json()
    turn = client.post(f"/api/interviews/{body['id']}/answers/", {"content": "Indexes."}, format="json")
    elapsed = time.monotonic() - started
    assert turn.status_code == 201
    assert elapsed < 2.0, "the text reply waited for speech synthesis"
    # Synthesis already started in the background; the browser's request waits for that same run.
    response = client.get(turn.json()["reply"]["audio_url"].split("testserver", 1)[1])
    assert response.status_code == 200
    deadline = time.monotonic() + 10
    while len(fake_speech.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(fake_speech.calls) == 2  # the opening question and the reply, each once
    assert AudioClip.objects.filter(status="ready").count() >= 1
