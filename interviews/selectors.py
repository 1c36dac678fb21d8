"""Reads for interviews: who may see what, transcripts, pending answers and the bank for an interview.

Selectors return this app's rows or its own small data types; the interviewer (chat) builds its
provider's context from them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone

from accounts.models import User
from config.errors import NotFoundError
from interviews.models import CurriculumVitae, Interview, Message, Question
from interviews.vocabulary import PREVIEW_CHARS, topic_label, words


@dataclass(frozen=True)
class TranscriptEntry:
    role: str  # Message.Role
    content: str
    question_id: int | None  # the bank question an interviewer message asked


def _with_counts(queryset: QuerySet[Interview]) -> QuerySet[Interview]:
    # The CV for its name only: its text stays in the database.
    return (
        queryset.select_related("owner", "cv")
        .defer("cv__text", "cv__summary")
        .annotate(message_count=Count("messages"))
    )


def interview_list_for_owner(*, user: User) -> QuerySet[Interview]:
    return _with_counts(Interview.objects.filter(owner=user)).order_by("-created_at", "-id")


def interview_get_for_turn(*, user: User, interview_id: int) -> Interview:
    """The caller's own interview for a turn, or NotFoundError: as interview_get_for_owner, without
    counting its messages (a GROUP BY over them on every answer; the turn counts its transcript)."""
    interview = (
        Interview.objects.filter(pk=interview_id, owner_id=user.pk)
        .select_related("owner", "cv")
        .defer("cv__text", "cv__summary")
        .first()
    )
    if interview is None:
        raise NotFoundError("Interview not found.")
    return interview


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
    """The transcript's rows with each candidate message's evaluation (one query)."""
    return (
        Message.objects.filter(interview=interview)
        .select_related("evaluation", "reply_to")
        .order_by("created_at", "id")
    )


def question_in_play(*, interview: Interview) -> Message | None:
    """The interviewer message that asked the question the candidate is answering now: the latest
    one that asked a planned slot or a follow-up (or, in an interview started before plans existed,
    the latest that asked a bank question)."""
    asking = Q(act__in=("question", "follow_up")) | Q(act="", question__isnull=False)
    return (
        Message.objects.filter(asking, interview=interview, role=Message.Role.ASSISTANT)
        .order_by("-created_at", "-id")
        .only("id", "content", "asks", "question_id", "slot", "stage", "act")
        .first()
    )


def cv_for_interview(*, interview: Interview) -> CurriculumVitae | None:
    """The CV grounding an interview (its owner's), or None when there is none or it was deleted."""
    if interview.cv_id is None:
        return None
    return CurriculumVitae.objects.filter(pk=interview.cv_id, owner_id=interview.owner_id).first()


def reply_count_on_slot(*, interview_id: int, slot: int | None, acts: tuple[str, ...]) -> int:
    """How many interviewer messages of these kinds (`Message.act`) the interview has on a plan slot."""
    return Message.objects.filter(interview_id=interview_id, slot=slot, act__in=acts).count()


def questions_with_twins(*, questions: list[Question]) -> tuple[list[Question], dict[str, Question]]:
    """Bank questions, and their twins in the bank's other language by `bank_key` (two queries)."""
    rows = list(questions)
    keys = {q.bank_key for q in rows if q.bank_key}
    twins: dict[str, Question] = {}
    if keys:
        for twin in Question.objects.filter(bank_key__in=keys):
            twins.setdefault(f"{twin.bank_key}/{twin.language}", twin)
    return rows, twins


def question_bank(*, position: str, language: str) -> QuerySet[Question]:
    return Question.objects.filter(position=position, language=language).order_by("id")


def question_bank_versions(*, positions: list[str]) -> dict[str, tuple]:
    """For each position, what changes whenever its bank (both languages) changes: a question added,
    edited or deleted. One aggregate query, for callers that keep banks in memory; a position without
    questions is absent."""
    rows = (
        Question.objects.filter(position__in=positions)
        .order_by()
        .values("position")
        .annotate(count=Count("id"), last_id=Max("id"), last_change=Max("updated_at"))
    )
    return {row["position"]: (row["count"], row["last_id"], row["last_change"]) for row in rows}


def questions_by_id(*, ids: list[int]) -> QuerySet[Question]:
    return Question.objects.filter(pk__in=ids)


def topic_canonical(*, position: str, topic: str) -> str | None:
    """The bank's name of a topic the candidate named, in English or Korean ("데이터베이스" ->
    "databases"), among the position's topics (a behavioural interview's come from "general"); None
    when the bank has no such topic."""
    wanted = " ".join(topic.lower().split())
    for known in (
        Question.objects.filter(position=position).exclude(topic="").values_list("topic", flat=True).distinct()
    ):
        if wanted in (known.lower(), topic_label(known, "ko").lower()):
            return known
    return None


def topic_list() -> dict[str, list[tuple[str, int]]]:
    """The bank's topics per position with their number of questions (in English), one query."""
    topics: dict[str, list[tuple[str, int]]] = {}
    rows = (
        Question.objects.filter(language="en")
        .exclude(topic="")
        .values("position", "topic")
        .annotate(n=Count("id"))
        .order_by("position", "topic")
    )
    for row in rows:
        topics.setdefault(row["position"], []).append((row["topic"], row["n"]))
    return topics


def transcript(*, interview: Interview) -> list[TranscriptEntry]:
    """What was said so far, oldest first, without the rows' bookkeeping columns."""
    rows = message_list(interview=interview).values_list("role", "content", "question_id")
    return [TranscriptEntry(role=role, content=content, question_id=question_id) for role, content, question_id in rows]


def answers_orphaned(*, user: User | None = None, now: dt.datetime | None = None) -> QuerySet[Message]:
    """Answers whose reply's producer died mid-turn: a unit still held for them and the lease run out
    (still waiting, or in an interview finished meanwhile). With `user`, only that user's."""
    rows = Message.objects.filter(charged_on__isnull=False, reply_lease_until__lt=now or timezone.now()).select_related(
        "interview__owner"
    )
    return rows.filter(interview__owner=user) if user is not None else rows


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


# --- The public feed ---------------------------------------------------------------------------

# The feed shows only what owners published and staff did not hide.
PUBLIC = Q(is_public=True, is_hidden=False)
_SEARCH_TERMS = 8  # a search of more words adds nothing but cost
_SEARCH_TERM = re.compile(r"\w+", re.UNICODE)


def feed_list(*, position: str | None = None, language: str | None = None, q: str | None = None) -> QuerySet[Interview]:
    """Public interviews, newest first, with their message count and a preview (the opening question).

    One query per page whatever its size: the owner is joined, the count and the preview are
    computed by the database.
    """
    interviews = Interview.objects.filter(PUBLIC)
    if position:
        interviews = interviews.filter(position=position)
    if language:
        interviews = interviews.filter(language=language)
    if q:
        interviews = _search(interviews, q)
    opening = (
        Message.objects.filter(interview=OuterRef("pk"))
        .exclude(_PERSONAL)
        .order_by("created_at", "id")
        .values("content")[:1]
    )
    messages = Message.objects.filter(interview=OuterRef("pk")).values("interview").annotate(n=Count("id")).values("n")
    return (
        interviews.select_related("owner")
        .annotate(
            preview_text=Substr(Subquery(opening), 1, PREVIEW_CHARS + 1),
            message_count=Coalesce(Subquery(messages), 0),
        )
        .order_by("-created_at", "-id")
    )


def feed_get(*, interview_id: int) -> Interview:
    """A public interview for the feed's detail, or NotFoundError (private, hidden and missing alike)."""
    interview = _with_counts(Interview.objects.filter(PUBLIC, pk=interview_id)).first()
    if interview is None:
        raise NotFoundError("Interview not found.")
    return interview


def feed_version(*, interviews: QuerySet[Interview]) -> tuple[str, dt.datetime | None]:
    """An ETag and a Last-Modified for a feed listing, from one aggregate query.

    The newest change of a listed interview (publishing, hiding, ...) moves `updated_at`; a deletion
    moves the count; a new message anywhere moves the newest message id. Any of them changes the tag,
    so a hidden or deleted interview leaves the feed at once, with no stale 304.
    """
    figures = interviews.order_by().aggregate(
        count=Count("id", distinct=True),
        changed=Max("updated_at"),
        # Not per listed interview: the newest message anywhere is one index probe, and is enough.
        newest_message=Max(Subquery(Message.objects.order_by("-id").values("id")[:1])),
    )
    changed = figures["changed"]
    raw = f"{figures['count']}|{changed.isoformat() if changed else ''}|{figures['newest_message']}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32], changed


# The personal stage is its owner's alone: the public neither reads nor searches it.
_PERSONAL = Q(stage="personal") | Q(reply_to__stage="personal")


def _search(interviews: QuerySet[Interview], q: str) -> QuerySet[Interview]:
    """Interviews whose topic, or one of whose messages, contains every word of `q` (a prefix of a word
    counts, so Korean words match with their particles: "인덱스" finds "인덱스를").

    PostgreSQL answers from the GIN index of migration 0006 on messages; SQLite scans.
    """
    terms = _SEARCH_TERM.findall(q.lower())[:_SEARCH_TERMS]
    if not terms:
        return interviews
    if connection.vendor == "postgresql":
        query = SearchQuery(" & ".join(f"{term}:*" for term in terms), config="simple", search_type="raw")
        in_messages = (
            Message.objects.exclude(_PERSONAL)
            .annotate(found=SearchVector("content", config="simple"))
            .filter(found=query, interview=OuterRef("pk"))
            .values("id")
        )
        return interviews.annotate(topic_found=SearchVector("topic", config="simple")).filter(
            Q(topic_found=query) | Exists(in_messages)
        )
    in_topic = Q()
    in_message = Q(interview=OuterRef("pk"))
    for term in terms:
        in_topic &= Q(topic__icontains=term)
        in_message &= Q(content__icontains=term)
    return interviews.filter(in_topic | Exists(Message.objects.exclude(_PERSONAL).filter(in_message)))


# --- Usage and cost, for staff ------------------------------------------------------------------


@dataclass
class UsageRow:
    """Interviewer turns (replies and reports) and their tokens for one group, with the estimated cost
    in US dollars of the tokens whose model has a price (LLM_PRICES)."""

    key: tuple
    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    unpriced_turns: int = 0

    def add(self, figures: dict) -> None:
        self.turns += figures["turns"]
        self.prompt_tokens += figures["prompt"] or 0
        self.completion_tokens += figures["completion"] or 0
        self.cost += figures["cost"] or 0.0
        self.unpriced_turns += figures["unpriced"] or 0


def _price(model_field: str, side: int) -> Case:
    """The price per token of `model_field`'s model, by the longest matching prefix of LLM_PRICES."""
    prices = settings.LLM_PRICES
    whens = [
        When(**{f"{model_field}__startswith": prefix}, then=Value(float(prices[prefix][side]) / 1_000_000))
        for prefix in sorted(prices, key=len, reverse=True)
    ]
    return Case(*whens, default=Value(None), output_field=FloatField())


def _usage_figures(model_field: str, prompt_field: str, completion_field: str) -> dict:
    priced = _price(model_field, 0)
    cost = Coalesce(F(prompt_field), 0) * priced + Coalesce(F(completion_field), 0) * _price(model_field, 1)
    return {
        "turns": Count("id"),
        "prompt": Sum(prompt_field),
        "completion": Sum(completion_field),
        "cost": Sum(cost, output_field=FloatField()),
        "unpriced": Sum(_unpriced(model_field)),
    }


def _unpriced(model_field: str) -> Case:
    prefixes = [When(**{f"{model_field}__startswith": prefix}, then=Value(0)) for prefix in settings.LLM_PRICES]
    return Case(*prefixes, default=Value(1), output_field=IntegerField())


def usage_by(*, group: str, since: dt.datetime) -> list[UsageRow]:
    """Turns, tokens and cost since `since`, grouped by "day_model" (local day and model) or "user".

    Four aggregate queries (replies and reports, each grouped in the database), merged by group.
    """
    local = timezone.get_current_timezone()
    replies = Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=since).exclude(model="")
    reports = Interview.objects.filter(finished_at__gte=since).exclude(report_model="")
    if group == "day_model":
        reply_keys = {"day": TruncDate("created_at", tzinfo=local), "model_name": F("model")}
        report_keys = {"day": TruncDate("finished_at", tzinfo=local), "model_name": F("report_model")}
    elif group == "user":
        reply_keys = {"name": F("interview__owner__username")}
        report_keys = {"name": F("owner__username")}
    else:
        raise ValueError(f"unknown usage grouping {group!r}")
    rows: dict[tuple, UsageRow] = {}
    for queryset, keys, fields in (
        (replies, reply_keys, ("model", "prompt_tokens", "completion_tokens")),
        (reports, report_keys, ("report_model", "report_prompt_tokens", "report_completion_tokens")),
    ):
        grouped = queryset.annotate(**keys).values(*keys).annotate(**_usage_figures(*fields)).order_by()
        for figures in grouped:
            key = tuple(figures[name] for name in keys)
            rows.setdefault(key, UsageRow(key=key)).add(figures)
    return sorted(rows.values(), key=lambda row: row.key, reverse=group == "day_model")
