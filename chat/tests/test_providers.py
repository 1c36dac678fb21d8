import pytest
from django.core.exceptions import ImproperlyConfigured

from chat.providers import get_provider


def test_practice_is_the_default_without_a_key(settings):
    settings.CHAT_PROVIDER, settings.OPENAI_API_KEY = "", ""
    assert get_provider().name == "practice"


def test_openai_is_the_default_with_a_key(settings):
    settings.CHAT_PROVIDER, settings.OPENAI_API_KEY = "", "sk-test"
    assert get_provider().name == "openai"


def test_chat_provider_overrides_the_default(settings):
    settings.CHAT_PROVIDER, settings.OPENAI_API_KEY = "practice", "sk-test"
    assert get_provider().name == "practice"


def test_openai_without_a_key_is_a_configuration_error(settings):
    settings.CHAT_PROVIDER, settings.OPENAI_API_KEY = "openai", ""
    with pytest.raises(ImproperlyConfigured, match="OPENAI_API_KEY"):
        get_provider()


def test_an_unknown_provider_is_a_configuration_error(settings):
    settings.CHAT_PROVIDER = "llama-in-a-box"
    with pytest.raises(ImproperlyConfigured):
        get_provider()


def test_a_changed_setting_builds_a_fresh_client(settings):
    settings.CHAT_PROVIDER, settings.OPENAI_API_KEY = "openai", "sk-test"
    first = get_provider()
    settings.OPENAI_MODEL = "another-model"
    assert get_provider() is not first
    assert get_provider().config.model == "another-model"
