from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviews.models import Interview, Message
from speech.selectors import clip_url


class OwnerSerializer(serializers.Serializer):
    username = serializers.CharField()


class InterviewSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer(read_only=True)
    message_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Interview
        fields = ["id", "owner", "position", "topic", "language", "is_public", "status", "created_at", "message_count"]
        read_only_fields = fields


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
