"""/api/chat/gpt/: the original frontend's chat endpoint, mapped onto the caller's most recent
active interview so it shares quota and storage with the main API."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import quota_status
from accounts.tokens import CompatTokenAuthentication
from chat.services import InterviewComplete, answer_retry, answer_submit, interview_finish, interview_start
from config.compat import CompatApiView
from interviews.models import Interview, Message
from interviews.selectors import interview_latest_active, message_list
from interviews.serializers import AnswerContentField, MessageSerializer
from interviews.services import AnswerPending
from interviews.vocabulary import ANSWER_MAX_CHARS, position_from_topic, topic_language

# The original frontend skips the first entry of `conversations`: it expects the system prompt there.
_SYSTEM_ENTRY = {"role": "system", "content": "You are an interviewer."}
_TOPIC_MAX_CHARS = Interview._meta.get_field("topic").max_length


def compat_interview_start(*, user: User, text: str) -> Message:
    """Start an interview from the original frontend's free text; returns the opening message.

    The position is read from the text's words in Korean or English, the language is Korean
    (COMPAT_LANGUAGE) unless the text says otherwise, and the interview is private: that frontend
    has no way to publish or unpublish. One quota unit, like any start.
    """
    position, topic = position_from_topic(text)
    if len(topic) > _TOPIC_MAX_CHARS:
        topic = topic[:_TOPIC_MAX_CHARS].rsplit(" ", 1)[0]
    language = topic_language(text, default=settings.COMPAT_LANGUAGE)
    started = interview_start(user=user, position=position, topic=topic, language=language, is_public=False)
    return started.messages[0]


def compat_answer(*, user: User, interview: Interview, content: str) -> Message:
    """The interviewer's reply to `content` in `interview`; one quota unit.

    If an earlier answer is still waiting for its reply (the LLM failed), that reply is produced
    instead and `content` is not stored: that frontend cannot call /retry/, and without this the
    interview would stay blocked for it.
    """
    try:
        return answer_submit(user=user, interview_id=interview.pk, content=content).reply
    except AnswerPending:
        return answer_retry(user=user, interview_id=interview.pk).reply
    except InterviewComplete:
        # Every planned question is answered and that frontend has no finish button: the next message
        # finishes the interview (one unit, the report) and reads its summary back. `content` is not
        # stored; the next message starts a new interview.
        finished = interview_finish(user=user, interview_id=interview.pk)
        return Message(interview=finished.interview, role=Message.Role.ASSISTANT, content=finished.interview.summary)


class CompatChatApi(CompatApiView):
    authentication_classes = [CompatTokenAuthentication]

    class InputSerializer(serializers.Serializer):
        # Longer than a stored topic may be (it is cut to fit): that frontend sets no limit.
        interview_topic = serializers.CharField(max_length=ANSWER_MAX_CHARS, required=False)
        user_input = AnswerContentField(required=False)

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
        # No running interview: `[]`, on which the frontend offers to start one.
        interview = interview_latest_active(user=request.user)
        conversations = [] if interview is None else [_SYSTEM_ENTRY, *message_list(interview=interview)]
        state = {"conversations": conversations, "quota": quota_status(user=request.user)}
        return Response(self.ConversationOutputSerializer(state).data)

    @extend_schema(request=InputSerializer, responses={200: ReplyOutputSerializer}, tags=["compat"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = data.validated_data.get("interview_topic", "")
        user_input = data.validated_data.get("user_input", "")
        interview = None if topic else interview_latest_active(user=request.user)
        if interview is None:
            # A topic, or a message typed with no interview running: either one names the interview.
            reply = compat_interview_start(user=request.user, text=topic or user_input)
        else:
            reply = compat_answer(user=request.user, interview=interview, content=user_input)
        return Response(self.ReplyOutputSerializer(reply, context={"request": request}).data)
