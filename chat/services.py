"""The interviewer's turn flow: start, answer, retry, finish.

Every turn follows one straight line, so a failure never loses stored data and never charges a
user for a turn they did not get:
quota (accounts) -> store what the candidate sent (interviews) -> call the provider with no
database connection held -> store the reply (interviews) -> synthesize its audio after commit (speech).
`quota_charge` refunds the unit on any failure; a candidate's answer, once stored, is never
deleted and stays waiting until exactly one reply exists (`/retry/` produces it after a failure).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from accounts.selectors import QuotaStatus, quota_status
from accounts.services import quota_charge
from chat.providers import get_provider
from chat.providers.base import BankQuestion, Completion, ProviderError, Turn, TurnContext
from config.errors import ApplicationError, ConflictError
from interviews.models import Interview, Message
from interviews.selectors import (
    answer_get_by_idempotency_key,
    answer_pending,
    interview_get_for_owner,
    question_list_ranked,
    reply_for_answer,
    transcript,
)
from interviews.services import (
    AnswerPending,
    ReplyRecord,
    answer_claim_reply,
    answer_create,
    answer_release,
    interview_close,
    interview_create,
    reply_store,
)
from speech.services import clip_for_text, clip_schedule


class InterviewFinished(ConflictError):
    code = "interview_finished"
    default_message = "This interview is finished; start a new one to keep practising."


class ReplyInProgress(ConflictError):
    code = "reply_in_progress"
    default_message = "The reply to this answer is being produced right now; try again in a moment."

    def __init__(self) -> None:
        super().__init__(details={"retryable": True}, headers={"Retry-After": "2"})


class NothingToRetry(ConflictError):
    code = "nothing_to_retry"
    default_message = "No answer is waiting for a reply."


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different body; send a new key for a new answer."


class LLMFailure(ApplicationError):
    def __init__(self, error: ProviderError) -> None:
        super().__init__(
            error.message + (" Your answer is saved; nothing was charged." if error.retryable else ""),
            code=error.code,
            status_code=504 if error.code == "llm_timeout" else 503,
            details={"retryable": error.retryable},
            headers={"Retry-After": "5"} if error.retryable else {},
        )


@dataclass(frozen=True)
class StartResult:
    interview: Interview
    messages: list[Message]
    quota: QuotaStatus


@dataclass(frozen=True)
class TurnResult:
    answer: Message
    reply: Message
    quota: QuotaStatus
    replayed: bool = False


@dataclass(frozen=True)
class FinishResult:
    interview: Interview
    report: str
    quota: QuotaStatus


def interview_start(
    *, user: User, position: str, topic: str, language: str, is_public: bool, is_anonymous: bool = False
) -> StartResult:
    """Start an interview: one quota unit for the opening question.

    The interview and its first message are stored together once the provider answered, so a
    failed start leaves nothing behind.
    """
    with quota_charge(user=user) as unit:
        context = _context(position=position, topic=topic, language=language, history=[], seed=random.getrandbits(32))
        completion = _ask(get_provider().next_turn, context)
        interview, first = interview_create(
            owner=user,
            position=position,
            topic=topic,
            language=language,
            is_public=is_public,
            is_anonymous=is_anonymous,
            opening=_record(completion, language=language),
        )
        unit.consumed()
    _synthesize_after_commit(first)
    return StartResult(interview=interview, messages=[first], quota=unit.status)


def answer_submit(*, user: User, interview_id: int, content: str, idempotency_key: str | None = None) -> TurnResult:
    """Store the candidate's answer and produce the interviewer's reply (one quota unit).

    With an idempotency key, a repeat with the same body returns the first result (same ids) without
    a new charge; the key with another body raises IdempotencyKeyReused (nothing stored or charged).
    """
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    fingerprint = answer_fingerprint(content=content)
    if idempotency_key and (earlier := answer_get_by_idempotency_key(interview=interview, key=idempotency_key)):
        return _replay(user=user, interview=interview, answer=earlier, fingerprint=fingerprint)
    if interview.is_finished:
        raise InterviewFinished()
    if answer_pending(interview=interview) is not None:
        raise AnswerPending()

    with quota_charge(user=user) as unit:
        try:
            answer = answer_create(
                interview=interview,
                content=content,
                idempotency_key=idempotency_key,
                idempotency_fingerprint=fingerprint,
                lease_seconds=settings.CHAT_REPLY_LEASE_SECONDS,
            )
        except AnswerPending:
            # A concurrent request won the race: with this idempotency key, its result is ours, if it
            # was sent with the same body (else _replay refuses it, and the unit is refunded either way).
            earlier = idempotency_key and answer_get_by_idempotency_key(interview=interview, key=idempotency_key)
            if not earlier:
                raise
            unit.hand_back()
            return _replay(user=user, interview=interview, answer=earlier, fingerprint=fingerprint)
        with _lease_freed_on_failure(answer):
            reply = _reply(interview=interview, answer=answer)
        unit.consumed()
    _synthesize_after_commit(reply)
    return TurnResult(answer=answer, reply=reply, quota=unit.status)


def answer_retry(*, user: User, interview_id: int) -> TurnResult:
    """Produce the reply for the answer still waiting for one (after an LLM failure)."""
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    if interview.is_finished:
        raise InterviewFinished()
    answer = answer_pending(interview=interview)
    if answer is None:
        raise NothingToRetry()
    return _retry(user=user, interview=interview, answer=answer)


def interview_finish(*, user: User, interview_id: int) -> FinishResult:
    """Close the interview with a summary report (one quota unit). Finishing twice charges once."""
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    if interview.is_finished:
        return FinishResult(interview=interview, report=interview.report, quota=quota_status(user=user))
    with quota_charge(user=user) as unit:
        context = _interview_context(interview)
        completion = _ask(get_provider().closing_report, context)
        if not interview_close(interview=interview, report=_record(completion, language=None)):
            # A concurrent finish got there first: that one was charged, not this one.
            unit.hand_back()
            interview = interview_get_for_owner(user=user, interview_id=interview.pk)
            return FinishResult(interview=interview, report=interview.report, quota=quota_status(user=user))
    return FinishResult(interview=interview, report=interview.report, quota=unit.status)


def _retry(*, user: User, interview: Interview, answer: Message) -> TurnResult:
    if not answer_claim_reply(answer=answer, lease_seconds=settings.CHAT_REPLY_LEASE_SECONDS):
        reply = reply_for_answer(answer=answer)
        if reply is not None:  # finished by a concurrent request in the meantime
            return TurnResult(answer=answer, reply=reply, quota=quota_status(user=user), replayed=True)
        raise ReplyInProgress()
    with _lease_freed_on_failure(answer), quota_charge(user=user) as unit:
        reply = _reply(interview=interview, answer=answer)
        unit.consumed()
    _synthesize_after_commit(reply)
    return TurnResult(answer=answer, reply=reply, quota=unit.status)


def answer_fingerprint(*, content: str) -> str:
    """SHA-256 of the answer's canonical body: its validated fields (content after trimming) as
    sorted, compact JSON. A field added later (spoken_seconds) joins only when sent, so the
    fingerprints already stored keep matching the bodies they were made from."""
    canonical = json.dumps({"content": content}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_same_body(answer: Message, fingerprint: str) -> None:
    # Answers stored before fingerprints existed have none: they match any body, as they did then.
    if answer.idempotency_fingerprint and answer.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused()


def _replay(*, user: User, interview: Interview, answer: Message, fingerprint: str) -> TurnResult:
    _check_same_body(answer, fingerprint)
    reply = reply_for_answer(answer=answer)
    if reply is not None:
        return TurnResult(answer=answer, reply=reply, quota=quota_status(user=user), replayed=True)
    # The first attempt with this key has no reply yet: it failed (retry it) or is still running.
    if interview.is_finished:
        raise InterviewFinished()
    return _retry(user=user, interview=interview, answer=answer)


def _reply(*, interview: Interview, answer: Message) -> Message:
    context = _interview_context(interview)
    completion = _ask(get_provider().next_turn, context)
    return reply_store(interview=interview, answer=answer, reply=_record(completion, language=interview.language))


@contextmanager
def _lease_freed_on_failure(answer: Message) -> Iterator[None]:
    """On failure the answer stays stored and waiting; free its lease at once for /retry/."""
    try:
        yield
    except BaseException:
        answer_release(answer=answer)
        raise


def _ask(call: Callable[[TurnContext], Completion], context: TurnContext) -> Completion:
    """Call the provider with no database connection held; its failure becomes a 503/504."""
    # The LLM may take many seconds; hand the connection back to the pool meanwhile, so slow LLM
    # calls do not cap the database connections. (Inside a test's transaction there is none to give.)
    if not connection.in_atomic_block:
        connection.close()
    try:
        return call(context)
    except ProviderError as exc:
        raise LLMFailure(exc) from exc


def _record(completion: Completion, *, language: str | None) -> ReplyRecord:
    """The provider's text as interviews stores it, with its usage figures and, when spoken in
    `language`, the key of its (not yet synthesized) audio clip. Reports are read, not spoken."""
    return ReplyRecord(
        content=completion.content,
        model=completion.model,
        question_id=completion.question_id,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        latency_ms=completion.latency_ms,
        finish_reason=completion.finish_reason or "",
        audio_clip_key=clip_for_text(text=completion.content, language=language) if language else None,
    )


def _synthesize_after_commit(message: Message) -> None:
    """Synthesize the reply's audio in the background once it is committed, so the clip is usually
    ready by the time the browser asks for it; the text reply never waits for it."""
    if message.audio_clip_id:
        transaction.on_commit(partial(clip_schedule, key=message.audio_clip_id))


def _interview_context(interview: Interview) -> TurnContext:
    history = [Turn(role=e.role, content=e.content, question_id=e.question_id) for e in transcript(interview=interview)]
    return _context(
        position=interview.position,
        topic=interview.topic,
        language=interview.language,
        history=history,
        seed=interview.pk,
    )


def _context(*, position: str, topic: str, language: str, history: list[Turn], seed: int) -> TurnContext:
    bank = bank_for_interview(position=position, topic=topic, language=language, seed=seed)
    return TurnContext(position=position, topic=topic.strip(), language=language, history=history, bank=bank)


def bank_for_interview(*, position: str, topic: str, language: str, seed: int) -> list[BankQuestion]:
    """The bank questions that ground the interviewer, best topic match first (see question_list_ranked)."""
    return [
        BankQuestion(id=q.pk, topic=q.topic, question=q.question, model_answer=q.model_answer, key_points=q.key_points)
        for q in question_list_ranked(position=position, topic=topic, language=language, seed=seed)
    ]
