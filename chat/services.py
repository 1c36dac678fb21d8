"""The interviewer's turn flow: start, answer, retry, finish.

Every turn follows one straight line, so a failure never loses stored data and never charges a
user for a turn they did not get:
quota (accounts) -> store what the candidate sent (interviews) -> call the provider with no
database connection held -> store the reply (interviews) -> synthesize its audio after commit (speech).
The unit is refunded on any failure; a candidate's answer, once stored, is never
deleted and stays waiting until exactly one reply exists (`/retry/` produces it after a failure).
An answer's turn comes in two parts, so that a streamed reply can start only once the answer is
stored and charged (errors before that are plain JSON): `answer_begin`, then `turn_complete`.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.clock import local_today
from accounts.models import User
from accounts.selectors import QuotaStatus, quota_status
from accounts.services import QuotaExceeded, QuotaUnit, ValidationFailed, quota_refund, quota_take
from chat import script
from chat.planning import Grounding, asked_for_item, default_plan, plan_items, plan_shrunk, turns_for
from chat.providers import get_provider
from chat.providers.base import (
    ANSWER,
    NON_ANSWER,
    Asked,
    BankQuestion,
    Completion,
    Judgement,
    ProviderError,
    TextSink,
    Turn,
    TurnContext,
    Usage,
)
from config.errors import ApplicationError, ConflictError, NotFoundError
from interviews.cvs import cv_get_for_owner, cv_summarize
from interviews.models import CurriculumVitae, Interview, Message, Question, Stage
from interviews.reports import report_build
from interviews.selectors import (
    answer_get_by_idempotency_key,
    answer_pending,
    answers_orphaned,
    cv_for_interview,
    interview_get_for_owner,
    interview_get_for_turn,
    question_bank,
    question_bank_versions,
    question_in_play,
    questions_by_id,
    questions_with_twins,
    reply_count_on_slot,
    reply_for_answer,
    transcript,
)
from interviews.services import (
    AnswerPending,
    EvaluationRecord,
    ReplyRecord,
    answer_claim_reply,
    answer_create,
    answer_release,
    answer_uncharge,
    interview_close,
    interview_create,
    reply_store,
)
from speech.services import clip_schedule


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


# Replies that keep the question in play rather than move the plan; the first on a question is free.
FREE_ACTS = (script.CLARIFY, script.REDIRECT)


class InterviewComplete(ConflictError):
    code = "interview_complete"
    default_message = "Every planned question is answered; finish the interview to get your report."


class PlanDoesNotFit(QuotaExceeded):
    """The plan costs more turns than are left today (nothing is stored or charged)."""

    def __init__(self, *, status: QuotaStatus, turns_needed: int) -> None:
        super().__init__(
            f"This interview needs {turns_needed} turns and {status.remaining} are left today; "
            "choose a shorter plan or come back after the reset.",
            details={
                "limit": status.limit,
                "used": status.used,
                "remaining": status.remaining,
                "turns_needed": turns_needed,
                "resets_at": status.resets_at.isoformat(),
            },
            headers={"Retry-After": str(max(1, int((status.resets_at - timezone.now()).total_seconds())))},
        )


@dataclass(frozen=True)
class StartResult:
    interview: Interview
    messages: list[Message]
    quota: QuotaStatus
    notice: str = ""  # said when the server changed the requested start (a plan shrunk to fit today)


@dataclass(frozen=True)
class TurnResult:
    answer: Message
    reply: Message
    quota: QuotaStatus
    interview: Interview
    replayed: bool = False


@dataclass(frozen=True)
class FinishResult:
    interview: Interview
    report: dict | None
    quota: QuotaStatus


def interview_start(
    *,
    user: User,
    position: str,
    topic: str,
    language: str,
    is_public: bool,
    is_anonymous: bool = False,
    plan: dict[str, int] | None = None,
    cv_id: int | None = None,
    job_description: str = "",
) -> StartResult:
    """Start an interview: the server plans it, then one quota unit for the opening question.

    The plan (questions per stage, and which) is the requested one or the default, grounded in the
    caller's CV and the job description when given. A plan that costs more turns than are left today
    is refused when the caller asked for it (PlanDoesNotFit), and shrunk to fit when it is the
    default (the result's `notice` says so). The interview and its first message are stored together
    once the provider answered, so a failed start leaves nothing behind.
    """
    cv = _cv_for_start(user=user, cv_id=cv_id)
    job_description = job_description.strip()
    grounding = Grounding(
        skills=list(cv.summary.get("skills", [])) if cv else [],
        projects=list(cv.summary.get("projects", [])) if cv else [],
        job_skills=cv_summarize(text=job_description).get("skills", []) if job_description else [],
    )
    wanted = plan if plan is not None else default_plan(position=position, grounded=bool(cv or job_description))
    seed = random.getrandbits(32)
    plan_of = partial(plan_items, position=position, topic=topic, language=language, grounding=grounding, seed=seed)
    filled, items = plan_of(plan=wanted)
    if not items:
        raise ValidationFailed(
            "The plan asks no question: ask for at least one.", details={"plan": ["Ask for at least one question."]}
        )
    status = quota_status(user=user)
    if turns_for(len(items)) > status.remaining and turn_orphans_reconcile(user=user):
        status = quota_status(user=user)  # units held by dead turns came back
    notice = ""
    if turns_for(len(items)) > status.remaining:
        if plan is not None:
            raise PlanDoesNotFit(status=status, turns_needed=turns_for(len(items)))
        if status.remaining < turns_for(1):
            # Even a one-question interview does not fit: say what the smallest one needs.
            raise PlanDoesNotFit(status=status, turns_needed=turns_for(1))
        filled, items = plan_of(plan=plan_shrunk(wanted, questions=status.remaining - turns_for(0)))
        notice = script.plan_shrunk_notice(questions=len(items), remaining=status.remaining, language=language)

    with _charged(user) as unit:
        bank, _ = _bank(items=items, extra_ids=[], position=position, language=language, banks=("general",))
        first = asked_for_item(item=items[0], slot=0, bank=bank)
        context = TurnContext(
            position=position,
            topic=topic.strip(),
            language=language,
            history=[],
            upcoming=first,
            cv_summary=cv.summary if cv else {},
            job_description=job_description,
        )
        greeting = _ask(get_provider().greeting, context)
        text = script.opening(greeting=greeting.content, first=first, language=language)
        interview, opening = interview_create(
            owner=user,
            position=position,
            topic=topic,
            language=language,
            is_public=is_public,
            is_anonymous=is_anonymous,
            plan=filled,
            plan_items=items,
            cv=cv,
            job_description=job_description,
            opening=_record(text=text, usage=greeting.usage, language=language, asked=first, act=script.QUESTION),
        )
        unit.consumed()
    _synthesize_after_commit(opening)
    return StartResult(interview=interview, messages=[opening], quota=unit.status, notice=notice)


@dataclass(frozen=True)
class StartedTurn:
    """An answer stored and its turn charged, the reply still to come (`turn_complete`)."""

    user: User
    interview: Interview
    answer: Message
    unit: QuotaUnit


def answer_submit(
    *,
    user: User,
    interview_id: int,
    content: str,
    idempotency_key: str | None = None,
    spoken_seconds: float | None = None,
) -> TurnResult:
    """Store the candidate's answer and produce the interviewer's reply (one quota unit).

    With an idempotency key, a repeat with the same body returns the first result (same ids) without
    a new charge; the key with another body raises IdempotencyKeyReused (nothing stored or charged).
    """
    turn = answer_begin(
        user=user,
        interview_id=interview_id,
        content=content,
        idempotency_key=idempotency_key,
        spoken_seconds=spoken_seconds,
    )
    return turn if isinstance(turn, TurnResult) else turn_complete(turn)


def answer_begin(
    *,
    user: User,
    interview_id: int,
    content: str,
    idempotency_key: str | None = None,
    spoken_seconds: float | None = None,
) -> TurnResult | StartedTurn:
    """The first part of answer_submit: every check, the charge, and the stored answer. Returns the
    earlier result for a replayed idempotency key, else the started turn, which the caller must pass
    to turn_complete (it settles the unit and the answer's lease, whatever happens)."""
    interview = interview_get_for_turn(user=user, interview_id=interview_id)
    fingerprint = answer_fingerprint(content=content, spoken_seconds=spoken_seconds)
    if idempotency_key and (earlier := answer_get_by_idempotency_key(interview=interview, key=idempotency_key)):
        return _replay(user=user, interview=interview, answer=earlier, fingerprint=fingerprint)
    if interview.is_finished:
        raise InterviewFinished()
    if interview.stage == Stage.CLOSING:
        raise InterviewComplete()

    # An answer still waiting for its reply is found by the database's constraint when this one is
    # stored (AnswerPending below, the unit refunded), rather than by a query on every answer.
    try:
        unit = _take(user)
    except QuotaExceeded:
        # The day is spent, but an answer still waiting for its reply is what blocks this one (409).
        if answer_pending(interview=interview) is not None:
            raise AnswerPending() from None
        raise
    try:
        answer = answer_create(
            interview=interview,
            content=content,
            idempotency_key=idempotency_key,
            idempotency_fingerprint=fingerprint,
            lease_seconds=settings.CHAT_REPLY_LEASE_SECONDS,
            spoken_seconds=spoken_seconds,
            charged_on=unit.status.day,
        )
    except AnswerPending:
        # A concurrent request won the race: with this idempotency key, its result is ours, if it
        # was sent with the same body (else _replay refuses it, and the unit is refunded either way).
        unit.hand_back()
        earlier = idempotency_key and answer_get_by_idempotency_key(interview=interview, key=idempotency_key)
        if not earlier:
            raise
        return _replay(user=user, interview=interview, answer=earlier, fingerprint=fingerprint)
    except BaseException:
        unit.hand_back()
        raise
    return StartedTurn(user=user, interview=interview, answer=answer, unit=unit)


def turn_complete(turn: StartedTurn, *, on_text: TextSink | None = None) -> TurnResult:
    """The second part of a turn: the reply, produced, stored and settled. On failure the unit is
    refunded and the answer stays stored and waiting, its lease freed for /retry/.

    Given `on_text`, the reply's text is passed on as it is produced: the provider's preview of the
    verdict while it thinks, then the rest of the stored reply, word by word (all of it, for a
    provider that previews nothing). Pieces end once the preview turns out not to be how the stored
    reply begins (a repaired judgement): the stored reply is the truth."""
    sent: list[str] = []

    def preview(piece: str) -> None:
        sent.append(piece)
        on_text(piece)

    try:
        reply = _reply(interview=turn.interview, answer=turn.answer, on_text=preview if on_text else None)
        quota = _settle(turn.unit, reply=reply, user=turn.user)
    except BaseException:
        # The refund and the answer's release in one transaction: a process killed in between must
        # leave the unit either held (and reconciled later) or given back, never both. No refund when
        # the unit is no longer this turn's to give back (the reconcile step gave it back after the
        # lease ran out, or the reply was stored before the failure).
        with transaction.atomic():
            if answer_release(answer=turn.answer):
                turn.unit.hand_back()
            else:
                turn.unit.consumed()
        raise
    _synthesize_after_commit(reply)
    if on_text is not None:
        for piece in _rest_of(reply.content, "".join(sent)):
            on_text(piece)
    return TurnResult(answer=turn.answer, reply=reply, quota=quota, interview=turn.interview)


def _rest_of(text: str, previewed: str) -> list[str]:
    """What of `text` a listener who got `previewed` still needs, a word (and the space before it) at a time."""
    if not text.startswith(previewed):
        return []
    return re.findall(r"\s*\S+", text[len(previewed) :])


def answer_retry(*, user: User, interview_id: int) -> TurnResult:
    """Produce the reply for the answer still waiting for one (after an LLM failure)."""
    interview = interview_get_for_turn(user=user, interview_id=interview_id)
    if interview.is_finished:
        raise InterviewFinished()
    answer = answer_pending(interview=interview)
    if answer is None:
        raise NothingToRetry()
    turn = _retry(user=user, interview=interview, answer=answer)
    return turn if isinstance(turn, TurnResult) else turn_complete(turn)


def interview_finish(*, user: User, interview_id: int) -> FinishResult:
    """Close the interview with its report (one quota unit). Finishing twice charges once.

    The report's numbers are computed from the evaluation rows (interviews.reports); the provider
    only words its summary.
    """
    interview = interview_get_for_owner(user=user, interview_id=interview_id)
    if interview.is_finished:
        return FinishResult(interview=interview, report=interview.report, quota=quota_status(user=user))
    with _charged(user) as unit:
        report = report_build(interview=interview)
        context = _interview_context(interview)
        summary = _ask(partial(_summarize, report=report), context)
        closed = interview_close(
            interview=interview, report=report, summary=_record(text=summary.content, usage=summary.usage)
        )
        if not closed:
            # A concurrent finish got there first: that one was charged, not this one.
            unit.hand_back()
            interview = interview_get_for_owner(user=user, interview_id=interview.pk)
            return FinishResult(interview=interview, report=interview.report, quota=quota_status(user=user))
    return FinishResult(interview=interview, report=interview.report, quota=unit.status)


def _summarize(context: TurnContext, *, report: dict) -> Completion:
    return get_provider().summarize(context, report)


def _retry(*, user: User, interview: Interview, answer: Message) -> TurnResult | StartedTurn:
    """Take over the waiting answer's reply: the started turn, or the reply a concurrent request
    produced meanwhile."""
    # A worker killed while producing this reply left its unit held: give it back before charging anew.
    turn_orphans_reconcile(user=user)
    # The claim first: a reply in progress (or already made) is what the caller must hear, even when
    # today's turns are spent, and a lost claim charges nothing. Then the unit, the claim given up if
    # there is none; the claim records the day the unit is about to be charged to.
    if not answer_claim_reply(answer=answer, lease_seconds=settings.CHAT_REPLY_LEASE_SECONDS, charged_on=local_today()):
        reply = reply_for_answer(answer=answer)
        if reply is not None:  # finished by a concurrent request in the meantime
            return TurnResult(
                answer=answer, reply=reply, quota=quota_status(user=user), interview=interview, replayed=True
            )
        raise ReplyInProgress()
    try:
        unit = _take(user)
    except BaseException:
        answer_release(answer=answer)
        raise
    return StartedTurn(user=user, interview=interview, answer=answer, unit=unit)


def turn_orphans_reconcile(*, user: User | None = None) -> int:
    """Give back the units held for replies whose producer died mid-turn (a killed worker: its lease
    ran out and no reply was stored); the answers stay stored and retryable. Returns how many. Runs
    before a retry, when a charge finds the day spent, and from `manage.py reconcile_turns`."""
    given_back = 0
    for answer in answers_orphaned(user=user):
        with transaction.atomic():
            day = answer_uncharge(answer=answer)
            if day is not None:
                quota_refund(user=answer.interview.owner, day=day)
                given_back += 1
    return given_back


def _take(user: User) -> QuotaUnit:
    """One unit of today's quota; a day that looks spent is checked for units held by dead turns first."""
    try:
        return quota_take(user=user)
    except QuotaExceeded:
        if not turn_orphans_reconcile(user=user):
            raise
        return quota_take(user=user)


@contextmanager
def _charged(user: User) -> Iterator[QuotaUnit]:
    """accounts' quota_charge, by way of _take: refunded if the block fails, unless consumed."""
    unit = _take(user)
    try:
        yield unit
    except BaseException:
        unit.hand_back()
        raise


def answer_fingerprint(*, content: str, spoken_seconds: float | None = None) -> str:
    """SHA-256 of the answer's canonical body: its validated fields (content after trimming) as
    sorted, compact JSON. A field added later (spoken_seconds) joins only when sent, so the
    fingerprints already stored keep matching the bodies they were made from."""
    body: dict = {"content": content}
    if spoken_seconds is not None:
        body["spoken_seconds"] = float(spoken_seconds)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_same_body(answer: Message, fingerprint: str) -> None:
    # Answers stored before fingerprints existed have none: they match any body, as they did then.
    if answer.idempotency_fingerprint and answer.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused()


def _replay(*, user: User, interview: Interview, answer: Message, fingerprint: str) -> TurnResult | StartedTurn:
    _check_same_body(answer, fingerprint)
    reply = reply_for_answer(answer=answer)
    if reply is not None:
        interview = interview_get_for_owner(user=interview.owner, interview_id=interview.pk)
        return TurnResult(answer=answer, reply=reply, quota=quota_status(user=user), interview=interview, replayed=True)
    # The first attempt with this key has no reply yet: it failed (retry it) or is still running.
    if interview.is_finished:
        raise InterviewFinished()
    return _retry(user=user, interview=interview, answer=answer)


def _reply(*, interview: Interview, answer: Message, on_text: TextSink | None = None) -> Message:
    """Judge the answer and produce the reply the plan calls for: the provider judges and words, the
    server decides the move (script.decide) and composes the spoken message."""
    context = _interview_context(interview)
    interview.message_count = len(context.history) + 1  # the transcript so far, and this reply
    reaction = _ask(partial(get_provider().react, on_text=on_text), context)
    move = script.decide(
        judgement=reaction.judgement, current=context.current, upcoming=context.upcoming, follow_up=reaction.follow_up
    )
    if move.act == script.QUESTION and move.asked.stage == Stage.PERSONAL and reaction.personal_question:
        move = replace(move, asked=replace(move.asked, text=reaction.personal_question.strip()))
    text = script.reply(reaction=reaction, move=move, previous=context.current, interview_language=interview.language)
    record = _record(
        text=text,
        usage=reaction.usage,
        language=interview.language,
        asked=move.asked,
        act=move.act,
        stage=None if move.asked else Stage.CLOSING,
    )
    return reply_store(
        interview=interview,
        answer=answer,
        reply=record,
        evaluation=_evaluation(reaction.judgement, context.current),
        advances=move.advances,
    )


def _settle(unit: QuotaUnit, *, reply: Message, user: User) -> QuotaStatus:
    """Keep the turn's unit, except for the first clarification (or steer back) on a question: that
    one is free, so a candidate who asks what a question means can still finish the planned interview,
    report included, within the day's limit. Later ones on the same question cost a turn each."""
    if (
        reply.act in FREE_ACTS
        and reply_count_on_slot(interview_id=reply.interview_id, slot=reply.slot, acts=FREE_ACTS) == 1
    ):
        unit.hand_back()
        return quota_status(user=user)
    unit.consumed()
    return unit.status


def _evaluation(judgement: Judgement, asked: Asked | None) -> EvaluationRecord:
    scored = judgement.kind == ANSWER
    return EvaluationRecord(
        kind=judgement.kind,
        correctness=judgement.correctness if scored else None,
        depth=judgement.depth if scored else None,
        communication=judgement.communication if scored else None,
        feedback=judgement.feedback,
        covered=list(judgement.covered) if scored else [],
        missed=list(judgement.missed) if judgement.kind in (ANSWER, NON_ANSWER) else [],
        reference=asked.model_answer if asked else "",
        question_id=asked.bank.id if asked and asked.bank else None,
        language=judgement.language,
        judge=judgement.judge,
    )


def _ask(call: Callable[[TurnContext], Completion], context: TurnContext) -> Completion:
    """Call the provider with no database connection held; its failure becomes a 503/504."""
    # The LLM may take many seconds; hand the connection back to the pool meanwhile, so slow LLM
    # calls do not cap the database connections. (Inside a test's transaction there is none to give;
    # SQLite has no server connections to spare, and reopening its file costs more than it saves.)
    if not connection.in_atomic_block and connection.vendor != "sqlite":
        connection.close()
    try:
        return call(context)
    except ProviderError as exc:
        raise LLMFailure(exc) from exc


def _record(
    *,
    text: str,
    usage: Usage,
    language: str | None = None,
    asked: Asked | None = None,
    act: str = "",
    stage: str | None = None,
) -> ReplyRecord:
    """An interviewer message as interviews stores it: its text, what producing it cost, where it
    stands in the plan, and the `language` it is spoken in (its audio clip, not yet synthesized, is
    stored with it). Reports are read, not spoken."""
    return ReplyRecord(
        content=text,
        model=usage.model,
        question_id=asked.bank.id if asked and asked.bank else None,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        latency_ms=usage.latency_ms,
        finish_reason=usage.finish_reason or "",
        spoken_in=language,
        stage=stage or (asked.stage if asked else ""),
        slot=asked.slot if asked else None,
        act=act,
        asks=asked.text if asked and act in (script.QUESTION, script.FOLLOW_UP) else "",
    )


def _synthesize_after_commit(message: Message) -> None:
    """Synthesize the reply's audio in the background once it is committed, so the clip is usually
    ready by the time the browser asks for it; the text reply never waits for it."""
    if message.audio_clip_id:
        transaction.on_commit(partial(clip_schedule, key=message.audio_clip_id))


def _interview_context(interview: Interview) -> TurnContext:
    """What the provider needs for the interview's next turn: the transcript, the question in play and
    the next planned one, the bank the question was drawn from (to tell an answer to another question),
    and what grounds the personal stage."""
    history = [Turn(role=e.role, content=e.content, question_id=e.question_id) for e in transcript(interview=interview)]
    asking = question_in_play(interview=interview)
    items = interview.plan_items
    slot = interview.asked - 1
    # An answer is told from answers to the questions its own could have been confused with: those of
    # the bank the slot's question was drawn from (a behavioural question comes from "general").
    in_behavioural = 0 <= slot < len(items) and items[slot].get("stage") == Stage.BEHAVIOURAL
    bank, position_bank = _bank(
        items=items,
        extra_ids=[asking.question_id] if asking and asking.question_id else [],
        position="general" if in_behavioural else interview.position,
        language=interview.language,
        banks=(interview.position, "general"),  # where the plan's technical and behavioural questions are
    )
    current = None
    if 0 <= slot < len(items):
        current = asked_for_item(item=items[slot], slot=slot, bank=bank)
        if asking is not None and asking.slot == slot and asking.asks:
            # What the candidate heard: a provider may have worded a personal question its own way.
            current = replace(current, text=asking.asks)
        if asking is not None and asking.act == script.FOLLOW_UP and asking.slot == slot and asking.question_id in bank:
            followed = bank[asking.question_id]
            current = Asked(
                stage=current.stage,
                slot=slot,
                text=asking.asks or asking.content,
                bank=followed,
                key_points=followed.key_points,
                follow_up=True,
            )
    elif asking is not None and asking.question_id in bank:
        # Started before plans existed: the bank question it asked last is the one in play.
        question = bank[asking.question_id]
        current = Asked(
            stage=Stage.TECHNICAL, slot=0, text=question.question, bank=question, key_points=question.key_points
        )
    upcoming = asked_for_item(item=items[slot + 1], slot=slot + 1, bank=bank) if slot + 1 < len(items) else None
    grounded = upcoming is not None and upcoming.stage == Stage.PERSONAL
    cv = cv_for_interview(interview=interview) if grounded and interview.cv_id else None
    return TurnContext(
        position=interview.position,
        topic=interview.topic,
        language=interview.language,
        history=history,
        current=current,
        upcoming=upcoming,
        bank=position_bank,
        cv_text=cv.text if cv else "",
        cv_summary=cv.summary if cv else {},
        job_description=interview.job_description if grounded else "",
    )


# Each process's copy of the banks it judges with, by (position, language): (version, by id, in order).
# Checked against the database's version of that position's bank (one aggregate query) on every use,
# so an edit in the admin or a reload is seen at once, by every process and server.
_BANKS: dict[tuple[str, str], tuple[tuple, dict[int, BankQuestion], list[BankQuestion]]] = {}


def _position_bank(
    position: str, language: str, version: tuple | None
) -> tuple[dict[int, BankQuestion], list[BankQuestion]]:
    cached = _BANKS.get((position, language))
    if cached is not None and cached[0] == version:
        return cached[1], cached[2]
    rows = list(question_bank(position=position, language=language))
    everything, twins = questions_with_twins(questions=rows)
    by_id = {q.pk: _bank_question(q, twins) for q in everything}
    listed = [by_id[q.pk] for q in rows]
    # One assignment: threads that race here only build the same copy twice.
    _BANKS[(position, language)] = (version, by_id, listed)
    return by_id, listed


def _bank(
    *,
    items: list[dict],
    extra_ids: list[int],
    position: str | None = None,
    language: str | None = None,
    banks: tuple[str, ...] = (),
) -> tuple[dict[int, BankQuestion], list[BankQuestion]]:
    """The bank questions an interview's turn needs, by id, each with its twin in the other language:
    given a position and language, that position's whole bank (returned as a list too) and the banks
    of the positions in `banks` (where the plan's questions come from), from this process's copy;
    then any planned question or `extra_ids` not among them, from the database."""
    by_id: dict[int, BankQuestion] = {}
    listed: list[BankQuestion] = []
    if position and language:
        names = list(dict.fromkeys((position, *banks)))
        versions = question_bank_versions(positions=names)
        for name in names:
            found, in_order = _position_bank(name, language, versions.get(name))
            by_id.update(found)
            if name == position:
                listed = in_order
    ids = [item["question_id"] for item in items if "question_id" in item] + extra_ids
    if missing := [i for i in ids if i not in by_id]:
        everything, twins = questions_with_twins(questions=list(questions_by_id(ids=missing)))
        by_id.update({q.pk: _bank_question(q, twins) for q in everything})
    return by_id, listed


def _bank_question(question: Question, twins: dict[str, Question]) -> BankQuestion:
    other = "ko" if question.language == "en" else "en"
    twin = twins.get(f"{question.bank_key}/{other}") if question.bank_key else None
    return BankQuestion(
        id=question.pk,
        topic=question.topic,
        question=question.question,
        model_answer=question.model_answer,
        key_points=question.key_points,
        language=question.language,
        twin=_bank_question(twin, {}) if twin is not None else None,
    )


def _cv_for_start(*, user: User, cv_id: int | None) -> CurriculumVitae | None:
    if cv_id is None:
        return None
    try:
        return cv_get_for_owner(user=user, cv_id=cv_id)
    except NotFoundError:
        # Someone else's CV is as unknown as a missing one (no existence leak).
        raise ValidationFailed("Unknown CV.", details={"cv_id": ["No CV of yours has this id."]}) from None
