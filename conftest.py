"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; one test's logins must not throttle the next test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production uses WhiteNoise's manifest storage, which needs `collectstatic` first; tests
    # render admin pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_bank_copies():
    # The interviewer's per-process copies of the bank are versioned by the database's rows; a test's
    # rolled-back rows (and ids SQLite hands out again) must not meet another test's copy.
    from chat import services

    services._BANKS.clear()
    yield
    services._BANKS.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashes with PBKDF2 at ~1 million iterations (about 0.5 s a user); the suite creates
    # hundreds of users and tests no property of the hash itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _offline_speech(settings, tmp_path):
    # No test reaches Google; background synthesis only where a test asks for it; files in tmp.
    settings.SPEECH_ENGINE = "espeak"
    settings.SPEECH_WORKERS = 0
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def auth_client(user, client_for) -> APIClient:
    return client_for(user)


@pytest.fixture
def client_for():
    """An APIClient authenticated as the given user."""
    from accounts.apis import tokens_for

    def make(some_user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(some_user)['access']}")
        return client

    return make


@pytest.fixture
def bank(db):
    """The built-in question bank, loaded into the test database."""
    from interviews.bank import question_load_bank

    question_load_bank()


@pytest.fixture
def fake_llm(settings):
    """A fake OpenAI-compatible server on 127.0.0.1, with the product configured to use it."""
    from devtools.fakeopenai import FakeOpenAI

    with FakeOpenAI() as server:
        settings.CHAT_PROVIDER = "openai"
        settings.OPENAI_API_KEY = "test-key"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MODEL = "primary-model"
        settings.OPENAI_FALLBACK_MODEL = ""
        settings.OPENAI_TIMEOUT = 1.0
        settings.OPENAI_MAX_RETRIES = 0
        server.hang_seconds = 5
        yield server


@pytest.fixture
def used_today(db):
    """How many interviewer turns `user` has been charged, whatever the day (robust at midnight)."""
    from accounts.models import DailyUsage

    def count(some_user) -> int:
        return sum(DailyUsage.objects.filter(user=some_user).values_list("used", flat=True))

    return count


@pytest.fixture
def fake_speech(settings, monkeypatch):
    """The test speech engine (speech/tests/fake_engine.py), registered as `fake` for this test and
    selected; reset before and after, and no background synthesis outlives the test."""
    from speech.engines import ENGINES
    from speech.services import synthesis_pool
    from speech.tests import fake_engine

    monkeypatch.setitem(ENGINES, "fake", "speech.tests.fake_engine")
    settings.SPEECH_ENGINE = "fake"
    synthesis_pool.shutdown(wait=True)
    fake_engine.reset()
    yield fake_engine
    synthesis_pool.shutdown(wait=True)
    fake_engine.reset()
