"""Interviewer providers. The choice is a setting: CHAT_PROVIDER, else openai when OPENAI_API_KEY is
set, else the offline practice interviewer."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chat.providers.base import Provider

if TYPE_CHECKING:
    from chat.providers.openai import OpenAIConfig

PROVIDERS = ("openai", "practice")


def provider_name() -> str:
    if settings.CHAT_PROVIDER:
        return settings.CHAT_PROVIDER
    return "openai" if settings.OPENAI_API_KEY else "practice"


@lru_cache(maxsize=8)
def _build(config: OpenAIConfig | None) -> Provider:
    # Keyed by the provider's whole configuration: one HTTP client (and its connection pool) per
    # process and configuration, and a fresh one whenever the settings change. The modules are
    # imported here, when first chosen: the providers build on the judge (chat.judging), which
    # itself imports this package's base contract.
    if config is None:
        from chat.providers.practice import PracticeProvider

        return PracticeProvider()
    from chat.providers.openai import OpenAIProvider

    return OpenAIProvider(config)


def get_provider() -> Provider:
    """The interviewer for the current settings."""
    name = provider_name()
    if name not in PROVIDERS:
        raise ImproperlyConfigured(f"CHAT_PROVIDER must be one of {', '.join(PROVIDERS)}, not {name!r}.")
    if name == "openai":
        from chat.providers.openai import openai_config

        return _build(openai_config())
    return _build(None)
