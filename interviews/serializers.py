from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviews.models import Evaluation, Interview, Message, Stage
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


class ProgressSerializer(serializers.Serializer):
    asked = serializers.IntegerField(help_text="Planned questions asked so far (the one in play included).")
    planned = serializers.IntegerField()


class PlanSerializer(serializers.Serializer):
    technical = serializers.IntegerField(min_value=0)
    behavioural = serializers.IntegerField(min_value=0)
    personal = serializers.IntegerField(min_value=0)


class CvRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()


class ScoresSerializer(serializers.Serializer):
    correctness = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField(allow_null=True)
    communication = serializers.IntegerField(allow_null=True)


class PracticeQuestionSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    question = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    words_per_minute = serializers.IntegerField()
    filler_rate = serializers.FloatField()
    fillers = serializers.DictField(child=serializers.IntegerField())


class ReportSerializer(serializers.Serializer):
    """The report of a finished interview, computed from its evaluation rows (0-100 scores)."""

    overall = serializers.IntegerField(allow_null=True)
    dimensions = ScoresSerializer()
    stages = serializers.DictField(child=serializers.IntegerField(), help_text="0-100 per stage that was scored.")
    strengths = serializers.ListField(child=serializers.CharField())
    improvements = serializers.ListField(child=serializers.CharField())
    practice = PracticeQuestionSerializer(many=True)
    delivery = DeliverySerializer(allow_null=True)
    summary = serializers.CharField()
    answered = serializers.IntegerField(required=False, help_text="Answers scored.")
    unanswered = serializers.IntegerField(required=False, help_text="Questions the candidate declined.")
    asked = serializers.IntegerField(required=False, help_text="Planned questions asked.")
    planned = serializers.IntegerField(required=False)


class InterviewSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    message_count = serializers.IntegerField(read_only=True, default=0)
    progress = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    cv = serializers.SerializerMethodField()
    has_job_description = serializers.SerializerMethodField()
    turns_needed = serializers.IntegerField(read_only=True)
    report = serializers.SerializerMethodField()

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
            "stage",
            "progress",
            "plan",
            "cv",
            "has_job_description",
            "created_at",
            "finished_at",
            "message_count",
            "turns_needed",
            "report",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, interview: Interview) -> dict:
        return {"asked": min(interview.asked, interview.planned), "planned": interview.planned}

    @extend_schema_field(PlanSerializer)
    def get_plan(self, interview: Interview) -> dict:
        return {stage: int(interview.plan.get(stage, 0)) for stage in ("technical", "behavioural", "personal")}

    @extend_schema_field(CvRefSerializer(allow_null=True))
    def get_cv(self, interview: Interview) -> dict | None:
        # A CV is its owner's alone: never shown to anyone else, nor in the public feed.
        if interview.cv_id is None or not self._viewed_by_owner(interview):
            return None
        cv = interview.cv
        return {"id": cv.pk, "filename": cv.filename} if cv is not None else None

    def get_has_job_description(self, interview: Interview) -> bool:
        return bool(interview.job_description)

    @extend_schema_field(ReportSerializer(allow_null=True))
    def get_report(self, interview: Interview) -> dict | None:
        if not (interview.is_finished and interview.report):
            return None
        return ReportSerializer(interview.report).data

    def _viewed_by_owner(self, interview: Interview) -> bool:
        request = self.context.get("request")
        viewer_id = getattr(getattr(request, "user", None), "pk", None)
        return viewer_id == interview.owner_id and not self.context.get("public")

    @extend_schema_field(OwnerSerializer)
    def get_owner(self, interview: Interview) -> dict:
        # The owner sees their own name, except in the public feed; everyone else what the owner chose.
        own = self._viewed_by_owner(interview)
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


class EvaluationSerializer(serializers.ModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = ["kind", "scores", "feedback", "covered", "missed", "reference", "language", "judge"]
        read_only_fields = fields

    @extend_schema_field(ScoresSerializer)
    def get_scores(self, evaluation: Evaluation) -> dict:
        # Each score is null unless the message was an answer (the database's check enforces it).
        return {
            "correctness": evaluation.correctness,
            "depth": evaluation.depth,
            "communication": evaluation.communication,
        }


WITHHELD = {
    Message.Role.ASSISTANT: (
        "(A personal question from the candidate's CV or job description: shown to its owner only.)"
    ),
    Message.Role.USER: "(An answer about the candidate's own experience: shown to its owner only.)",
}


WITHHELD_REPLY = "(The interviewer's reply to an answer about the candidate's own experience: shown to its owner only.)"


def is_personal(message: Message) -> bool:
    """Whether a message belongs to the personal stage: the question built from a CV or job
    description, the candidate's answer to it, and the interviewer's reply to that answer."""
    if message.stage == Stage.PERSONAL:
        return True
    reply_to = message.reply_to if message.reply_to_id else None
    return reply_to is not None and reply_to.stage == Stage.PERSONAL


class MessageSerializer(serializers.ModelSerializer):
    """A transcript message. The personal stage is its owner's alone: anyone else (the public feed, a
    published transcript) sees that it happened, not what was said (`owner_id` in the context says
    who the owner is; the feed says `public`)."""

    audio_url = serializers.SerializerMethodField()
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "role", "content", "audio_url", "created_at", "stage", "evaluation"]
        read_only_fields = fields

    def to_representation(self, message: Message) -> dict:
        body = super().to_representation(message)
        if self._withheld(message):
            withheld = WITHHELD[message.role] if message.stage == Stage.PERSONAL else WITHHELD_REPLY
            body.update(content=withheld, audio_url=None, evaluation=None)
        return body

    def _withheld(self, message: Message) -> bool:
        if not is_personal(message):
            return False
        if self.context.get("public"):
            return True
        request = self.context.get("request")
        viewer_id = getattr(getattr(request, "user", None), "pk", None)
        return viewer_id is None or viewer_id != self.context.get("owner_id", viewer_id)

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, message: Message) -> dict | None:
        # Null for interviewer messages, and for a candidate message still waiting for its reply.
        if message.role != Message.Role.USER:
            return None
        try:
            evaluation = message.evaluation
        except Evaluation.DoesNotExist:
            return None
        return EvaluationSerializer(evaluation).data

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_audio_url(self, message: Message) -> str | None:
        # Absolute, from the request, so that behind a TLS proxy it is https.
        if message.role != Message.Role.ASSISTANT or message.audio_clip_id is None:
            return None
        return clip_url(key=message.audio_clip_id, request=self.context.get("request"))
