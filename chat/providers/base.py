"""The contract between the turn flow and an interviewer provider.

A provider is an object with `name` and two methods, each returning a `Completion` or raising
`ProviderError` (never a vendor exception):
- `next_turn(context)`: the interviewer's next message (the opening question when history is empty,
  otherwise a reaction to the candidate's last answer plus the next question or a follow-up);
- `closing_report(context)`: a plain-language summary of the whole interview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class BankQuestion:
    id: int
    topic: str
    question: str
    model_answer: str
    key_points: list[dict]


@dataclass(frozen=True)
class Turn:
    role: str  # "assistant" | "user"
    content: str
    question_id: int | None = None


@dataclass(frozen=True)
class TurnContext:
    position: str
    topic: str
    language: str
    history: list[Turn]
    # Bank questions relevant to the interview, best match first; they ground the interviewer.
    bank: list[BankQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class Completion:
    content: str
    model: str
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None
    question_id: int | None = None  # the bank question this message asks, when the provider knows


class ProviderError(Exception):
    """An interviewer that could not answer. `code` is llm_unavailable or llm_timeout."""

    def __init__(self, message: str, *, code: str = "llm_unavailable", retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable


class Provider(Protocol):
    name: str

    def next_turn(self, context: TurnContext) -> Completion: ...

    def closing_report(self, context: TurnContext) -> Completion: ...
