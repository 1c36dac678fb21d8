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


@pytest.fixture(autouse=True)
def _fresh_provider():
    # Providers are built once per process from settings; tests change those settings.
    from chat.providers import reset_provider_cache

    reset_provider_cache()
    yield
    reset_provider_cache()


@pytest.fixture
def bank(db):
    """The built-in question bank, loaded into the test database."""
    from interviews.bank import question_load_bank

    question_load_bank()


@pytest.fixture
def fake_llm(settings):
    """A fake OpenAI-compatible server on 127.0.0.1, with the product configured to use it."""
    from chat.fakeopenai import FakeOpenAI

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
