from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from speech.models import AudioClip


@admin.register(AudioClip)
class AudioClipAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "short_text",
        "language",
        "engine",
        "engine_used",
        "status",
        "size",
        "duration",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "language", "engine", "engine_used"]
    search_fields = ["text", "key"]
    readonly_fields = [
        "player", "key", "engine", "engine_used", "voice", "language", "text", "status", "file", "size",
        "duration", "error", "attempts", "lease_until", "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Text")
    def short_text(self, clip: AudioClip) -> str:
        return clip.text[:60]

    @admin.display(description="Player")
    def player(self, clip: AudioClip) -> str:
        url = reverse("speech-audio", kwargs={"key": clip.key})
        return format_html('<audio controls preload="none" src="{}"></audio>', url)
