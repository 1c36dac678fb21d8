"""Staff's admin for interviews: read-only transcripts with audio, moderation, the bank, usage and cost.

Transcripts are evidence of what was said and what it cost: staff read them and moderate the public
feed, but never add, edit or re-status messages or interviews by hand.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from interviews.bank import question_is_untouched_bank_row
from interviews.models import CurriculumVitae, Interview, Message, Question
from interviews.selectors import usage_by
from interviews.services import interviews_hide, interviews_unhide
from speech.selectors import clip_totals_by_engine, clip_url

USAGE_DAYS = 30


def _audio_player(message: Message) -> str:
    if message.role != Message.Role.ASSISTANT or not message.audio_clip_id:
        return "-"
    return format_html(
        '<audio controls preload="none" src="{}"></audio>', clip_url(key=message.audio_clip_id, request=None)
    )


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "interview"
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "role",
        "stage",
        "act",
        "content",
        "judged",
        "audio",
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

    def has_change_permission(self, request: HttpRequest, obj: Interview | None = None) -> bool:
        return False

    @admin.display(description="Audio")
    def audio(self, message: Message) -> str:
        return _audio_player(message)

    @admin.display(description="Evaluation")
    def judged(self, message: Message) -> str:
        evaluation = getattr(message, "evaluation", None) if message.role == Message.Role.USER else None
        if evaluation is None:
            return ""
        if evaluation.kind != "answer":
            return f"{evaluation.kind} ({evaluation.judge})"
        scores = f"{evaluation.correctness}/{evaluation.depth}/{evaluation.communication}"
        return f"answer {scores} ({evaluation.judge})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("evaluation")


class HideForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=1000)


class PublicNowFilter(admin.SimpleListFilter):
    title = "public now"
    parameter_name = "public_now"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "In the public feed"), ("hidden", "Hidden by staff"), ("private", "Private")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Interview]) -> QuerySet[Interview]:
        if self.value() == "yes":
            return queryset.filter(is_public=True, is_hidden=False)
        if self.value() == "hidden":
            return queryset.filter(is_hidden=True)
        if self.value() == "private":
            return queryset.filter(is_public=False)
        return queryset


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
        "is_anonymous",
        "is_hidden",
        "messages",
        "created_at",
    ]
    list_filter = [PublicNowFilter, "status", "position", "language", "is_public", "is_hidden"]
    search_fields = ["topic", "owner__username"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    actions = ["hide", "unhide"]
    fields = [
        "owner",
        "position",
        "topic",
        "language",
        "status",
        "is_public",
        "is_anonymous",
        "is_hidden",
        "hidden_reason",
        "hidden_at",
        "hidden_by",
        "created_at",
        "updated_at",
        "finished_at",
        "stage",
        "asked",
        "plan",
        "cv",
        "job_description",
        "score_overall",
        "summary",
        "report",
        "report_model",
        "report_prompt_tokens",
        "report_completion_tokens",
    ]
    # Only moderation is editable; what was said, by whom, and how it went are not.
    readonly_fields = [f for f in fields if f not in ("is_hidden", "hidden_reason")]
    inlines = [MessageInline]
    change_list_template = "admin/interviews/interview/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # interviews start through the interviewer, with its quota and first question

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interview]:
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description="Messages", ordering="message_total")
    def messages(self, interview: Interview) -> int:
        return interview.message_total

    def save_model(self, request: HttpRequest, obj: Interview, form: forms.ModelForm, change: bool) -> None:
        # Hiding here is the same moderation as the bulk action: recorded with who, when and why.
        queryset = Interview.objects.filter(pk=obj.pk)
        if obj.is_hidden:
            interviews_hide(interviews=queryset, by=request.user, reason=obj.hidden_reason)
        else:
            interviews_unhide(interviews=queryset)
        obj.refresh_from_db()

    @admin.action(description="Hide the selected interviews from the public (asks for a reason)")
    def hide(self, request: HttpRequest, queryset: QuerySet[Interview]) -> HttpResponse | None:
        form = HideForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            count = interviews_hide(interviews=queryset, by=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, f"{count} interview(s) hidden from the public.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Hide interviews from the public",
            "form": form,
            "interviews": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/interviews/interview/hide.html", context)

    @admin.action(description="Unhide the selected interviews")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        count = interviews_unhide(interviews=queryset)
        self.message_user(request, f"{count} interview(s) no longer hidden.", messages.SUCCESS)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "public_now": Interview.objects.filter(is_public=True, is_hidden=False).count(),
            "usage_url": reverse("admin:interviews_usage"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list:
        usage = self.admin_site.admin_view(self.usage_view)
        return [path("usage/", usage, name="interviews_usage"), *super().get_urls()]

    def usage_view(self, request: HttpRequest) -> HttpResponse:
        """Turns, tokens and estimated cost per day and model and per user, and audio per engine."""
        since = timezone.now() - dt.timedelta(days=USAGE_DAYS)
        by_day = usage_by(group="day_model", since=since)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Usage and cost, last {USAGE_DAYS} days",
            "opts": self.model._meta,
            "by_day": by_day,
            "by_user": usage_by(group="user", since=since),
            "clips": clip_totals_by_engine(since=since),
            "total_cost": sum(row.cost for row in by_day),
            "total_turns": sum(row.turns for row in by_day),
            "days": USAGE_DAYS,
        }
        return TemplateResponse(request, "admin/interviews/usage.html", context)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "interview", "role", "short_content", "awaiting_reply", "model", "latency_ms", "created_at"]
    list_filter = ["role", "awaiting_reply", "model"]
    search_fields = ["content"]
    list_select_related = ["interview"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False  # the view page still shows everything, read-only

    @admin.display(description="Content")
    def short_content(self, message: Message) -> str:
        return message.content[:80]


class KeyPointsWidget(forms.Textarea):
    """Key points as text, one per line (readable, not raw JSON):
    `the point | keyword, keyword | synonym, synonym | the follow-up probe question`."""

    def format_value(self, value: object) -> str:
        points = value if isinstance(value, list) else []
        lines = []
        for p in points:
            parts = [p.get("text", ""), ", ".join(p.get("keywords", [])), ", ".join(p.get("synonyms", []))]
            lines.append(" | ".join([*parts, p.get("probe", "")]).rstrip(" |"))
        return "\n".join(lines)


class KeyPointsField(forms.Field):
    widget = KeyPointsWidget(attrs={"rows": 6, "cols": 100})

    def to_python(self, value: str | list | None) -> list[dict]:
        if isinstance(value, list):
            return value
        points = []
        for number, line in enumerate((value or "").splitlines(), 1):
            if not line.strip():
                continue
            text, keywords, synonyms, probe = [*line.split("|", 3), "", "", ""][:4]
            words = [k.strip() for k in keywords.split(",") if k.strip()]
            if not text.strip() or not words:
                raise forms.ValidationError(
                    f"Line {number}: write the point, then | and its keywords separated by commas "
                    "(then, optionally, | synonyms | a follow-up question)."
                )
            point = {"text": text.strip(), "keywords": words}
            if alternatives := [k.strip() for k in synonyms.split(",") if k.strip()]:
                point["synonyms"] = alternatives
            if probe.strip():
                point["probe"] = probe.strip()
            points.append(point)
        return points


class QuestionForm(forms.ModelForm):
    key_points = KeyPointsField(
        required=False,
        help_text="One key point per line: the point | the keywords that show an answer covered it (words or "
        "phrases, matched as whole words) | optional synonyms | an optional follow-up question that asks after "
        "the point without naming it.",
    )

    class Meta:
        model = Question
        fields = ["position", "language", "topic", "question", "model_answer", "key_points", "source"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["id", "position", "language", "topic", "short_question", "source", "times_asked", "kept_on_reload"]
    list_filter = ["position", "language", "source", "topic"]
    search_fields = ["question", "topic", "model_answer"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        asked = (
            Message.objects.filter(question=OuterRef("pk"), role=Message.Role.ASSISTANT)
            .values("question")
            .annotate(n=Count("id"))
            .values("n")
        )
        return super().get_queryset(request).annotate(asked=Coalesce(Subquery(asked), 0))

    @admin.display(description="Question")
    def short_question(self, question: Question) -> str:
        return question.question[:100]

    @admin.display(description="Times asked", ordering="asked")
    def times_asked(self, question: Question) -> int:
        return question.asked

    @admin.display(description="Kept on reload", boolean=True)
    def kept_on_reload(self, question: Question) -> bool:
        """Whether `load_questions` leaves this question alone (edited here, imported or added by staff)."""
        return not question_is_untouched_bank_row(question)


@admin.register(CurriculumVitae)
class CurriculumVitaeAdmin(admin.ModelAdmin):
    """Read-only; staff may delete a CV. Its text is private to its owner's interviews and not shown here."""

    list_display = ["id", "owner", "filename", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["filename", "owner__username"]
    list_select_related = ["owner"]
    fields = ["owner", "filename", "content_type", "size", "sha256", "summary", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[CurriculumVitae]:
        return super().get_queryset(request).defer("text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CurriculumVitae | None = None) -> bool:
        return False  # the view page still shows the fields above, read-only
