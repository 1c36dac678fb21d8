"""The product's notion of "today": the calendar day in settings.TIME_ZONE, not the UTC date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(local_zone()).date()


def next_local_midnight(day: dt.date) -> dt.datetime:
    """The aware instant at which `day` ends in the configured zone."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=local_zone())
