from __future__ import annotations

from django.db import models
from django.utils import timezone


class AudioClip(models.Model):
    """One synthesized utterance, content-addressed: the key is an HMAC of (engine, voice, language,
    text), so identical text is synthesized once and the URL cannot be guessed from the text."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SYNTHESIZING = "synthesizing"
        READY = "ready"
        FAILED = "failed"

    key = models.CharField(max_length=64, unique=True)
    engine = models.CharField(max_length=100, help_text="The configured engine (auto may fall back).")
    engine_used = models.CharField(max_length=100, blank=True, help_text="The engine that produced the audio.")
    voice_used = models.CharField(max_length=100, blank=True, help_text="The voice that produced the audio.")
    is_fallback = models.BooleanField(
        default=False, help_text="Made by a fallback engine; replaced once the preferred engine is back."
    )
    voice = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=8)
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="audio/", blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes.")
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="audioclip_status_idx")]

    def __str__(self) -> str:
        return f"{self.language} {self.status}: {self.text[:50]}"
