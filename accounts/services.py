"""Writes for accounts: registration, passwords and sessions, and the daily quota ledger."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.clock import local_today, next_local_midnight
from accounts.models import DailyUsage, User
from accounts.selectors import QuotaStatus, user_daily_limit
from config.errors import ApplicationError


class QuotaExceeded(ApplicationError):
    status_code = 429
    code = "quota_exceeded"
    default_message = "You have used all of today's interviewer turns."


class ValidationFailed(ApplicationError):
    status_code = 400
    code = "validation_error"
    default_message = "Invalid input."


def user_register(*, username: str, email: str, password: str) -> User:
    """Create a user after Django's password validators and the uniqueness checks: a username is
    taken when an existing one shares its canonical key (case, compatibility forms, look-alike
    letters; see accounts.usernames), an email when one matches it ignoring case.

    Raises ValidationFailed naming the offending field(s), also when a concurrent registration of
    the same name or email wins the race (the database's unique constraints decide).
    """
    candidate = User(username=username.strip(), email=email.strip())
    errors: dict[str, list[str]] = {}
    try:
        candidate.clean()  # normalizes the name (NFKC) and refuses a taken or overlong one
    except DjangoValidationError as exc:
        errors.update(exc.message_dict)
    if candidate.email and User.objects.filter(email__iexact=candidate.email).exists():
        errors["email"] = ["A user with that email already exists."]
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed("Invalid input: " + next(iter(errors.values()))[0], details=errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(username=candidate.username, email=candidate.email, password=password)
    except IntegrityError as exc:
        # Lost a race with a concurrent registration of the same name; the constraint tells which.
        field = "email" if "email" in str(exc).lower() else "username"
        raise ValidationFailed(
            f"A user with that {field} already exists.", details={field: [f"A user with that {field} already exists."]}
        ) from exc


def user_password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Replace `user`'s password after checking the old one and Django's password validators, and
    end every session of that user: tokens issued before now stop working (`tokens_valid_after`,
    set by User.save) and outstanding refresh tokens are blacklisted.

    Raises ValidationFailed naming `old_password` or `new_password`; nothing changes then.
    """
    if not user.check_password(old_password):
        raise ValidationFailed(
            "Invalid input: the old password is not correct.",
            details={"old_password": ["Your old password was entered incorrectly."]},
        )
    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed("Invalid input: " + exc.messages[0], details={"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        user_sessions_end(user=user)


def user_sessions_end(*, user: User) -> None:
    """Blacklist every outstanding refresh token of `user` (called after a password change).

    The cut-off in `User.tokens_valid_after` already refuses them; blacklisting also makes them
    show as revoked in the admin and keeps them dead should the cut-off ever be reset.
    """
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True)


def quota_reserve(*, user: User, now: dt.datetime | None = None) -> QuotaStatus:
    """Charge one interviewer turn to today's ledger row, or raise QuotaExceeded.

    Exact under concurrency on SQLite and PostgreSQL alike: the limit check and the increment are
    one conditional UPDATE, so the database serialises competing reservations.
    """
    day = local_today(now)
    limit = user_daily_limit(user=user)
    used = _increment_if_below(user=user, day=day, limit=limit)
    if used is None:
        # No row yet for today (first turn of the day), or the limit is spent. Make sure the row
        # exists (ON CONFLICT DO NOTHING, so racing creators are harmless) and try once more.
        DailyUsage.objects.bulk_create([DailyUsage(user=user, day=day)], ignore_conflicts=True)
        used = _increment_if_below(user=user, day=day, limit=limit)
        if used is None:
            used = DailyUsage.objects.filter(user=user, day=day).values_list("used", flat=True).first() or 0
            resets_at = next_local_midnight(day)
            retry_after = max(math.ceil((resets_at - (now or timezone.now())).total_seconds()), 1)
            raise QuotaExceeded(
                details={"limit": limit, "used": used, "resets_at": resets_at.isoformat()},
                headers={"Retry-After": str(retry_after)},
            )
    return QuotaStatus(limit=limit, used=used, resets_at=next_local_midnight(day), day=day)


def _increment_if_below(*, user: User, day: dt.date, limit: int) -> int | None:
    """Today's count after charging one unit, or None when the row is missing or the limit is spent.

    One conditional UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+): the check, the increment and the
    new count in one statement, which the ORM's update() cannot return."""
    table, ops = DailyUsage._meta.db_table, connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ops.quote_name(table)} SET used = used + 1, updated_at = %s "  # noqa: S608 - names only
            "WHERE user_id = %s AND day = %s AND used < %s RETURNING used",
            [ops.adapt_datetimefield_value(timezone.now()), user.pk, ops.adapt_datefield_value(day), limit],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def quota_refund(*, user: User, day: dt.date) -> None:
    """Give back one turn charged on `day` (the day of the reservation, which may be yesterday by now).

    Never goes below zero, so a doubled refund cannot mint extra turns.
    """
    DailyUsage.objects.filter(user=user, day=day, used__gt=0).update(used=F("used") - 1, updated_at=timezone.now())


class QuotaUnit:
    """One interviewer turn reserved by `quota_charge`, with what became of it."""

    def __init__(self, *, user: User, status: QuotaStatus) -> None:
        self.user = user
        self.status = status  # the quota right after the reservation
        self._settled = False

    def consumed(self) -> None:
        """The candidate got the turn: keep the unit even if something after this point fails."""
        self._settled = True

    def hand_back(self) -> None:
        """The caller got nothing for the unit (a concurrent request did the work): refund it now.

        Refunds at most once, and never after `consumed()`.
        """
        if not self._settled:
            self._settled = True
            quota_refund(user=self.user, day=self.status.day)


def quota_take(*, user: User, now: dt.datetime | None = None) -> QuotaUnit:
    """Reserve one interviewer turn, for a caller that settles it itself (`consumed()` or
    `hand_back()`, also on failure); raises QuotaExceeded when today's limit is spent. A turn that
    spans more than one block of code (a streamed reply) takes it this way; others use quota_charge."""
    return QuotaUnit(user=user, status=quota_reserve(user=user, now=now))


@contextmanager
def quota_charge(*, user: User, now: dt.datetime | None = None) -> Iterator[QuotaUnit]:
    """Reserve one interviewer turn for the body of the `with` block.

    Raises QuotaExceeded before the body runs when today's limit is spent (nothing charged). Any
    exception leaving the block refunds the unit, unless the body said `unit.consumed()`; leaving the
    block normally keeps it, unless the body said `unit.hand_back()`.
    """
    unit = quota_take(user=user, now=now)
    try:
        yield unit
    except BaseException:
        unit.hand_back()
        raise
