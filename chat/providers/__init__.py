"""Interviewer providers. The choice is a setting: CHAT_PROVIDER, else openai when OPENAI_API_KEY is
set, else the offline practice interviewer."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chat.providers.base import Provider


def provider_name() -> str:
    if settings.CHAT_PROVIDER:
        return settings.CHAT_PROVIDER
    return "openai" if settings.OPENAI_API_KEY else "practice"


@cache
def _build(name: str, config: object = None) -> Provider:
    # Cached per configuration: one HTTP client (and its connection pool) per process, and a
    # fresh one whenever the settings change.
    if name == "openai":
        from chat.providers.openai import OpenAIProvider

        return OpenAIProvider(config)
    if name == "practice":
        from chat.providers.practice import PracticeProvider

        return PracticeProvider()
    raise ImproperlyConfigured(f"CHAT_PROVIDER must be 'openai' or 'practice', not {name!r}.")


def get_provider() -> Provider:
    name = provider_name()
    return openai_provider() if name == "openai" else _build(name)


def openai_provider():
    """The OpenAI provider for the current settings, whatever CHAT_PROVIDER says (speech uses it too)."""
    from chat.providers.openai import openai_config

    return _build("openai", openai_config())


def reset_provider_cache() -> None:
    """Forget built providers (tests change settings between cases)."""
    _build.cache_clear()
