"""/api/chat/gpt/: the original frontend's chat endpoint, mapped onto the caller's most recent
active interview so it shares quota and storage with the main API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import quota_status
from chat import services as turns
from config.compat import CompatApiView
from config.errors import ApplicationError
from interviews.bank import position_from_label
from interviews.models import Interview, Message
from interviews.selectors import message_list
from interviews.serializers import MessageSerializer


def _latest_active(user) -> Interview | None:
    return Interview.objects.filter(owner=user, status=Interview.Status.ACTIVE).order_by("-created_at", "-id").first()


class CompatChatApi(CompatApiView):
    class InputSerializer(serializers.Serializer):
        interview_topic = serializers.CharField(max_length=200, required=False)
        user_input = serializers.CharField(max_length=4000, required=False)

        def validate(self, attrs: dict) -> dict:
            if not attrs.get("interview_topic") and not attrs.get("user_input"):
                raise serializers.ValidationError("Send interview_topic to start or user_input to answer.")
            return attrs

    _Reply = inline_serializer(
        "CompatReply", {"response": serializers.CharField(), "audio_url": serializers.CharField()}
    )

    @extend_schema(
        responses={
            200: inline_serializer(
                "CompatConversation",
                {
                    "conversations": serializers.ListField(),
                    "count": serializers.IntegerField(),
                    "limit": serializers.IntegerField(),
                },
            )
        },
        tags=["compat"],
    )
    def get(self, request: Request) -> Response:
        interview = _latest_active(request.user)
        conversations = [{"role": "system", "content": "You are an interviewer."}]
        if interview is not None:
            conversations += [{"role": m.role, "content": m.content} for m in message_list(interview=interview)]
        status = quota_status(user=request.user)
        return Response({"conversations": conversations, "count": status.used, "limit": status.limit})

    @extend_schema(request=InputSerializer, responses={200: _Reply}, tags=["compat"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if topic := data.validated_data.get("interview_topic", "").strip():
            position, rest = position_from_label(topic)
            result = turns.interview_start(
                user=request.user, position=position, topic=rest, language="en", is_public=True
            )
            return self._reply(result.messages[0], request)
        interview = _latest_active(request.user)
        if interview is None:
            raise ApplicationError("Start an interview first by sending interview_topic.", code="no_active_interview")
        result = turns.answer_submit(
            user=request.user, interview_id=interview.pk, content=data.validated_data["user_input"]
        )
        return self._reply(result.reply, request)

    @staticmethod
    def _reply(message: Message, request: Request) -> Response:
        rendered = MessageSerializer(message, context={"request": request}).data
        return Response({"response": rendered["content"], "audio_url": rendered["audio_url"]})
