import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.clock import local_today, next_local_midnight
from accounts.models import DailyUsage
from accounts.selectors import quota_status
from accounts.services import QuotaExceeded, quota_charge, quota_refund, quota_reserve
from accounts.tests.factories import UserFactory
from config.testing import run_in_threads

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def test_reserve_counts_up_to_the_limit_then_refuses(user, settings):
    settings.DAILY_CHAT_LIMIT = 3
    assert [quota_reserve(user=user).used for _ in range(3)] == [1, 2, 3]
    with pytest.raises(QuotaExceeded) as info:
        quota_reserve(user=user)
    assert info.value.status_code == 429
    assert info.value.details["limit"] == 3
    assert info.value.details["used"] == 3
    assert int(info.value.headers["Retry-After"]) > 0
    assert quota_status(user=user).used == 3


def test_refused_reservation_charges_nothing(user):
    user.daily_chat_limit = 0
    user.save()
    with pytest.raises(QuotaExceeded):
        quota_reserve(user=user)
    assert quota_status(user=user).used == 0


def test_refund_gives_back_one_turn_and_never_goes_below_zero(user):
    status = quota_reserve(user=user)
    quota_refund(user=user, day=status.day)
    quota_refund(user=user, day=status.day)
    quota_refund(user=user, day=status.day)
    assert DailyUsage.objects.get(user=user, day=status.day).used == 0


def test_refund_on_a_day_with_no_row_is_harmless(user):
    quota_refund(user=user, day=dt.date(2026, 1, 1))
    assert not DailyUsage.objects.filter(user=user).exists()


def test_refund_goes_to_the_day_that_was_charged_even_after_midnight(user):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 59, 59, tzinfo=SEOUL), tick=False):
        status = quota_reserve(user=user)
    with time_machine.travel(dt.datetime(2026, 3, 2, 0, 0, 1, tzinfo=SEOUL), tick=False):
        quota_reserve(user=user)
        quota_refund(user=user, day=status.day)
        assert quota_status(user=user).used == 1
    assert DailyUsage.objects.get(user=user, day=dt.date(2026, 3, 1)).used == 0


def test_changed_per_user_limit_applies_at_once(user, settings):
    settings.DAILY_CHAT_LIMIT = 5
    for _ in range(5):
        quota_reserve(user=user)
    stale = type(user).objects.get(pk=user.pk)  # an instance loaded before the admin's change
    type(user).objects.filter(pk=user.pk).update(daily_chat_limit=7)
    assert quota_reserve(user=stale).limit == 7
    assert quota_reserve(user=stale).used == 7
    with pytest.raises(QuotaExceeded):
        quota_reserve(user=stale)
    type(user).objects.filter(pk=user.pk).update(daily_chat_limit=2)
    assert quota_status(user=stale).remaining == 0


def test_one_users_usage_does_not_touch_someone_elses(user, other_user, settings):
    settings.DAILY_CHAT_LIMIT = 1
    quota_reserve(user=user)
    assert quota_reserve(user=other_user).used == 1


def test_seoul_midnight_splits_days_at_1500_utc(user, settings):
    settings.TIME_ZONE = "Asia/Seoul"
    settings.DAILY_CHAT_LIMIT = 1
    before = dt.datetime(2026, 5, 10, 14, 59, tzinfo=dt.UTC)  # 23:59 in Seoul, 10 May
    after = dt.datetime(2026, 5, 10, 15, 1, tzinfo=dt.UTC)  # 00:01 in Seoul, 11 May
    with time_machine.travel(before, tick=False):
        status = quota_reserve(user=user)
        assert status.day == dt.date(2026, 5, 10)
        assert status.resets_at == dt.datetime(2026, 5, 11, 0, 0, tzinfo=SEOUL)
        with pytest.raises(QuotaExceeded) as info:
            quota_reserve(user=user)
        assert info.value.headers["Retry-After"] == "60"
    with time_machine.travel(after, tick=False):
        status = quota_reserve(user=user)  # a new local day, though the UTC date is unchanged
        assert status.day == dt.date(2026, 5, 11)
        assert status.used == 1
        assert status.resets_at.isoformat() == "2026-05-12T00:00:00+09:00"


def test_local_today_is_not_the_utc_date(settings):
    settings.TIME_ZONE = "Asia/Seoul"
    instant = dt.datetime(2026, 5, 10, 20, 0, tzinfo=dt.UTC)
    assert instant.date() == dt.date(2026, 5, 10)
    assert local_today(instant) == dt.date(2026, 5, 11)
    assert next_local_midnight(dt.date(2026, 5, 11)).utcoffset() == dt.timedelta(hours=9)


def test_status_reads_limit_used_remaining_and_reset(user, settings):
    settings.DAILY_CHAT_LIMIT = 4
    quota_reserve(user=user)
    status = quota_status(user=user)
    assert (status.limit, status.used, status.remaining) == (4, 1, 3)
    assert status.resets_at == next_local_midnight(local_today())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_reservations_with_limit_five_grant_exactly_five():
    user = UserFactory(daily_chat_limit=5)
    granted: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def reserve() -> None:
        try:
            quota_reserve(user=user)
            granted.append(1)
        except QuotaExceeded:
            refused.append(1)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    run_in_threads(reserve, 50)

    assert errors == []
    assert (len(granted), len(refused)) == (5, 45)
    assert DailyUsage.objects.get(user=user).used == 5


# --- quota_charge: one unit for the body of a with block ---


def test_charge_keeps_the_unit_when_the_block_succeeds(user):
    with quota_charge(user=user) as unit:
        assert unit.status.used == 1
    assert quota_status(user=user).used == 1


def test_charge_refunds_the_unit_on_any_exception(user):
    with pytest.raises(KeyboardInterrupt), quota_charge(user=user):
        raise KeyboardInterrupt  # not only Exception: an interrupted request was not served either
    assert quota_status(user=user).used == 0


def test_charge_refused_over_the_limit_never_runs_the_block(user):
    user.daily_chat_limit = 0
    user.save()
    ran = []
    with pytest.raises(QuotaExceeded), quota_charge(user=user):
        ran.append(True)
    assert ran == []
    assert quota_status(user=user).used == 0


def charge_then_fail(user, before_failing) -> None:
    """A turn whose block calls `before_failing(unit)` and then fails."""
    with quota_charge(user=user) as unit:
        before_failing(unit)
        raise RuntimeError("the block failed")


def test_a_consumed_unit_is_kept_even_if_the_block_fails_afterwards(user):
    with pytest.raises(RuntimeError):
        charge_then_fail(user, lambda unit: unit.consumed())
    assert quota_status(user=user).used == 1


def test_a_handed_back_unit_is_refunded_once_however_the_block_ends(user):
    quota_reserve(user=user)  # an earlier, unrelated turn that must stay charged
    with pytest.raises(RuntimeError):
        charge_then_fail(user, lambda unit: (unit.hand_back(), unit.hand_back()))
    assert quota_status(user=user).used == 1


def test_hand_back_after_consumed_refunds_nothing(user):
    with quota_charge(user=user) as unit:
        unit.consumed()
        unit.hand_back()
    assert quota_status(user=user).used == 1


def test_charge_refunds_the_day_it_charged_even_after_local_midnight(user):
    charged_days = []
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 59, 50, tzinfo=SEOUL), tick=False) as clock:

        def llm_fails_after_midnight(unit) -> None:
            charged_days.append(unit.status.day)
            clock.move_to(dt.datetime(2026, 3, 2, 0, 0, 5, tzinfo=SEOUL))

        with pytest.raises(RuntimeError):
            charge_then_fail(user, llm_fails_after_midnight)
    assert charged_days == [dt.date(2026, 3, 1)]
    assert DailyUsage.objects.get(user=user, day=dt.date(2026, 3, 1)).used == 0
    assert not DailyUsage.objects.filter(user=user, day=dt.date(2026, 3, 2)).exists()
