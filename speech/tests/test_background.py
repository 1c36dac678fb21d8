import runpy
import threading
import time
from pathlib import Path

import pytest

from speech.background import BackgroundPool
from speech.models import AudioClip
from speech.services import clip_for_text, clip_schedule, synthesis_pool

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_no_workers_means_nothing_is_submitted(settings):
    settings.SPEECH_WORKERS = 0
    done: list[str] = []
    pool = BackgroundPool(work=done.append)
    pool.start()
    assert not pool.submit("some-key")
    assert not pool.running
    assert done == []


@pytest.mark.django_db
def test_scheduling_with_no_workers_leaves_the_clip_for_the_browser(settings, fake_speech):
    settings.SPEECH_WORKERS = 0
    key = clip_for_text(text="Nothing in the background.", language="en")
    clip_schedule(key=key)
    assert not synthesis_pool.running
    assert fake_speech.calls == []
    assert AudioClip.objects.get().status == "pending"


def test_the_pool_is_sized_when_it_starts_and_starts_again_after_shutdown(settings):
    both_running = threading.Barrier(2, timeout=5)
    done: list[str] = []

    def work(key: str) -> None:
        both_running.wait()  # needs two threads at once: breaks (and fails the test) with one
        done.append(key)

    pool = BackgroundPool(work=work)
    settings.SPEECH_WORKERS = 0
    pool.start()
    assert not pool.running
    settings.SPEECH_WORKERS = 2
    pool.start()
    assert pool.running
    assert [pool.submit("a"), pool.submit("b")] == [True, True]
    pool.shutdown(wait=True)
    assert sorted(done) == ["a", "b"]
    assert not pool.running
    assert [pool.submit("c"), pool.submit("d")] == [True, True]  # a fresh pool, started by the submit
    pool.shutdown(wait=True)
    assert sorted(done) == ["a", "b", "c", "d"]


@pytest.mark.django_db(transaction=True)
def test_shutdown_waits_for_an_in_flight_synthesis(settings, fake_speech):
    settings.SPEECH_WORKERS = 1
    fake_speech.delay = 0.5
    key = clip_for_text(text="A slow clip.", language="en")
    clip_schedule(key=key)
    wait_for(lambda: fake_speech.calls)  # the engine is working on it now
    synthesis_pool.shutdown(wait=True)
    assert not synthesis_pool.running
    assert AudioClip.objects.get(key=key).status == "ready"
    assert fake_speech.calls == ["A slow clip."]


@pytest.mark.django_db(transaction=True)
def test_gunicorn_worker_exit_finishes_the_workers_syntheses(settings, fake_speech):
    settings.SPEECH_WORKERS = 1
    fake_speech.delay = 0.5
    key = clip_for_text(text="Said while gunicorn stops.", language="en")
    clip_schedule(key=key)
    wait_for(lambda: fake_speech.calls)
    runpy.run_path(str(GUNICORN_CONF))["worker_exit"](None, None)
    assert not synthesis_pool.running
    assert AudioClip.objects.get(key=key).status == "ready"
