from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviews.models import Interview, Message
from interviews.vocabulary import ANSWER_MAX_CHARS, PREVIEW_CHARS, has_visible_text
from speech.selectors import clip_url

ANONYMOUS = "Anonymous"


class AnswerContentField(serializers.CharField):
    """A candidate's message: 1 to ANSWER_MAX_CHARS characters after trimming, at least one of them
    visible (`has_visible_text`): zero-width, control and other blank characters alone are refused."""

    default_error_messages = {"invisible": "Write at least one visible character; blank characters alone say nothing."}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", ANSWER_MAX_CHARS)
        kwargs.setdefault("help_text", f"1 to {ANSWER_MAX_CHARS} characters after trimming, at least one visible.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not has_visible_text(value):
            self.fail("invisible")
        return value


class OwnerSerializer(serializers.Serializer):
    username = serializers.CharField()


def public_username(interview: Interview) -> str:
    """The owner's name as the public sees it: "Anonymous" when the owner chose so. Never an e-mail."""
    return ANONYMOUS if interview.is_anonymous else interview.owner.username


class InterviewSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    message_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Interview
        fields = [
            "id",
            "owner",
            "position",
            "topic",
            "language",
            "is_public",
            "is_anonymous",
            "status",
            "created_at",
            "finished_at",
            "message_count",
        ]
        read_only_fields = fields

    @extend_schema_field(OwnerSerializer)
    def get_owner(self, interview: Interview) -> dict:
        # The owner sees their own name, except in the public feed; everyone else what the owner chose.
        request = self.context.get("request")
        viewer_id = getattr(getattr(request, "user", None), "pk", None)
        own = viewer_id == interview.owner_id and not self.context.get("public")
        return {"username": interview.owner.username if own else public_username(interview)}


class FeedInterviewSerializer(InterviewSerializer):
    """A public interview in the feed's listing, with a short preview of its opening."""

    preview = serializers.SerializerMethodField()

    class Meta(InterviewSerializer.Meta):
        fields = [*InterviewSerializer.Meta.fields, "preview"]

    def get_preview(self, interview: Interview) -> str:
        # The selector reads one character more than a preview holds: that one says it was cut.
        raw = getattr(interview, "preview_text", None) or ""
        text = " ".join(raw[:PREVIEW_CHARS].split())
        if len(raw) <= PREVIEW_CHARS:
            return text
        return text.rsplit(" ", 1)[0].rstrip(",.;:") + "…"


class MessageSerializer(serializers.ModelSerializer):
    audio_url = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "role", "content", "audio_url", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_audio_url(self, message: Message) -> str | None:
        # Absolute, from the request, so that behind a TLS proxy it is https.
        if message.role != Message.Role.ASSISTANT or message.audio_clip_id is None:
            return None
        return clip_url(key=message.audio_clip_id, request=self.context.get("request"))
