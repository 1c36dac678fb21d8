from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


def daily_limit_or_default(stored: int | None) -> int:
    """A user's daily limit of interviewer turns: their own when set, else the site default."""
    return settings.DAILY_CHAT_LIMIT if stored is None else stored


class User(AbstractUser):
    daily_chat_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Interviewer turns allowed per day. Empty means the site default (DAILY_CHAT_LIMIT).",
    )
    # The canonical form of the username (see accounts.usernames): names that look alike share it.
    username_key = models.CharField(max_length=150, null=True, blank=True, editable=False)  # noqa: DJ001
    # Every token (JWT or compat) issued before this moment is dead: set when the password changes.
    tokens_valid_after = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Case-insensitive identity: "Alice" and "alice" are the same person to a human.
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique"
            ),
        ]

    @property
    def effective_daily_limit(self) -> int:
        return daily_limit_or_default(self.daily_chat_limit)


class DailyUsage(models.Model):
    """The quota ledger: interviewer turns charged to one user on one local calendar day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_usage")
    day = models.DateField(help_text="Calendar day in settings.TIME_ZONE.")
    used = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "daily usage"
        verbose_name_plural = "daily usage"
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="accounts_dailyusage_user_day_unique"),
            models.CheckConstraint(condition=models.Q(used__gte=0), name="accounts_dailyusage_used_non_negative"),
        ]
        indexes = [models.Index(fields=["day"], name="accounts_dailyusage_day_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.day}: {self.used}"


class CompatToken(models.Model):
    """An opaque token of the original Mock-Interviewer frontend (`Authorization: Token <key>`).

    That frontend cannot refresh, so the token lives until logout or COMPAT_TOKEN_DAYS of disuse.
    Only a hash of the key is stored.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compat_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "last_used_at"], name="accounts_compattoken_user_idx")]

    def __str__(self) -> str:
        return f"compat token of {self.user_id}"
