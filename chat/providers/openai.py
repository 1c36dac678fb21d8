"""The `openai` interviewer: chat completions through the official SDK.

Contract: `next_turn` / `closing_report` return a non-empty `Completion` or raise `ProviderError`
(`llm_timeout` for timeouts, `llm_unavailable` for everything else, `retryable` saying whether the
same request may succeed later). Works with any OpenAI-compatible server through OPENAI_BASE_URL
(Ollama, vLLM, ...). When OPENAI_FALLBACK_MODEL is set it is tried once when the primary model times
out or answers 429/5xx. This is the only module of chat that imports `openai`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, replace

import openai
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chat import prompts
from chat.providers.base import Completion, ProviderError, TurnContext

logger = logging.getLogger(__name__)

# Failures where another model (or the same one later) may well succeed.
_FALLBACK_ERRORS = (openai.APITimeoutError, openai.RateLimitError, openai.InternalServerError)


@dataclass(frozen=True)
class OpenAIConfig:
    api_key: str
    base_url: str | None
    model: str
    fallback_model: str | None
    temperature: float
    max_tokens: int
    timeout: float
    max_retries: int
    history_budget_tokens: int
    grounding_questions: int = 4


def openai_config() -> OpenAIConfig:
    """The provider's settings, all read here."""
    if not settings.OPENAI_API_KEY:
        raise ImproperlyConfigured("The openai provider needs OPENAI_API_KEY (any value for local servers).")
    return OpenAIConfig(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        model=settings.OPENAI_MODEL,
        fallback_model=settings.OPENAI_FALLBACK_MODEL or None,
        temperature=settings.OPENAI_TEMPERATURE,
        max_tokens=settings.OPENAI_MAX_TOKENS,
        timeout=settings.OPENAI_TIMEOUT,
        max_retries=settings.OPENAI_MAX_RETRIES,
        history_budget_tokens=settings.OPENAI_HISTORY_TOKENS,
        grounding_questions=settings.OPENAI_GROUNDING_QUESTIONS,
    )


class OpenAIProvider:
    name = "openai"

    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config
        self.client = openai.OpenAI(
            api_key=config.api_key,
            base_url=config.base_url or None,
            timeout=config.timeout,
            max_retries=config.max_retries,
        )

    def next_turn(self, context: TurnContext) -> Completion:
        context = replace(context, bank=context.bank[: self.config.grounding_questions])
        return self._complete(prompts.next_turn_messages(context, budget_tokens=self.config.history_budget_tokens))

    def closing_report(self, context: TurnContext) -> Completion:
        context = replace(context, bank=context.bank[: self.config.grounding_questions])
        messages = prompts.closing_report_messages(context, budget_tokens=self.config.history_budget_tokens)
        return self._complete(messages)

    def _complete(self, messages: list[dict[str, str]]) -> Completion:
        try:
            return self._call(self.config.model, messages)
        except _FALLBACK_ERRORS as exc:
            if not self.config.fallback_model:
                raise _translate(exc) from exc
            logger.warning(
                "primary model %s failed (%s); trying %s", self.config.model, exc, self.config.fallback_model
            )
            try:
                return self._call(self.config.fallback_model, messages)
            except Exception as fallback_exc:
                raise _translate(fallback_exc) from fallback_exc
        except Exception as exc:
            raise _translate(exc) from exc

    def _call(self, model: str, messages: list[dict[str, str]]) -> Completion:
        started = time.monotonic()
        response = self.client.chat.completions.create(
            model=model,
            messages=messages,
            temperature=self.config.temperature,
            max_tokens=self.config.max_tokens,
        )
        latency_ms = int((time.monotonic() - started) * 1000)
        if not response.choices:
            raise _MalformedCompletion("the completion has no choices")
        choice = response.choices[0]
        content = (choice.message.content or "").strip() if choice.message else ""
        if not content:
            raise _MalformedCompletion("the completion is empty")
        usage = response.usage
        return Completion(
            content=content,
            model=response.model or model,
            finish_reason=choice.finish_reason or "",
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            latency_ms=latency_ms,
        )


class _MalformedCompletion(Exception):
    pass


def _translate(exc: Exception) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("The interviewer took too long to answer.", code="llm_timeout", retryable=True)
    if isinstance(exc, openai.RateLimitError | openai.InternalServerError | openai.APIConnectionError):
        return ProviderError("The interviewer is unavailable right now.", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        # 4xx other than 429: our key, model name or request is wrong; retrying will not help.
        logger.error("LLM refused the request: %s", exc)
        return ProviderError("The interviewer is misconfigured; staff have been notified.", retryable=False)
    if isinstance(exc, _MalformedCompletion | json.JSONDecodeError | ValueError | openai.APIResponseValidationError):
        logger.warning("malformed LLM response: %s", exc)
        return ProviderError("The interviewer gave an unusable answer.", retryable=True)
    logger.exception("unexpected LLM failure")
    return ProviderError("The interviewer is unavailable right now.", retryable=True)
