"""The contract between the turn flow and an interviewer provider.

The server runs the interview: it decides the plan, the stage, which question comes next, whether a
follow-up is asked, and it composes the spoken message (chat/script.py). A provider only judges and
words things. It is an object with `name` and three methods, each returning its result or raising
`ProviderError` (never a vendor exception):
- `greeting(context)`: one or two sentences welcoming the candidate (no question: the server appends
  the plan's first question);
- `react(context, on_text=None)`: a `Reaction` to the candidate's last message (`context.history[-1]`),
  which answers `context.current`: the message's `Judgement` (kind, scores, key points), one spoken
  sentence of verdict, and, when they apply, an answer to a clarifying question (without the
  solution), a follow-up probing a missed point (without naming it), and a personal question for
  `context.upcoming`. Given `on_text`, a provider that produces the verdict gradually (an LLM) calls
  it with each new piece of the verdict of an answer or a non-answer as it arrives, in order; the
  pieces are a preview, the returned Reaction is the truth (a repair may change the verdict);
- `summarize(context, report)`: a short prose summary of a report whose numbers the server computed
  (the provider may word them, never change them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

# Called with each new piece of streamed text (see `react`).
TextSink = Callable[[str], None]

# Judgement kinds (interviews.models.Evaluation.Kind): only an answer is scored.
ANSWER, CLARIFICATION, OFF_TOPIC, NON_ANSWER = "answer", "clarification", "off_topic", "non_answer"
KINDS = (ANSWER, CLARIFICATION, OFF_TOPIC, NON_ANSWER)


@dataclass(frozen=True)
class BankQuestion:
    id: int
    topic: str
    question: str
    model_answer: str
    # [{"text", "keywords", "synonyms", "probe"}]; see interviews.models.Question.key_points
    key_points: list[dict]
    language: str = "en"
    # The same question in the bank's other language, its key points in the same order, so an answer
    # in that language is understood and credited with this question's points.
    twin: BankQuestion | None = None


@dataclass(frozen=True)
class Asked:
    """The question in play: what the candidate is answering, and what it is judged against."""

    stage: str
    slot: int
    text: str  # the question as the interviewer asked it
    bank: BankQuestion | None = None  # a bank question, or None for a question built from the CV or JD
    key_points: list[dict] = field(default_factory=list)  # the rubric (the bank question's, or the built one's)
    follow_up: bool = False  # a follow-up on `bank`'s missed points
    focus: str = ""  # what a personal question is about ("Kubernetes", a project's name)

    @property
    def model_answer(self) -> str:
        return self.bank.model_answer if self.bank else ""


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
    # The question the candidate's last message answers (None at the greeting, or for an interview
    # started before plans existed that asked nothing from the bank).
    current: Asked | None = None
    # The next planned question, if any: a provider may word a personal one (openai).
    upcoming: Asked | None = None
    # The position's bank questions in the interview's language (with twins): an answer that matches
    # another question better than the one asked is not credited for this one.
    bank: list[BankQuestion] = field(default_factory=list)
    # What grounds the personal stage: the CV's text and summary, the job description.
    cv_text: str = ""
    cv_summary: dict = field(default_factory=dict)
    job_description: str = ""


@dataclass(frozen=True)
class Judgement:
    kind: str  # one of KINDS
    # 1-5 each for an answer; None otherwise.
    correctness: int | None = None
    depth: int | None = None
    communication: int | None = None
    feedback: str = ""  # for the screen: what was good, what was missing (may name key points)
    covered: list[str] = field(default_factory=list)  # key point texts, in the interview's language
    missed: list[str] = field(default_factory=list)
    language: str = ""  # the language the message was written in ("en" / "ko")
    judge: str = ""  # "practice", "openai", "practice-fallback"
    mismatched: bool = False  # an answer to another question than the one asked

    @property
    def scored(self) -> bool:
        return self.kind == ANSWER


@dataclass(frozen=True)
class Usage:
    model: str
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None


@dataclass(frozen=True)
class Completion:
    content: str
    model: str
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None

    @property
    def usage(self) -> Usage:
        return Usage(self.model, self.finish_reason, self.prompt_tokens, self.completion_tokens, self.latency_ms)


@dataclass(frozen=True)
class Reaction:
    judgement: Judgement
    verdict: str  # one short spoken sentence about the answer (no key-point lists, no model answer)
    usage: Usage
    clarification: str = ""  # for a clarifying question: the answer, without giving the solution
    follow_up: str = ""  # a question probing the most important missed point without stating it
    personal_question: str = ""  # a wording of `context.upcoming` when it is a personal question


class ProviderError(Exception):
    """An interviewer that could not answer. `code` is llm_unavailable or llm_timeout."""

    def __init__(self, message: str, *, code: str = "llm_unavailable", retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable


class Provider(Protocol):
    name: str

    def greeting(self, context: TurnContext) -> Completion: ...

    def react(self, context: TurnContext, on_text: TextSink | None = None) -> Reaction: ...

    def summarize(self, context: TurnContext, report: dict) -> Completion: ...
