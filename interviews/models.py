from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from interviews.vocabulary import position_label


def _title(position: str) -> str:
    label = position_label(position)
    return label[0].upper() + label[1:]


class Position(models.TextChoices):
    AI = "ai", _title("ai")
    BACKEND = "be", _title("be")
    FRONTEND = "fe", _title("fe")
    MOBILE = "mobile", _title("mobile")
    GENERAL = "general", _title("general")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    KOREAN = "ko", "Korean"


class Stage(models.TextChoices):
    """The parts of a planned interview, in the order they come."""

    TECHNICAL = "technical"
    BEHAVIOURAL = "behavioural"
    PERSONAL = "personal"
    CLOSING = "closing"


class CurriculumVitae(models.Model):
    """A candidate's CV as text, with what was extracted from it. Private to its owner: it grounds the
    personal questions of their interviews and is never shown publicly. The uploaded file is not kept."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cvs")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)  # decided from the bytes, not the name
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField()
    # {"skills": ["Python", ...], "projects": ["Built ...", ...]}
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "CV"
        verbose_name_plural = "CVs"
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="cv_owner_newest_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.owner_id})"


class Interview(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        FINISHED = "finished"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews")
    position = models.CharField(max_length=16, choices=Position.choices)
    topic = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    # Private unless the owner publishes it (INTERVIEWS_PUBLIC_BY_DEFAULT decides for new interviews).
    is_public = models.BooleanField(default=False, help_text="Published by its owner to the public feed.")
    is_anonymous = models.BooleanField(default=False, help_text='Shown publicly as by "Anonymous".')
    # Staff moderation: a hidden interview leaves the feed at once, whatever its owner chose.
    is_hidden = models.BooleanField(default=False, help_text="Hidden from the public by staff.")
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The plan, decided by the server at start: questions per stage ({"technical": 2, ...}) and the
    # questions themselves, one per slot in order ([{"stage", "question_id"} or {"stage", "question",
    # "key_points", "focus"} for a personal question built from the CV or job description]).
    plan = models.JSONField(default=dict, blank=True)
    plan_items = models.JSONField(default=list, blank=True)
    # Where the interview stands: the stage of the question in play and how many slots were asked.
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.TECHNICAL)
    asked = models.PositiveSmallIntegerField(default=0)
    cv = models.ForeignKey(CurriculumVitae, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job_description = models.TextField(blank=True)
    # The finished interview's report, computed from the evaluation rows (see interviews/reports.py),
    # its prose summary, and its scores as columns so progress over time is an aggregate query.
    report = models.JSONField(null=True, blank=True)
    summary = models.TextField(blank=True)
    score_overall = models.PositiveSmallIntegerField(null=True, blank=True)
    score_correctness = models.PositiveSmallIntegerField(null=True, blank=True)
    score_depth = models.PositiveSmallIntegerField(null=True, blank=True)
    score_communication = models.PositiveSmallIntegerField(null=True, blank=True)
    # What producing the report cost, like an interviewer message's figures (staff's usage view).
    report_model = models.CharField(max_length=100, blank=True)
    report_prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    report_completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="interview_owner_newest_idx"),
            # The feed reads only public, visible rows newest first: a partial index keeps it small.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(is_public=True, is_hidden=False),
                name="interview_feed_newest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.position}/{self.topic or '-'} ({self.language})"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED

    @property
    def planned(self) -> int:
        return len(self.plan_items)

    @property
    def turns_needed(self) -> int:
        """Quota units the rest of the plan costs: a reply per planned question not yet answered, and
        the report. (An interview started before plans existed closes at its next reply.)"""
        if self.is_finished:
            return 0
        if self.stage == Stage.CLOSING:
            return 1
        return max(self.planned - self.asked, 0) + 2


class Question(models.Model):
    """A bank question with its model answer and the key points a good answer covers."""

    class Source(models.TextChoices):
        BANK = "bank"
        IMPORT = "import"
        ADMIN = "admin"

    position = models.CharField(max_length=16, choices=Position.choices)
    topic = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices)
    question = models.TextField()
    model_answer = models.TextField(blank=True)
    # [{"text": "short phrase", "keywords": [...], "synonyms": [...], "probe": "a follow-up question"}, ...]:
    # terms are words or phrases matched by meaning (interviews/matching.py); the probe asks after the
    # point without naming it.
    key_points = models.JSONField(default=list, blank=True)
    # The same question in the bank's other language shares this key (its key points in the same order),
    # so an answer written in the other language is understood.
    bank_key = models.CharField(max_length=64, blank=True, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ADMIN)
    # SHA-256 of the content as our bank last wrote it: a row whose content no longer matches was
    # edited by staff, and `load_questions` leaves it alone.
    bank_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Any change to a question moves it: with the count, it versions a position's bank for the
    # interviewer's in-memory copy (bulk writes set it themselves: they skip auto_now).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "language", "topic", "id"]
        constraints = [
            models.UniqueConstraint(fields=["position", "language", "question"], name="question_unique_per_position"),
        ]
        indexes = [models.Index(fields=["position", "language", "topic"], name="question_lookup_idx")]

    def __str__(self) -> str:
        return f"[{self.position}/{self.language}] {self.question[:60]}"


class Message(models.Model):
    class Role(models.TextChoices):
        ASSISTANT = "assistant"
        USER = "user"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    # A candidate answer: whether it still waits for the interviewer's reply, and who is producing it.
    awaiting_reply = models.BooleanField(default=False)
    reply_lease_until = models.DateTimeField(null=True, blank=True)
    # The day of the quota unit charged for the reply being produced, while one is held: a process
    # killed mid-turn leaves it set after the lease ran out, and the unit is given back (chat's
    # turn_orphans_reconcile). NULL once the reply is stored or the unit refunded.
    charged_on = models.DateField(null=True, blank=True)
    # NULL, not "", for "no key": the unique constraint must ignore answers sent without one.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    # SHA-256 of the request body sent with the key: a repeat with another body is refused (422).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)

    # What the candidate said it took to say this answer aloud (words per minute in the report).
    spoken_seconds = models.FloatField(null=True, blank=True)
    # Where in the plan this message belongs: its stage, the plan slot in play (0-based), and for an
    # interviewer message what it does (asks the slot's question, a follow-up, clarifies, steers back, closes).
    stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    act = models.CharField(max_length=12, blank=True)
    # The question an interviewer message asks, on its own (the message also holds the verdict before it).
    asks = models.TextField(blank=True)

    # An interviewer message: what it answers, which bank question it asked, and what it cost.
    reply_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.CASCADE, related_name="reply")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    model = models.CharField(max_length=100, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    finish_reason = models.CharField(max_length=32, blank=True)
    # Keyed by the clip's key, so the audio URL is rendered without a join.
    audio_clip = models.ForeignKey(
        "speech.AudioClip", to_field="key", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The conversation alternates: at most one answer per interview may wait for a reply.
            models.UniqueConstraint(
                fields=["interview"], condition=models.Q(awaiting_reply=True), name="message_one_pending_answer"
            ),
            models.UniqueConstraint(
                fields=["interview", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="message_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["interview", "created_at", "id"], name="message_transcript_idx"),
            # The few answers holding a unit right now: what the reconcile step looks through.
            models.Index(
                fields=["reply_lease_until"], condition=models.Q(charged_on__isnull=False), name="message_unit_held_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class Evaluation(models.Model):
    """How one candidate message was judged, as data: its kind, and for a real answer three scores
    from 1 to 5 with the key points it covered and missed. One row per candidate message that got a
    reply; stored with that reply."""

    class Kind(models.TextChoices):
        ANSWER = "answer"
        CLARIFICATION = "clarification"
        OFF_TOPIC = "off_topic"
        NON_ANSWER = "non_answer"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="evaluation")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    correctness = models.PositiveSmallIntegerField(null=True, blank=True)
    depth = models.PositiveSmallIntegerField(null=True, blank=True)
    communication = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    covered = models.JSONField(default=list, blank=True)
    missed = models.JSONField(default=list, blank=True)
    # The model answer the judgement used, shown on screen (never read aloud).
    reference = models.TextField(blank=True)
    stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=2, blank=True)  # the language the answer was written in
    # Who judged: "practice", "openai", or "practice-fallback" when the LLM's judgement was unusable.
    judge = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="answer", correctness__range=(1, 5), depth__range=(1, 5), communication__range=(1, 5))
                    | Q(~Q(kind="answer"), correctness__isnull=True, depth__isnull=True, communication__isnull=True)
                ),
                name="evaluation_scores_only_for_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for message {self.message_id}"
