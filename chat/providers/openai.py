"""The `openai` interviewer: chat completions through the official SDK; it judges with structured output.

Contract (see base.py):
- `react` makes ONE chat completion per turn asking for a JSON judgement in strict structured output
  (prompts.REACTION_FORMAT), validates it here (types, enum, rubric numbers, text lengths) and maps it
  to a `Judgement` with judge="openai": key points as the server's texts, scores clamped to 1-5 and
  kept only for an answer, a key point the model did not report covered counted as missed. An unusable
  output (not JSON, off the schema, refused, empty, cut off) gets ONE repair request (the same
  messages, the bad output, what was wrong); if that is unusable too, or fails, the turn still succeeds
  with the practice interviewer's reaction (judge="practice-fallback"), logged as a warning. So does a
  message that looks like an injection attempt (chat.judging.looks_like_injection) which the model
  judged a good answer: the server does not trust that verdict.
- `greeting` and `summarize` are plain completions checked the same way: a greeting that asks a
  question, is empty or too long becomes the practice greeting; a summary that is empty, too long or
  states a number the report does not hold becomes the practice summary.
- Transport failures raise `ProviderError` (`llm_timeout` for timeouts, `llm_unavailable` for anything
  else, `retryable` saying whether the same request may succeed later); when OPENAI_FALLBACK_MODEL is
  set it is tried once when the primary model times out or answers 429/5xx.
Usage (tokens, latency) covers every request a turn made. Works with any OpenAI-compatible server that
supports `response_format` json_schema (OPENAI_BASE_URL: Ollama, vLLM, ...). This is the only module of
chat that imports `openai`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, replace
from typing import Any

import openai
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chat import prompts
from chat.judging import looks_like_injection
from chat.providers.base import (
    ANSWER,
    CLARIFICATION,
    KINDS,
    NON_ANSWER,
    Completion,
    Judgement,
    ProviderError,
    Reaction,
    TextSink,
    TurnContext,
    Usage,
)
from chat.providers.practice import PracticeProvider, summary_text
from interviews.matching import language_of
from interviews.vocabulary import LANGUAGE_NAMES

logger = logging.getLogger(__name__)

# Failures where another model (or the same one later) may well succeed.
_FALLBACK_ERRORS = (openai.APITimeoutError, openai.RateLimitError, openai.InternalServerError)

OPENAI_JUDGE, FALLBACK_JUDGE = "openai", "practice-fallback"
# A judgement holds up to five short texts in JSON: it gets this many times OPENAI_MAX_TOKENS, so a
# long (Korean) feedback is not cut mid-string into invalid JSON.
JUDGEMENT_TOKENS_FACTOR = 2
# Scores above this, given to a message that looks like an injection attempt, are not trusted.
INJECTION_TRUSTED_SCORE = 3


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
    cv_budget_tokens: int = 1500


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
        cv_budget_tokens=settings.OPENAI_CV_TOKENS,
    )


@dataclass(frozen=True)
class _Output:
    """One chat completion as received: what the model said, and what it cost."""

    content: str
    refusal: str | None
    requested_model: str
    model: str
    finish_reason: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int

    def completion(self, content: str) -> Completion:
        return Completion(
            content=content,
            model=self.model,
            finish_reason=self.finish_reason,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            latency_ms=self.latency_ms,
        )


class InvalidOutput(Exception):
    """A completion that is not a usable judgement; the message says why, for the repair request."""


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
        # The repair is itself the second attempt: no SDK retries on top (the same connection pool).
        self.repair_client = self.client.with_options(max_retries=0)

    # -- the contract ---------------------------------------------------------

    def greeting(self, context: TurnContext) -> Completion:
        output = self._complete(prompts.greeting_messages(context), max_tokens=self.config.max_tokens)
        problem = _greeting_problem(output)
        if problem is None:
            return output.completion(output.content)
        logger.warning("unusable greeting from %s (%s); using the practice greeting", output.model, problem)
        return output.completion(PracticeProvider().greeting(context).content)

    def react(self, context: TurnContext, on_text: TextSink | None = None) -> Reaction:
        messages = prompts.reaction_messages(
            context,
            history_budget_tokens=self.config.history_budget_tokens,
            cv_budget_tokens=self.config.cv_budget_tokens,
        )
        first = self._complete(
            messages,
            response_format=prompts.REACTION_FORMAT,
            max_tokens=self._judgement_tokens,
            verdict=VerdictPreview(on_text) if on_text else None,
        )
        outputs, reaction = [first], None
        try:
            reaction = reaction_from(first, context)
        except InvalidOutput as error:
            logger.info("unusable judgement from %s (%s); asking once more", first.model, error)
            repaired = self._repair(messages, first, str(error))
            if repaired is not None:
                outputs.append(repaired)
                try:
                    reaction = reaction_from(repaired, context)
                except InvalidOutput as again:
                    logger.warning(
                        "unusable judgement from %s twice (%s); using the practice judge", first.model, again
                    )
        usage = _usage_of(outputs)
        if reaction is None:
            return _practice_reaction(context, usage)
        if _distrusted(reaction.judgement, context):
            logger.warning("a message that looks like an injection was judged a good answer; using the practice judge")
            return _practice_reaction(context, usage)
        return replace(reaction, usage=usage)

    def summarize(self, context: TurnContext, report: dict) -> Completion:
        output = self._complete(prompts.summary_messages(context, report=report), max_tokens=self.config.max_tokens)
        problem = _summary_problem(output, report)
        if problem is None:
            return output.completion(output.content)
        logger.warning("unusable summary from %s (%s); using the practice summary", output.model, problem)
        return output.completion(summary_text(report, context.language))

    # -- requests ---------------------------------------------------------------

    @property
    def _judgement_tokens(self) -> int:
        return self.config.max_tokens * JUDGEMENT_TOKENS_FACTOR

    def _complete(
        self,
        messages: list[dict],
        *,
        max_tokens: int,
        response_format: dict | None = None,
        verdict: VerdictPreview | None = None,
    ) -> _Output:
        """One completion from the primary model, or the fallback model after a timeout, 429 or 5xx.
        Raises ProviderError for any transport failure; a malformed answer is returned as it is.
        With `verdict`, the completion is streamed and the verdict previewed as it arrives."""
        call = {"messages": messages, "max_tokens": max_tokens, "response_format": response_format, "verdict": verdict}
        try:
            return self._call(self.client, self.config.model, **call)
        except _FALLBACK_ERRORS as exc:
            if not self.config.fallback_model:
                raise _translate(exc) from exc
            logger.warning(
                "primary model %s failed (%s); trying %s", self.config.model, exc, self.config.fallback_model
            )
            call["verdict"] = verdict.again() if verdict else None
            try:
                return self._call(self.client, self.config.fallback_model, **call)
            except Exception as fallback_exc:
                raise _translate(fallback_exc) from fallback_exc
        except Exception as exc:
            raise _translate(exc) from exc

    def _repair(self, messages: list[dict], bad: _Output, error: str) -> _Output | None:
        """The one repair request, to the model that answered; None when it fails in transport (the
        turn then falls back to the practice judge rather than failing after a usable first call)."""
        repair = prompts.repair_messages(messages, bad_output=bad.content or bad.refusal or "", error=error)
        try:
            return self._call(
                self.repair_client,
                bad.requested_model,
                messages=repair,
                max_tokens=self._judgement_tokens,
                response_format=prompts.REACTION_FORMAT,
            )
        except Exception as exc:
            logger.warning("the repair request to %s failed: %s", bad.requested_model, exc)
            return None

    def _call(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        messages: list[dict],
        max_tokens: int,
        response_format: dict | None,
        verdict: VerdictPreview | None = None,
    ) -> _Output:
        started = time.monotonic()
        extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
        if verdict is not None:
            return self._call_streamed(client, model, messages=messages, max_tokens=max_tokens, extra=extra,
                                       verdict=verdict, started=started)  # fmt: skip
        response = client.chat.completions.create(
            model=model,
            messages=messages,
            temperature=self.config.temperature,
            max_tokens=max_tokens,
            **extra,
        )
        latency_ms = int((time.monotonic() - started) * 1000)
        choice = response.choices[0] if response.choices else None
        message = choice.message if choice else None
        usage = response.usage
        return _Output(
            content=((message.content if message else None) or "").strip(),
            refusal=message.refusal if message else None,
            requested_model=model,
            model=response.model or model,
            finish_reason=(choice.finish_reason if choice else None) or "",
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            latency_ms=latency_ms,
        )

    def _call_streamed(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        messages: list[dict],
        max_tokens: int,
        extra: dict[str, Any],
        verdict: VerdictPreview,
        started: float,
    ) -> _Output:
        """The same completion, streamed: its pieces go to `verdict` as they arrive."""
        stream = client.chat.completions.create(
            model=model,
            messages=messages,
            temperature=self.config.temperature,
            max_tokens=max_tokens,
            stream=True,
            stream_options={"include_usage": True},
            **extra,
        )
        content: list[str] = []
        refusal: list[str] = []
        finish_reason, answered_by, usage = "", model, None
        with stream:  # closes the HTTP response however the loop ends
            for chunk in stream:
                # The SDK's timeout bounds each read, not a stream that keeps trickling: the whole
                # stream gets OPENAI_TIMEOUT too, so a turn ends well inside its lease.
                if time.monotonic() - started > self.config.timeout:
                    raise ProviderError("The interviewer took too long to answer.", code="llm_timeout", retryable=True)
                answered_by = chunk.model or answered_by
                usage = chunk.usage or usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.delta.content:
                    content.append(choice.delta.content)
                    verdict.feed(choice.delta.content)
                if choice.delta.refusal:
                    refusal.append(choice.delta.refusal)
                finish_reason = choice.finish_reason or finish_reason
        return _Output(
            content="".join(content).strip(),
            refusal="".join(refusal) or None,
            requested_model=model,
            model=answered_by,
            finish_reason=finish_reason,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            latency_ms=int((time.monotonic() - started) * 1000),
        )


class VerdictPreview:
    """Reads a judgement's JSON as it streams in and passes on the text of its `verdict` as it grows
    (the schema puts it first). Should `kind` come before it and say the reply will not start with
    the verdict (a clarification or a steer back), nothing is passed on; a verdict previewed for such
    a message (the prompt asks for none) is corrected by the stored reply. Tolerant of any cut between
    pieces."""

    _KIND = re.compile(r'"kind"\s*:\s*"(\w+)"')
    _VERDICT = re.compile(r'"verdict"\s*:\s*"')
    _ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

    def __init__(self, sink: TextSink) -> None:
        self.sink = sink
        self.buffer = ""
        self.start: int | None = None  # where the verdict's string begins in the buffer
        self.read = 0  # how far into it has been decoded
        self.done = False
        self.sent = ""

    def again(self) -> VerdictPreview | None:
        """A preview for another attempt at the completion (the fallback model): a fresh one reading
        a fresh JSON, or None once this one has passed text on (the listener has heard a beginning)."""
        return None if self.sent else VerdictPreview(self.sink)

    def feed(self, piece: str) -> None:
        # A preview must never fail the turn: anything unexpected ends the preview, not the call.
        try:
            self._feed(piece)
        except Exception:
            logger.warning("verdict preview stopped on unexpected input", exc_info=True)
            self.done = True

    def _feed(self, piece: str) -> None:
        if self.done:
            return
        self.buffer += piece
        if self.start is None:
            found = self._VERDICT.search(self.buffer)
            if found is None:
                return
            kind = self._KIND.search(self.buffer, 0, found.start())
            if kind is not None and kind.group(1) not in (ANSWER, NON_ANSWER):
                self.done = True
                return
            self.start = self.read = found.end()
        text, self.read, self.done = self._decode(self.read)
        if text:
            self.sent += text
            self.sink(text)

    def _decode(self, position: int) -> tuple[str, int, bool]:
        """The string's characters from `position` that are complete so far, where to go on from, and
        whether the closing quote was reached. An escape cut by the piece boundary waits for the rest."""
        out = []
        buffer = self.buffer
        while position < len(buffer):
            char = buffer[position]
            if char == '"':
                return "".join(out), position + 1, True
            if char != "\\":
                out.append(char)
                position += 1
                continue
            if position + 1 >= len(buffer):
                break
            code = buffer[position + 1]
            if code == "u":
                if position + 6 > len(buffer):
                    break
                unit = int(buffer[position + 2 : position + 6], 16)
                if 0xD800 <= unit < 0xDC00:  # a surrogate pair (an emoji): wait for its second half
                    if position + 12 > len(buffer):
                        break
                    second = buffer[position + 6 : position + 12]
                    low = int(second[2:], 16) if second.startswith("\\u") else -1
                    if 0xDC00 <= low < 0xE000:
                        out.append(chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)))
                        position += 12
                        continue
                    unit = 0xFFFD  # half a pair: what JSON decoders make of it
                elif 0xDC00 <= unit < 0xE000:
                    unit = 0xFFFD
                out.append(chr(unit))
                position += 6
            else:
                out.append(self._ESCAPES.get(code, code))
                position += 2
        return "".join(out), position, False


# -- the judgement ------------------------------------------------------------------


def reaction_from(output: _Output, context: TurnContext) -> Reaction:
    """The `Reaction` a completion states, validated against the context; raises InvalidOutput.

    Its usage is this completion's; `react` replaces it with the turn's total."""
    points = context.current.key_points if context.current else []
    personal = prompts.personal_upcoming(context)
    data = validated_judgement(output, rubric_size=len(points), personal=personal, language=context.language)
    kind = data["kind"]
    texts = [p["text"] for p in points]
    covered = _unique(data["covered"]) if kind == ANSWER else []
    missed = []
    if kind in (ANSWER, NON_ANSWER):
        # The model's order first (its most important miss leads), then any point it did not report.
        reported = [n for n in _unique(data["missed"]) if n not in covered]
        missed = reported + [n for n in range(1, len(texts) + 1) if n not in covered and n not in reported]
    scores = {name: _clamped(data["scores"][name]) if kind == ANSWER else None for name in prompts.SCORE_NAMES}
    message = context.history[-1].content if context.history else ""
    judgement = Judgement(
        kind=kind,
        **scores,
        feedback=data["feedback"].strip(),
        covered=[texts[n - 1] for n in covered],
        missed=[texts[n - 1] for n in missed],
        language=language_of(message) or context.language,
        judge=OPENAI_JUDGE,
    )
    return Reaction(
        judgement=judgement,
        verdict=data["verdict"].strip(),
        usage=_usage_of([output]),
        clarification=data["clarification"].strip() if kind == CLARIFICATION else "",
        follow_up=data["follow_up"].strip() if kind == ANSWER else "",
        personal_question=data["personal_question"].strip() if personal else "",
    )


def validated_judgement(output: _Output, *, rubric_size: int, personal: bool, language: str) -> dict:
    """The completion's JSON object if it is a usable judgement, else InvalidOutput naming every problem.

    Scores must be integers (they are clamped later, not refused); key point numbers must be in the
    rubric (1-based) and not both covered and missed; texts are bounded as the prompt says, written in
    the interview's `language` (a model may answer a Korean interview in English, especially when the
    candidate wrote English), the verdict is one line, and a kind's own text (verdict, clarification)
    is not empty."""
    if output.refusal:
        raise InvalidOutput(f"the model refused: {output.refusal[:200]}")
    if output.finish_reason == "length":
        raise InvalidOutput("the JSON was cut off at the token limit; keep every text shorter")
    if not output.content:
        raise InvalidOutput("the reply was empty")
    try:
        data = json.loads(output.content)
    except ValueError as exc:
        raise InvalidOutput(f"the reply is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise InvalidOutput("the reply must be one JSON object")

    expected = set(prompts.REACTION_SCHEMA["required"])
    problems = []
    if missing := sorted(expected - set(data)):
        problems.append(f"missing properties: {', '.join(missing)}")
    if unexpected := sorted(set(data) - expected):
        problems.append(f"unexpected properties: {', '.join(unexpected)}")
    if "kind" in data and data["kind"] not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}")
    if "scores" in data:
        problems += _score_problems(data["scores"])
    for name in ("covered", "missed"):
        if name in data:
            problems += _number_problems(name, data[name], rubric_size)
    both = sorted(set(_ints(data.get("covered"))) & set(_ints(data.get("missed"))))
    if both:
        problems.append(f"key points both covered and missed: {both}")
    limits = {
        "feedback": prompts.FEEDBACK_MAX_WORDS,
        "verdict": prompts.VERDICT_MAX_WORDS,
        "clarification": prompts.CLARIFICATION_MAX_WORDS,
        "follow_up": prompts.FOLLOW_UP_MAX_WORDS,
        "personal_question": prompts.PERSONAL_QUESTION_MAX_WORDS if personal else None,
    }
    for name, limit in limits.items():
        value = data.get(name)
        if name not in data:
            continue
        if not isinstance(value, str):
            problems.append(f"{name} must be a string")
        elif limit is not None and _too_long(value, limit):
            problems.append(f"{name} is longer than {limit} words")
    if problems:
        raise InvalidOutput("; ".join(problems))
    for name in limits:
        written_in = language_of(data[name]) if name in data else None
        if written_in is not None and written_in != language:
            problems.append(
                f"{name} must be written in {LANGUAGE_NAMES.get(language, language)}, the interview's language"
            )
    if "\n" in data["verdict"].strip():
        problems.append("verdict must be one sentence on one line")
    if data["kind"] in (ANSWER, NON_ANSWER) and not data["verdict"].strip():
        problems.append("verdict is empty")
    if data["kind"] == CLARIFICATION and not data["clarification"].strip():
        problems.append("clarification is empty for a clarifying question")
    if problems:
        raise InvalidOutput("; ".join(problems))
    return data


def _score_problems(scores: Any) -> list[str]:
    if not isinstance(scores, dict):
        return ["scores must be an object"]
    problems = []
    if set(scores) != set(prompts.SCORE_NAMES):
        problems.append(f"scores must have exactly {', '.join(prompts.SCORE_NAMES)}")
    problems += [f"scores.{name} must be an integer" for name, value in scores.items() if not _is_int(value)]
    return problems


def _number_problems(name: str, value: Any, rubric_size: int) -> list[str]:
    if not isinstance(value, list) or not all(_is_int(n) for n in value):
        return [f"{name} must be a list of key point numbers"]
    if outside := [n for n in value if not 1 <= n <= rubric_size]:
        allowed = f"1 to {rubric_size}" if rubric_size else "none (the question has no rubric)"
        return [f"{name} has numbers outside the rubric {outside}; allowed: {allowed}"]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(values: Any) -> list[int]:
    return [v for v in values if _is_int(v)] if isinstance(values, list) else []


def _unique(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


def _clamped(score: int) -> int:
    return max(1, min(5, score))


def _too_long(text: str, words: int) -> bool:
    # Korean and other text with few spaces is bounded by characters too.
    return len(text.split()) > words or len(text) > words * 8


def _distrusted(judgement: Judgement, context: TurnContext) -> bool:
    """A message that looks like an injection attempt, which the model judged a good answer."""
    message = context.history[-1].content if context.history else ""
    if judgement.kind != ANSWER or not looks_like_injection(message):
        return False
    scores = (judgement.correctness, judgement.depth, judgement.communication)
    return max(s or 0 for s in scores) > INJECTION_TRUSTED_SCORE


def _practice_reaction(context: TurnContext, usage: Usage) -> Reaction:
    """The practice interviewer's reaction (its judge, verdict, clarification and probe), marked as a
    fallback and carrying the LLM usage the turn spent."""
    practice = PracticeProvider().react(context)
    return replace(practice, judgement=replace(practice.judgement, judge=FALLBACK_JUDGE), usage=usage)


def _usage_of(outputs: list[_Output]) -> Usage:
    """The turn's usage: the last model that answered, tokens and latency summed over every request."""
    last = outputs[-1]

    def total(values: list[int | None]) -> int | None:
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    return Usage(
        model=last.model,
        finish_reason=last.finish_reason,
        prompt_tokens=total([o.prompt_tokens for o in outputs]),
        completion_tokens=total([o.completion_tokens for o in outputs]),
        latency_ms=sum(o.latency_ms for o in outputs),
    )


# -- greeting and summary -----------------------------------------------------------


def _greeting_problem(output: _Output) -> str | None:
    text = output.content
    if output.refusal or not text:
        return "empty"
    if output.finish_reason == "length":
        return "cut off"
    if "?" in text or "\N{FULLWIDTH QUESTION MARK}" in text:
        return "asks a question"
    if _too_long(text, prompts.GREETING_MAX_WORDS):
        return "too long"
    return None


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _summary_problem(output: _Output, report: dict) -> str | None:
    text = output.content
    if output.refusal or not text:
        return "empty"
    if output.finish_reason == "length":
        return "cut off"
    if _too_long(text, prompts.SUMMARY_MAX_WORDS):
        return "too long"
    # The report's numbers (and the 100 its scores are out of) are the only ones the prose may state.
    known = set(_NUMBER.findall(json.dumps(report, ensure_ascii=False))) | {"100"}
    if invented := sorted(set(_NUMBER.findall(text)) - known):
        return f"states numbers the report does not hold: {', '.join(invented)}"
    return None


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
    if isinstance(exc, json.JSONDecodeError | ValueError | openai.APIResponseValidationError):
        logger.warning("malformed LLM response: %s", exc)
        return ProviderError("The interviewer gave an unusable answer.", retryable=True)
    logger.exception("unexpected LLM failure")
    return ProviderError("The interviewer is unavailable right now.", retryable=True)
