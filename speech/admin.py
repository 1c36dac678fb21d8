from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from config.errors import ApplicationError
from speech.models import AudioClip
from speech.selectors import clip_url
from speech.services import clip_resynthesize


@admin.register(AudioClip)
class AudioClipAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "short_text",
        "language",
        "engine",
        "engine_used",
        "voice_used",
        "is_fallback",
        "status",
        "size",
        "duration",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "is_fallback", "language", "engine", "engine_used"]
    search_fields = ["text", "key"]
    actions = ["resynthesize"]
    # `file` is shown as its stored name, not as the FileField's link: that points under MEDIA_URL,
    # which nothing serves; the clip's real URL is the player's and `audio_url`'s.
    readonly_fields = [
        "player", "audio_url", "key", "engine", "voice", "engine_used", "voice_used", "is_fallback", "language",
        "text", "status", "stored_file", "size", "duration", "error", "attempts", "lease_until", "created_at",
        "updated_at",
    ]  # fmt: skip
    exclude = ["file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Text")
    def short_text(self, clip: AudioClip) -> str:
        return clip.text[:60]

    @admin.display(description="Player")
    def player(self, clip: AudioClip) -> str:
        return format_html('<audio controls preload="none" src="{}"></audio>', clip_url(key=clip.key, request=None))

    @admin.display(description="Audio URL")
    def audio_url(self, clip: AudioClip) -> str:
        url = clip_url(key=clip.key, request=None)  # a path: the admin is served by the same site
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="Stored file")
    def stored_file(self, clip: AudioClip) -> str:
        return clip.file.name or "-"

    @admin.action(description="Re-synthesize the selected clips with the configured engine")
    def resynthesize(self, request: HttpRequest, queryset: QuerySet[AudioClip]) -> None:
        done, failed = 0, []
        for clip in queryset:
            try:
                clip_resynthesize(clip=clip)
                done += 1
            except ApplicationError as exc:  # unavailable, or released meanwhile
                failed.append(f"#{clip.pk}: {exc.message}")
        if done:
            self.message_user(request, f"Re-synthesized {done} clip(s).", messages.SUCCESS)
        if failed:
            self.message_user(request, "Not re-synthesized: " + "; ".join(failed), messages.WARNING)
