"""The interviewer turn flow: start, answer, retry, finish.

Every turn follows one order, so a failure never loses stored data and never charges a user:
reserve one quota unit -> store what the candidate sent -> call the LLM with no database connection
held -> store the reply. Any failure after the reservation refunds it; a candidate's answer, once
stored, is never deleted, and stays marked `awaiting_reply` until exactly one reply exists.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors import QuotaStatus, quota_status
from accounts.services import quota_refund, quota_reserve
from chat.providers import get_provider
from chat.providers.base import Completion, ProviderError, TurnContext
from config.errors import ApplicationError, ConflictError
from interviews.models import Interview, Message
from interviews.selectors import bank_for_interview, interview_get_for_owner, pending_answer, turn_history
from speech.services import clip_for_text, clip_schedule

logger = logging.getLogger(__name__)
T = TypeVar("T")


class InterviewFinished(ConflictError):
    code = "interview_finished"
    default_message = "This interview is finished; start a new one to keep practising."


class AnswerPending(ConflictError):
    code = "answer_pending"
    default_message = "Your previous answer is still waiting for a reply; POST /retry/ to get it."


class ReplyInProgress(ConflictError):
    code = "reply_in_progress"
    default_message = "The reply to this answer is being produced right now; try again in a moment."

    def __init__(self) -> None:
        super().__init__(details={"retryable": True}, headers={"Retry-After": "2"})


class NothingToRetry(ConflictError):
    code = "nothing_to_retry"
    default_message = "No answer is waiting for a reply."


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


def _lease_until() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.CHAT_REPLY_LEASE_SECONDS)


def _release_db_connection() -> None:
    # The LLM may take many seconds; hand the connection back to the pool meanwhile so that slow
    # LLM calls do not cap the database connections. (Inside a test's transaction there is none to give.)
    if not connection.in_atomic_block:
        connection.close()


def _context(interview: Interview, *, seed: int) -> TurnContext:
    history = turn_history(interview=interview) if interview.pk else []
    return TurnContext(
        position=interview.position,
        topic=interview.topic,
        language=interview.language,
        history=history,
        bank=bank_for_interview(
            position=interview.position, topic=interview.topic, language=interview.language, seed=seed
        ),
    )


def _charged(user: User, status: QuotaStatus, work: Callable[[], T]) -> T:
    """Run `work` on a reserved unit; any failure gives the unit back before propagating."""
    try:
        return work()
    except ProviderError as exc:
        quota_refund(user=user, day=status.day)
        raise LLMFailure(exc) from exc
    except BaseException:
        quota_refund(user=user, day=status.day)
        raise


def _assistant_message(interview: Interview, completion: Completion, *, reply_to: Message | None) -> Message:
    clip = clip_for_text(text=completion.content, language=interview.language)
    return Message.objects.create(
        interview=interview,
        role=Message.Role.ASSISTANT,
        content=completion.content,
        reply_to=reply_to,
        question_id=completion.question_id,
        model=completion.model[:100],
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        latency_ms=completion.latency_ms,
        finish_reason=(completion.finish_reason or "")[:32],
        audio_clip=clip,
    )


def _after_reply_stored(message: Message) -> None:
    """Start synthesizing the reply's audio once it is committed, so the clip is usually ready by
    the time the browser asks for it; the text reply never waits for it."""
    if message.audio_clip_id:
        transaction.on_commit(partial(clip_schedule, key=message.audio_clip_id))


def interview_start(*, user: User, position: str, topic: str, language: str, is_public: bool) -> StartResult:
    """Start an interview: one quota unit for the opening question.

    The interview row and its first message are written together after the LLM answered, so a
    failed start leaves nothing behind.
    """
    status = quota_reserve(user=user)
    draft = Interview(owner=user, position=position, topic=topic.strip(), language=language, is_public=is_public)

    def work() -> StartResult:
        context = _context(draft, seed=random.getrandbits(32))
        _release_db_connection()
        completion = get_provider().next_turn(context)
        with transaction.atomic():
            draft.save()
            first = _assistant_message(draft, completion, reply_to=None)
        _after_reply_stored(first)
        draft.message_count = 1
        return StartResult(interview=draft, messages=[first], quota=status)

    return _charged(user, status, work)


def answer_submit(*, user: User, interview_id: int, content: str, idempotency_key: str | None = None) -> TurnResult:
    """Store the candidate's answer and produce the interviewer's reply (one quota unit).

    With an idempotency key, a repeat returns the first result (same ids) without a new charge.
    """
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    if idempotency_key:
        earlier = Message.objects.filter(interview=interview, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return _replay(user=user, interview=interview, answer=earlier)
    if interview.is_finished:
        raise InterviewFinished()
    if pending_answer(interview=interview) is not None:
        raise AnswerPending()

    status = quota_reserve(user=user)
    try:
        with transaction.atomic():
            answer = Message.objects.create(
                interview=interview,
                role=Message.Role.USER,
                content=content,
                awaiting_reply=True,
                reply_lease_until=_lease_until(),
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        # A concurrent request won: same idempotency key (replay it) or another pending answer.
        quota_refund(user=user, day=status.day)
        if idempotency_key:
            earlier = Message.objects.filter(interview=interview, idempotency_key=idempotency_key).first()
            if earlier is not None:
                return _replay(user=user, interview=interview, answer=earlier)
        raise AnswerPending() from None
    except BaseException:
        quota_refund(user=user, day=status.day)
        raise
    return _produce_reply(user=user, interview=interview, answer=answer, status=status)


def answer_retry(*, user: User, interview_id: int) -> TurnResult:
    """Produce the reply for the answer still waiting for one (after an LLM failure)."""
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    if interview.is_finished:
        raise InterviewFinished()
    answer = pending_answer(interview=interview)
    if answer is None:
        raise NothingToRetry()
    return _retry(user=user, interview=interview, answer=answer)


def _retry(*, user: User, interview: Interview, answer: Message) -> TurnResult:
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=answer.pk, awaiting_reply=True)
        .filter(Q(reply_lease_until__isnull=True) | Q(reply_lease_until__lt=now))
        .update(reply_lease_until=_lease_until())
    )
    if not claimed:
        reply = Message.objects.filter(reply_to=answer).first()
        if reply is not None:  # finished by a concurrent request in the meantime
            return TurnResult(answer=answer, reply=reply, quota=quota_status(user=user), replayed=True)
        raise ReplyInProgress()
    try:
        status = quota_reserve(user=user)
    except BaseException:
        Message.objects.filter(pk=answer.pk).update(reply_lease_until=None)
        raise
    return _produce_reply(user=user, interview=interview, answer=answer, status=status)


def _replay(*, user: User, interview: Interview, answer: Message) -> TurnResult:
    reply = Message.objects.filter(reply_to=answer).first()
    if reply is not None:
        return TurnResult(answer=answer, reply=reply, quota=quota_status(user=user), replayed=True)
    # The first attempt with this key has no reply yet: it failed (retry it) or is still running.
    if interview.is_finished:
        raise InterviewFinished()
    return _retry(user=user, interview=interview, answer=answer)


def _produce_reply(*, user: User, interview: Interview, answer: Message, status: QuotaStatus) -> TurnResult:
    def work() -> TurnResult:
        context = _context(interview, seed=interview.pk)
        _release_db_connection()
        completion = get_provider().next_turn(context)
        with transaction.atomic():
            reply = _assistant_message(interview, completion, reply_to=answer)
            Message.objects.filter(pk=answer.pk).update(awaiting_reply=False, reply_lease_until=None)
        answer.awaiting_reply = False
        _after_reply_stored(reply)
        return TurnResult(answer=answer, reply=reply, quota=status)

    try:
        return _charged(user, status, work)
    except BaseException:
        # The answer stays stored and pending; free it at once for /retry/.
        Message.objects.filter(pk=answer.pk, awaiting_reply=True).update(reply_lease_until=None)
        raise


def interview_finish(*, user: User, interview_id: int) -> FinishResult:
    """Close the interview with a summary report (one quota unit). Finishing twice charges once."""
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    if interview.is_finished:
        return FinishResult(interview=interview, report=interview.report, quota=quota_status(user=user))
    status = quota_reserve(user=user)

    def work() -> FinishResult:
        context = _context(interview, seed=interview.pk)
        _release_db_connection()
        completion = get_provider().closing_report(context)
        now = timezone.now()
        with transaction.atomic():
            finished = Interview.objects.filter(pk=interview.pk, status=Interview.Status.ACTIVE).update(
                status=Interview.Status.FINISHED, report=completion.content, finished_at=now, updated_at=now
            )
            # An answer left without a reply is covered by the report; it no longer waits.
            Message.objects.filter(interview=interview, awaiting_reply=True).update(
                awaiting_reply=False, reply_lease_until=None
            )
        if not finished:  # a concurrent finish got there first: that one was charged, not this one
            quota_refund(user=user, day=status.day)
            fresh = interview_get_for_owner(user=user, interview_id=interview.pk)
            return FinishResult(interview=fresh, report=fresh.report, quota=quota_status(user=user))
        interview.status, interview.report, interview.finished_at = Interview.Status.FINISHED, completion.content, now
        return FinishResult(interview=interview, report=completion.content, quota=status)

    return _charged(user, status, work)
