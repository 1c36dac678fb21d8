from __future__ import annotations

from django.conf import settings
from django.db import models
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
    report = models.TextField(blank=True)
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
    # [{"text": "short phrase", "keywords": ["lowercase stem", ...]}, ...]
    key_points = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ADMIN)
    # SHA-256 of the content as our bank last wrote it: a row whose content no longer matches was
    # edited by staff, and `load_questions` leaves it alone.
    bank_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

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
    # NULL, not "", for "no key": the unique constraint must ignore answers sent without one.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    # SHA-256 of the request body sent with the key: a repeat with another body is refused (422).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)

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
        indexes = [models.Index(fields=["interview", "created_at", "id"], name="message_transcript_idx")]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"
