"""/api/chat/gpt/: the original frontend's chat endpoint, mapped onto the caller's most recent
active interview so it shares quota and storage with the main API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import quota_status
from chat.services import answer_submit, interview_start
from config.compat import CompatApiView
from config.errors import ApplicationError
from interviews.selectors import interview_latest_active, message_list
from interviews.serializers import MessageSerializer
from interviews.vocabulary import ANSWER_MAX_CHARS, position_from_label

# The original frontend skips the first entry of `conversations`: it expects the system prompt there.
_SYSTEM_ENTRY = {"role": "system", "content": "You are an interviewer."}


class CompatChatApi(CompatApiView):
    class InputSerializer(serializers.Serializer):
        interview_topic = serializers.CharField(max_length=200, required=False)
        user_input = serializers.CharField(max_length=ANSWER_MAX_CHARS, required=False)

        def validate(self, attrs: dict) -> dict:
            if not attrs.get("interview_topic") and not attrs.get("user_input"):
                raise serializers.ValidationError("Send interview_topic to start or user_input to answer.")
            return attrs

    class ConversationOutputSerializer(serializers.Serializer):
        class EntrySerializer(serializers.Serializer):
            role = serializers.CharField()
            content = serializers.CharField()

        conversations = EntrySerializer(many=True)
        count = serializers.IntegerField(source="quota.used")
        limit = serializers.IntegerField(source="quota.limit")

    class ReplyOutputSerializer(MessageSerializer):
        response = serializers.CharField(source="content")

        class Meta(MessageSerializer.Meta):
            fields = ["response", "audio_url"]

    @extend_schema(responses={200: ConversationOutputSerializer}, tags=["compat"])
    def get(self, request: Request) -> Response:
        interview = interview_latest_active(user=request.user)
        conversations = [_SYSTEM_ENTRY]
        if interview is not None:
            conversations += list(message_list(interview=interview))
        state = {"conversations": conversations, "quota": quota_status(user=request.user)}
        return Response(self.ConversationOutputSerializer(state).data)

    @extend_schema(request=InputSerializer, responses={200: ReplyOutputSerializer}, tags=["compat"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if topic := data.validated_data.get("interview_topic", "").strip():
            position, rest = position_from_label(topic)
            started = interview_start(user=request.user, position=position, topic=rest, language="en", is_public=True)
            reply = started.messages[0]
        else:
            interview = interview_latest_active(user=request.user)
            if interview is None:
                raise ApplicationError(
                    "Start an interview first by sending interview_topic.", code="no_active_interview"
                )
            content = data.validated_data["user_input"]
            reply = answer_submit(user=request.user, interview_id=interview.pk, content=content).reply
        return Response(self.ReplyOutputSerializer(reply, context={"request": request}).data)
