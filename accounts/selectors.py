from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.clock import local_today, next_local_midnight
from accounts.models import DailyUsage, User, daily_limit_or_default


@dataclass(frozen=True)
class QuotaStatus:
    limit: int
    used: int
    resets_at: dt.datetime
    day: dt.date

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def user_daily_limit(*, user: User) -> int:
    """The limit as stored right now, not as cached on a possibly stale `user` instance."""
    stored = User.objects.filter(pk=user.pk).values_list("daily_chat_limit", flat=True).first()
    return daily_limit_or_default(stored)


def quota_status(*, user: User, day: dt.date | None = None) -> QuotaStatus:
    day = day or local_today()
    used = DailyUsage.objects.filter(user=user, day=day).values_list("used", flat=True).first() or 0
    return QuotaStatus(limit=user_daily_limit(user=user), used=used, resets_at=next_local_midnight(day), day=day)
