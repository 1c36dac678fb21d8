from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.usernames import MAX_KEY_LENGTH, username_key


def daily_limit_or_default(stored: int | None) -> int:
    """A user's daily limit of interviewer turns: their own when set, else the site default."""
    return settings.DAILY_CHAT_LIMIT if stored is None else stored


class UserManager(DjangoUserManager):
    def get_by_natural_key(self, username: str) -> User:
        """The user a typed name designates, by canonical key (case, compatibility forms and
        look-alike letters do not matter): Django's login backend, the admin and createsuperuser
        all find users through here.

        An exact match wins: migration 0003 gave look-alikes registered before keys existed keys of
        their own, and they still log in by the name they registered.
        """
        matches = list(self.filter(models.Q(username=username) | models.Q(username_key=username_key(username)))[:2])
        for user in matches:
            if user.username == username:
                return user
        if not matches:
            raise self.model.DoesNotExist(f"No {self.model._meta.object_name} named {username[:150]!r}.")
        return matches[0]


class User(AbstractUser):
    daily_chat_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Interviewer turns allowed per day. Empty means the site default (DAILY_CHAT_LIMIT).",
    )
    # The canonical form of the username (accounts.usernames): names that look alike share it, and
    # the unique constraint below makes the database the last word on "already taken".
    username_key = models.CharField(max_length=MAX_KEY_LENGTH, editable=False)
    # Every token (JWT or compat) issued before this moment is dead: set when the password changes.
    tokens_valid_after = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    # set_unusable_password() leaves Django's `_password` alone, yet ends the password all the same.
    _password_disabled = False

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # One person, one name: "Alice", "alice", fullwidth "alice" and "alice" spelt with a Cyrillic
            # "a" share a key.
            models.UniqueConstraint(fields=["username_key"], name="accounts_user_username_key_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique"
            ),
        ]

    @property
    def effective_daily_limit(self) -> int:
        return daily_limit_or_default(self.daily_chat_limit)

    def clean(self) -> None:
        """Refuse a name that is taken by case, compatibility form or look-alike letters (the admin's
        forms and registration show this as a field error; the constraint backs it up in a race)."""
        super().clean()  # NFKC-normalizes the username, as Django stores it
        if not self.username:
            return  # missing, or already refused by the form (Django's own case-insensitive check)
        key = username_key(self.username)
        max_length = self._meta.get_field("username").max_length
        if len(self.username) > max_length:
            raise ValidationError({"username": f"Ensure this username has at most {max_length} characters."})
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({"username": "This username is too long once its letters are normalized."})
        if User._default_manager.filter(username_key=key).exclude(pk=self.pk).exists():
            raise ValidationError({"username": self.unique_error_message(User, ["username"])})

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_disabled = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Two invariants every write path keeps (API, admin, createsuperuser, changepassword):
        # the key follows the name, and a new password (not a rehash of the same one, which
        # check_password saves with `_password` cleared) ends every session issued before it.
        changed: set[str] = set()
        key = username_key(self.username)
        if (self.username_key or "").rpartition("#")[0] != key:  # "key#pk": 0003's for an old look-alike
            self.username_key = key
        changed.add("username_key")
        if (self._password is not None or self._password_disabled) and not self._state.adding:
            self.tokens_valid_after = timezone.now()
            changed.add("tokens_valid_after")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"username", "password"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *changed}
        super().save(*args, **kwargs)
        self._password_disabled = False


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
