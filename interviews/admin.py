from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from interviews.bank import question_is_untouched_bank_row
from interviews.models import Interview, Message, Question


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "interview"
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "role",
        "content",
        "awaiting_reply",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "latency_ms",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Interview | None = None) -> bool:
        return False


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "position",
        "topic",
        "language",
        "status",
        "is_public",
        "is_hidden",
        "messages",
        "created_at",
    ]
    list_filter = ["status", "position", "language", "is_public", "is_hidden"]
    list_editable = ["is_hidden"]
    search_fields = ["topic", "owner__username"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = ["owner", "created_at", "updated_at", "finished_at", "report"]
    inlines = [MessageInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interview]:
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description="Messages", ordering="message_total")
    def messages(self, interview: Interview) -> int:
        return interview.message_total


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["id", "position", "language", "topic", "short_question", "source", "kept_on_reload"]
    list_filter = ["position", "language", "source", "topic"]
    search_fields = ["question", "topic", "model_answer"]

    @admin.display(description="Question")
    def short_question(self, question: Question) -> str:
        return question.question[:100]

    @admin.display(description="Kept on reload", boolean=True)
    def kept_on_reload(self, question: Question) -> bool:
        """Whether `load_questions` leaves this question alone (edited here, imported or added by staff)."""
        return not question_is_untouched_bank_row(question)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "interview", "role", "short_content", "awaiting_reply", "model", "latency_ms", "created_at"]
    list_filter = ["role", "awaiting_reply", "model"]
    search_fields = ["content"]
    raw_id_fields = ["interview", "reply_to", "question"]
    readonly_fields = ["created_at", "prompt_tokens", "completion_tokens", "latency_ms", "finish_reason", "model"]

    @admin.display(description="Content")
    def short_content(self, message: Message) -> str:
        return message.content[:80]
