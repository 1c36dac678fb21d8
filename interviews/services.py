"""Writes for interviews and their messages. This app alone writes these tables.

The interviewer's turn flow (chat.services) decides when; these functions decide how, each keeping
the transcript's invariants: an interview and its opening message appear together, a candidate
answer waits for exactly one reply, and a closed interview stays closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from config.errors import ConflictError
from interviews.models import CurriculumVitae, Evaluation, Interview, Message, Stage
from speech.services import clip_for_text, clip_release


class AnswerPending(ConflictError):
    code = "answer_pending"
    default_message = "Your previous answer is still waiting for a reply; POST /retry/ to get it."


class InterviewClosed(ConflictError):
    code = "interview_finished"
    default_message = "This interview was finished before the reply was ready; nothing was charged for it."


@dataclass(frozen=True)
class ReplyRecord:
    """An interviewer message to store, with what producing it cost."""

    content: str
    model: str
    question_id: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None
    finish_reason: str = ""
    # The language it is spoken in: its (pending) audio clip is created with the message, in the same
    # transaction. None: read, not spoken (a report's summary).
    spoken_in: str | None = None
    # Where the message stands in the plan (see Message.stage/slot/act).
    stage: str = ""
    slot: int | None = None
    act: str = ""
    asks: str = ""


@dataclass(frozen=True)
class EvaluationRecord:
    """How a candidate message was judged (see Evaluation)."""

    kind: str
    correctness: int | None
    depth: int | None
    communication: int | None
    feedback: str
    covered: list[str]
    missed: list[str]
    reference: str
    question_id: int | None
    language: str
    judge: str


def _assistant_message_create(*, interview: Interview, reply: ReplyRecord, reply_to: Message | None) -> Message:
    """The interviewer's message; its callers hold a transaction, which the clip's row joins."""
    return Message.objects.create(
        interview=interview,
        role=Message.Role.ASSISTANT,
        content=reply.content,
        reply_to=reply_to,
        question_id=reply.question_id,
        model=reply.model[:100],
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        latency_ms=reply.latency_ms,
        finish_reason=reply.finish_reason[:32],
        audio_clip_id=clip_for_text(text=reply.content, language=reply.spoken_in) if reply.spoken_in else None,
        stage=reply.stage,
        slot=reply.slot,
        act=reply.act,
        asks=reply.asks,
    )


def interview_create(
    *,
    owner: User,
    position: str,
    topic: str,
    language: str,
    is_public: bool,
    is_anonymous: bool = False,
    plan: dict[str, int] | None = None,
    plan_items: list[dict] | None = None,
    cv: CurriculumVitae | None = None,
    job_description: str = "",
    opening: ReplyRecord,
) -> tuple[Interview, Message]:
    """Create the interview with its plan together with its opening message (which asks the plan's
    first slot), so a failed start leaves nothing."""
    items = plan_items or []
    with transaction.atomic():
        interview = Interview.objects.create(
            owner=owner,
            position=position,
            topic=topic.strip(),
            language=language,
            is_public=is_public,
            is_anonymous=is_anonymous,
            plan=plan or {},
            plan_items=items,
            stage=items[0]["stage"] if items else Stage.CLOSING,
            asked=1 if items else 0,
            cv=cv,
            job_description=job_description.strip(),
        )
        first = _assistant_message_create(interview=interview, reply=opening, reply_to=None)
    interview.message_count = 1  # what the list selectors annotate
    return interview, first


def answer_create(
    *,
    interview: Interview,
    content: str,
    idempotency_key: str | None,
    lease_seconds: int,
    idempotency_fingerprint: str = "",
    spoken_seconds: float | None = None,
    charged_on: dt.date | None = None,
) -> Message:
    """Store a candidate answer, waiting for its reply and leased to the caller who produces it
    (`charged_on`: the day of the quota unit that caller holds for it).

    With an idempotency key, `idempotency_fingerprint` (a digest of the request body) is stored with
    it, so that a repeat of the key can be told apart from a reuse of it with another body.
    Raises AnswerPending when the interview already has an answer waiting, or when a concurrent
    request stored one with the same idempotency key (the database's unique constraints decide).
    """
    try:
        with transaction.atomic():
            return Message.objects.create(
                interview=interview,
                role=Message.Role.USER,
                content=content,
                awaiting_reply=True,
                reply_lease_until=timezone.now() + dt.timedelta(seconds=lease_seconds),
                idempotency_key=idempotency_key or None,
                idempotency_fingerprint=idempotency_fingerprint if idempotency_key else "",
                spoken_seconds=spoken_seconds,
                charged_on=charged_on,
                # It answers the question in play: the interview's stage and last asked slot.
                stage=interview.stage,
                slot=interview.asked - 1 if interview.asked else None,
            )
    except IntegrityError:
        raise AnswerPending() from None


def answer_claim_reply(*, answer: Message, lease_seconds: int, charged_on: dt.date | None = None) -> bool:
    """Lease a pending answer to the caller for producing its reply; False if someone else holds it.
    `charged_on`: the day of the quota unit the caller holds for it.

    One conditional UPDATE, so of concurrent retries exactly one wins. An expired lease whose unit is
    still held (`charged_on` set: its process died) is not claimed until that unit is given back
    (answer_uncharge), so a unit is never lost track of.
    """
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    claimed = (
        Message.objects.filter(pk=answer.pk, awaiting_reply=True, charged_on__isnull=True)
        .filter(Q(reply_lease_until__isnull=True) | Q(reply_lease_until__lt=now))
        .update(reply_lease_until=lease_until, charged_on=charged_on)
    )
    if claimed:
        answer.reply_lease_until, answer.charged_on = lease_until, charged_on
    return bool(claimed)


def answer_release(*, answer: Message) -> bool:
    """Give up the caller's lease on an answer after a failure, so /retry/ can take it at once.
    True when the caller still held the answer's unit: it refunds it then, in the same transaction.
    Only the caller's own lease counts (`answer.reply_lease_until` as it took it): False when a
    retry took over after it ran out, when the reconcile step already gave the unit back, or when
    the reply was stored after all."""
    mine = Message.objects.filter(pk=answer.pk, reply_lease_until=answer.reply_lease_until)
    if mine.filter(charged_on__isnull=False).update(reply_lease_until=None, charged_on=None):
        return True
    mine.update(reply_lease_until=None)  # the lease alone (no unit held: nothing to refund)
    return False


def answer_uncharge(*, answer: Message, now: dt.datetime | None = None) -> dt.date | None:
    """Mark the unit held for an answer whose producer died (lease over, no reply stored) as given
    back; returns its day for the caller to refund in the same transaction, or None when there is
    none (already reconciled by a concurrent caller, or not an orphan). One conditional UPDATE."""
    day = answer.charged_on
    if day is None:
        return None
    cleared = Message.objects.filter(pk=answer.pk, charged_on=day, reply_lease_until__lt=now or timezone.now()).update(
        charged_on=None, reply_lease_until=None
    )
    return day if cleared else None


def reply_store(
    *,
    interview: Interview,
    answer: Message,
    reply: ReplyRecord,
    evaluation: EvaluationRecord | None = None,
    advances: bool = False,
) -> Message:
    """Store the interviewer's reply to `answer` with how the answer was judged; the answer stops
    waiting, and the interview moves to the reply's stage (and, when the answer used up its slot, to
    the next slot), all in one transaction."""
    with transaction.atomic():
        # The answer must still be waiting, in an interview still running: a finish that got there
        # while the provider was thinking closed both, and this reply is not wanted any more (raising
        # rolls it back, and the turn flow refunds its unit).
        still_waiting = Message.objects.filter(
            pk=answer.pk, awaiting_reply=True, interview__status=Interview.Status.ACTIVE
        ).update(awaiting_reply=False, reply_lease_until=None, charged_on=None)
        if not still_waiting:
            raise InterviewClosed()
        stored = _assistant_message_create(interview=interview, reply=reply, reply_to=answer)
        if evaluation is not None:
            Evaluation.objects.create(
                message=answer,
                kind=evaluation.kind,
                correctness=evaluation.correctness,
                depth=evaluation.depth,
                communication=evaluation.communication,
                feedback=evaluation.feedback,
                covered=evaluation.covered,
                missed=evaluation.missed,
                reference=evaluation.reference,
                stage=answer.stage,
                slot=answer.slot,
                question_id=evaluation.question_id,
                language=evaluation.language[:2],
                judge=evaluation.judge[:32],
            )
        if reply.stage:
            asked = interview.asked + 1 if advances and reply.slot is not None else interview.asked
            Interview.objects.filter(pk=interview.pk, status=Interview.Status.ACTIVE).update(
                stage=reply.stage, asked=asked, updated_at=timezone.now()
            )
            interview.stage, interview.asked = reply.stage, asked
    answer.awaiting_reply, answer.reply_lease_until = False, None
    return stored


def interview_close(*, interview: Interview, report: dict, summary: ReplyRecord) -> bool:
    """Finish an active interview with its report (computed from the evaluation rows; `summary` is its
    prose, with what producing it cost). The scores are also stored as columns for progress over time.
    False if it was already finished (a concurrent finish got there first); an answer still waiting is
    covered by the report and stops waiting."""
    now = timezone.now()
    report = {**report, "summary": summary.content}
    dimensions = report.get("dimensions") or {}
    with transaction.atomic():
        closed = Interview.objects.filter(pk=interview.pk, status=Interview.Status.ACTIVE).update(
            status=Interview.Status.FINISHED,
            stage=Stage.CLOSING,
            report=report,
            summary=summary.content,
            score_overall=report.get("overall"),
            score_correctness=dimensions.get("correctness"),
            score_depth=dimensions.get("depth"),
            score_communication=dimensions.get("communication"),
            report_model=summary.model[:100],
            report_prompt_tokens=summary.prompt_tokens,
            report_completion_tokens=summary.completion_tokens,
            finished_at=now,
            updated_at=now,
        )
        if closed:
            # The lease and the unit held stay: a live producer gives its unit back when its reply
            # is refused (InterviewClosed); a dead one's is given back once the lease runs out.
            Message.objects.filter(interview=interview, awaiting_reply=True).update(awaiting_reply=False)
    if closed:
        interview.status, interview.report, interview.summary = Interview.Status.FINISHED, report, summary.content
        interview.stage, interview.finished_at = Stage.CLOSING, now
        interview.score_overall = report.get("overall")
    return bool(closed)


def interview_set_visibility(
    *, interview: Interview, is_public: bool | None = None, is_anonymous: bool | None = None
) -> Interview:
    """The owner publishes or withdraws the interview and chooses whether the public sees their name.

    Only the given flags and updated_at change (updated_at moves the feed's ETag).
    """
    changed = []
    if is_public is not None:
        interview.is_public, changed = is_public, [*changed, "is_public"]
    if is_anonymous is not None:
        interview.is_anonymous, changed = is_anonymous, [*changed, "is_anonymous"]
    if changed:
        interview.save(update_fields=[*changed, "updated_at"])
    return interview


def interview_delete(*, interview: Interview) -> None:
    """Delete the interview with its transcript, and the audio clips of its messages that no other
    message (anyone's) uses: their URLs answer 404 and their text leaves the clip table. Quota
    already spent stays spent.

    A clip is shared by every message with the same text; one another interview still uses keeps
    serving. That check is part of the clip DELETE statement itself, so a reply stored with the same
    text a moment earlier keeps its clip (and its audio_url) rather than losing it.
    """
    with transaction.atomic():
        keys = set(
            Message.objects.filter(interview=interview, audio_clip__isnull=False).values_list(
                "audio_clip_id", flat=True
            )
        )
        interview.delete()
        clip_release(keys=keys, in_use=Message.objects.filter(audio_clip_id__in=keys).values("audio_clip_id"))


def interviews_hide(*, interviews: QuerySet[Interview], by: User, reason: str) -> int:
    """Staff moderation: take interviews out of the public's sight at once, with the reason kept.

    `updated_at` moves, so the feed's ETag changes and no client keeps a stale copy.
    """
    now = timezone.now()
    return interviews.update(is_hidden=True, hidden_reason=reason.strip(), hidden_at=now, hidden_by=by, updated_at=now)


def interviews_unhide(*, interviews: QuerySet[Interview]) -> int:
    """Undo a hide: the interview is public again if its owner still publishes it."""
    now = timezone.now()
    return interviews.update(is_hidden=False, hidden_reason="", hidden_at=None, hidden_by=None, updated_at=now)
