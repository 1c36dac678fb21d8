"""Reads for interviews: who may see what, transcripts, pending answers and the bank for an interview.

Selectors return this app's rows or its own small data types; the interviewer (chat) builds its
provider's context from them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from config.errors import NotFoundError
from interviews.models import Interview, Message, Question
from interviews.vocabulary import words


@dataclass(frozen=True)
class TranscriptEntry:
    role: str  # Message.Role
    content: str
    question_id: int | None  # the bank question an interviewer message asked


def _with_counts(queryset: QuerySet[Interview]) -> QuerySet[Interview]:
    return queryset.select_related("owner").annotate(message_count=Count("messages"))


def interview_list_for_owner(*, user: User) -> QuerySet[Interview]:
    return _with_counts(Interview.objects.filter(owner=user)).order_by("-created_at", "-id")


def interview_get_for_owner(*, user: User, interview_id: int) -> Interview:
    """The caller's own interview, or NotFoundError (also for other people's: no existence leak)."""
    interview = _with_counts(Interview.objects.filter(pk=interview_id, owner_id=user.pk)).first()
    if interview is None:
        raise NotFoundError("Interview not found.")
    return interview


def interview_get_visible(*, user: User | None, interview_id: int) -> Interview:
    """An interview the caller may read: their own, or a public one that staff have not hidden."""
    visible = Q(is_public=True, is_hidden=False)
    if user is not None and user.is_authenticated:
        visible |= Q(owner_id=user.pk)
    interview = _with_counts(Interview.objects.filter(visible, pk=interview_id)).first()
    if interview is None:
        raise NotFoundError("Interview not found.")
    return interview


def interview_latest_active(*, user: User) -> Interview | None:
    """The caller's most recently started interview that is still running."""
    return Interview.objects.filter(owner=user, status=Interview.Status.ACTIVE).order_by("-created_at", "-id").first()


def message_list(*, interview: Interview) -> QuerySet[Message]:
    return Message.objects.filter(interview=interview).order_by("created_at", "id")


def transcript(*, interview: Interview) -> list[TranscriptEntry]:
    """What was said so far, oldest first, without the rows' bookkeeping columns."""
    rows = message_list(interview=interview).values_list("role", "content", "question_id")
    return [TranscriptEntry(role=role, content=content, question_id=question_id) for role, content, question_id in rows]


def answer_pending(*, interview: Interview) -> Message | None:
    """The candidate answer still waiting for the interviewer's reply (at most one exists)."""
    return Message.objects.filter(interview=interview, awaiting_reply=True).first()


def answer_get_by_idempotency_key(*, interview: Interview, key: str) -> Message | None:
    return Message.objects.filter(interview=interview, idempotency_key=key).first()


def reply_for_answer(*, answer: Message) -> Message | None:
    return Message.objects.filter(reply_to=answer).first()


def question_list_ranked(*, position: str, topic: str, language: str, seed: int) -> list[Question]:
    """Bank questions for the position and language, the best topic matches first.

    Ties are shuffled with `seed` (the interview's id), so two interviews on the same topic do not
    walk the bank in the same order, while one interview always sees a stable order.
    """
    questions = list(Question.objects.filter(position=position, language=language))
    wanted = topic.lower()
    terms = {t for t in words(topic) if len(t) >= 2}

    def score(q: Question) -> int:
        if not terms:
            return 0
        label = q.topic.lower()
        text = f"{label} {q.question}".lower()
        exact = 5 if label and (label in wanted or wanted in label) else 0
        return exact + sum(1 for term in terms if term in text)

    rng = random.Random(seed)
    rng.shuffle(questions)
    questions.sort(key=score, reverse=True)  # stable: ties keep their shuffled order
    return questions
