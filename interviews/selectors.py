"""Reads for interviews: who may see what, transcripts, and the bank questions for an interview."""

from __future__ import annotations

import random
import re

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from chat.providers.base import BankQuestion, Turn
from config.errors import NotFoundError
from interviews.models import Interview, Message, Question

_WORD = re.compile(r"[\w+#.-]+", re.UNICODE)


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


def message_list(*, interview: Interview) -> QuerySet[Message]:
    return Message.objects.filter(interview=interview).order_by("created_at", "id")


def turn_history(*, interview: Interview) -> list[Turn]:
    rows = message_list(interview=interview).values_list("role", "content", "question_id")
    return [Turn(role=role, content=content, question_id=question_id) for role, content, question_id in rows]


def pending_answer(*, interview: Interview) -> Message | None:
    return Message.objects.filter(interview=interview, awaiting_reply=True).first()


def bank_for_interview(*, position: str, topic: str, language: str, seed: int) -> list[BankQuestion]:
    """Bank questions for the position and language, the best topic matches first.

    Ties are shuffled with `seed` (the interview's id), so two interviews on the same topic do not
    walk the bank in the same order, while one interview always sees a stable order.
    """
    questions = list(Question.objects.filter(position=position, language=language))
    terms = {t for t in _WORD.findall(topic.lower()) if len(t) >= 2}

    def score(q: Question) -> int:
        if not terms:
            return 0
        label = q.topic.lower()
        text = f"{label} {q.question}".lower()
        exact = 5 if label and (label in topic.lower() or topic.lower() in label) else 0
        return exact + sum(1 for term in terms if term in text)

    rng = random.Random(seed)
    rng.shuffle(questions)
    questions.sort(key=score, reverse=True)  # stable: ties keep their shuffled order
    return [
        BankQuestion(id=q.pk, topic=q.topic, question=q.question, model_answer=q.model_answer, key_points=q.key_points)
        for q in questions
    ]
