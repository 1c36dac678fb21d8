"""SPEECH_QUEUE=redis: scheduled synthesis goes through a Dramatiq queue on the real local Redis to
worker processes; a Redis that is down or silent costs the answer nothing, and the audio request
still makes the clip. Each test has its own key namespace, so parallel suites never share a queue."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dramatiq
import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from config.testing import database_url, free_port
from speech.models import AudioClip
from speech.mp3 import mp3_info
from speech.queue import QUEUE_NAME
from speech.services import clip_for_text, clip_schedule, synthesis_pool, synthesis_queue

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def queued(settings) -> Iterator[str]:
    """SPEECH_QUEUE=redis on the local Redis, under a namespace of this test's own (deleted after)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
    namespace = f"speech-test-{uuid.uuid4().hex}"
    settings.SPEECH_QUEUE = "redis"
    settings.SPEECH_QUEUE_URL = REDIS_URL
    settings.SPEECH_QUEUE_NAMESPACE = namespace
    yield namespace
    synthesis_queue.close()
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)
    client.close()


@contextlib.contextmanager
def queue_worker() -> Iterator[dramatiq.Worker]:
    """A Dramatiq worker in this process (one thread) on the queue's broker: what speech_worker runs."""
    worker = dramatiq.Worker(synthesis_queue.broker(), worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop(timeout=10_000)


def queued_messages() -> int:
    return synthesis_queue.broker().do_qsize(QUEUE_NAME)


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A Redis URL whose server accepts connections and never answers (a hung or blackholed Redis)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)  # never accepted: the kernel completes the handshake, nobody reads
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


@pytest.mark.django_db
def test_scheduling_in_queued_mode_puts_the_clip_on_the_queue_instead_of_a_thread(queued, settings, fake_speech):
    settings.SPEECH_WORKERS = 2
    key = clip_for_text(text="Queued, not threaded.", language="en")
    clip_schedule(key=key)
    assert queued_messages() == 1
    assert not synthesis_pool.running
    assert fake_speech.calls == []
    assert AudioClip.objects.get(key=key).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_a_queue_worker_synthesizes_the_scheduled_clip_into_storage(queued, fake_speech):
    with transaction.atomic():
        key = clip_for_text(text="Made by a queue worker.", language="en")
        transaction.on_commit(lambda: clip_schedule(key=key))
    assert queued_messages() == 1
    with queue_worker():
        wait_for(lambda: AudioClip.objects.get(key=key).status == "ready")
    clip = AudioClip.objects.get(key=key)
    assert fake_speech.calls == ["Made by a queue worker."]
    with default_storage.open(clip.file.name, "rb") as stored:
        assert mp3_info(stored.read()).duration > 0
    assert queued_messages() == 0


@pytest.mark.django_db(transaction=True)
def test_a_clip_queued_twice_is_synthesized_once(queued, fake_speech):
    key = clip_for_text(text="Said once, queued twice.", language="en")
    clip_schedule(key=key)
    clip_schedule(key=key)
    assert queued_messages() == 2
    with queue_worker() as worker:
        wait_for(lambda: queued_messages() == 0)
        worker.join()
    assert AudioClip.objects.get(key=key).status == "ready"
    assert fake_speech.calls == ["Said once, queued twice."]


@pytest.mark.django_db(transaction=True)
def test_the_worker_leaves_a_clip_that_an_audio_request_is_synthesizing_alone(queued, fake_speech):
    key = clip_for_text(text="Claimed by a browser first.", language="en")
    lease = timezone.now() + timedelta(seconds=60)
    AudioClip.objects.filter(key=key).update(status="synthesizing", lease_until=lease)
    clip_schedule(key=key)
    with queue_worker() as worker:
        wait_for(lambda: queued_messages() == 0)
        worker.join()
    assert fake_speech.calls == []
    assert AudioClip.objects.get(key=key).status == "synthesizing"


@pytest.mark.django_db(transaction=True)
def test_when_redis_is_down_the_answer_succeeds_and_its_audio_is_made_on_request(
    queued, settings, client_for, bank, fake_speech, caplog
):
    settings.SPEECH_QUEUE_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = client_for(UserFactory())
    interview = client.post("/api/interviews/", {"position": "be"}, format="json")
    assert interview.status_code == 201
    turn = client.post(f"/api/interviews/{interview.json()['id']}/answers/", {"content": "Indexes."}, format="json")
    assert turn.status_code == 201
    assert "not queued" in caplog.text
    assert fake_speech.calls == []  # neither queued nor made in a thread of the app process
    key = turn.json()["reply"]["audio_url"].rsplit("/", 1)[1].removesuffix(".mp3")
    assert AudioClip.objects.get(key=key).status == "pending"
    audio = client.get(turn.json()["reply"]["audio_url"].split("testserver", 1)[1])
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/mpeg"
    assert AudioClip.objects.get(key=key).status == "ready"


@pytest.mark.django_db
def test_a_silent_redis_holds_scheduling_no_longer_than_the_queue_timeout(queued, settings, silent_redis, caplog):
    settings.SPEECH_QUEUE_URL = silent_redis
    settings.SPEECH_QUEUE_TIMEOUT = 0.3
    key = clip_for_text(text="Nobody answers.", language="en")
    started = time.monotonic()
    clip_schedule(key=key)
    assert time.monotonic() - started < 1.5
    assert "not queued" in caplog.text
    assert AudioClip.objects.get(key=key).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_the_default_thread_mode_synthesizes_in_this_process_and_never_uses_the_queue(
    settings, fake_speech, monkeypatch
):
    assert django_settings.SPEECH_QUEUE == "thread"  # unless configured otherwise
    settings.SPEECH_WORKERS = 1
    monkeypatch.setattr(synthesis_queue, "submit", lambda key: pytest.fail("the queue was used"))
    key = clip_for_text(text="Made in a thread.", language="en")
    clip_schedule(key=key)
    wait_for(lambda: AudioClip.objects.get(key=key).status == "ready")
    assert fake_speech.calls == ["Made in a thread."]


def test_the_worker_command_refuses_to_run_in_thread_mode(settings):
    settings.SPEECH_QUEUE = "thread"
    with pytest.raises(CommandError, match="not redis"):
        call_command("speech_worker")


@pytest.mark.parametrize(
    ("environment", "refused"),
    [
        ({"SPEECH_QUEUE": "celery"}, True),
        ({"SPEECH_QUEUE": "redis", "SPEECH_QUEUE_URL": "", "REDIS_URL": ""}, True),
        ({"SPEECH_QUEUE": "redis", "SPEECH_QUEUE_URL": "", "REDIS_URL": "redis://cache:6379/0"}, False),
    ],
)
def test_settings_refuse_an_unknown_queue_or_a_redis_queue_without_a_url(environment, refused):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true", **environment}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert (result.returncode != 0) is refused
    assert ("SPEECH_QUEUE must be thread or redis" in result.stderr) is refused


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_speech_worker_command_synthesizes_in_its_own_processes_and_stops_on_sigterm(queued, settings):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "SPEECH_ENGINE": settings.SPEECH_ENGINE,  # espeak: offline
        "SPEECH_QUEUE": "redis",
        "SPEECH_QUEUE_URL": REDIS_URL,
        "SPEECH_QUEUE_NAMESPACE": queued,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "speech_worker", "--processes", "1", "--threads", "1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        key = clip_for_text(text="Spoken by another process.", language="en")
        clip_schedule(key=key)
        wait_for(lambda: AudioClip.objects.get(key=key).status == "ready" or worker.poll() is not None, 30)
        clip = AudioClip.objects.get(key=key)
        assert clip.status == "ready", worker.stdout.read1().decode(errors="replace")
        assert clip.engine_used == "espeak"
        assert default_storage.exists(clip.file.name)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
