"""Compat tokens (accounts/tokens.py): opaque, stored hashed, alive until logout or disuse."""

import datetime as dt
import hashlib

import pytest
import time_machine

from accounts.models import CompatToken
from accounts.tokens import CompatTokenInvalid, compat_token_authenticate, compat_token_issue, compat_token_revoke

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_the_key_is_shown_once_and_only_its_hash_is_stored(user):
    key = compat_token_issue(user=user)
    stored = CompatToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, str(stored)}
    assert compat_token_authenticate(key=key).user == user


def test_an_unknown_or_oversized_key_is_refused(user):
    compat_token_issue(user=user)
    for key in ("", "nope", "x" * 10_000):
        with pytest.raises(CompatTokenInvalid):
            compat_token_authenticate(key=key)


def test_last_use_is_written_at_most_once_a_minute(user, django_assert_num_queries):
    with time_machine.travel(T0, tick=False):
        key = compat_token_issue(user=user)
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False), django_assert_num_queries(1):
        compat_token_authenticate(key=key)  # one read, no write
    assert CompatToken.objects.get().last_used_at == T0
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False), django_assert_num_queries(2):
        compat_token_authenticate(key=key)
    assert CompatToken.objects.get().last_used_at == T0 + dt.timedelta(minutes=2)


@pytest.mark.parametrize(("days", "alive"), [(29, True), (30, True), (31, False)])
def test_disuse_beyond_compat_token_days_kills_it(user, days, alive):
    with time_machine.travel(T0, tick=False):
        key = compat_token_issue(user=user)
    with time_machine.travel(T0 + dt.timedelta(days=days, seconds=-1), tick=False):
        if alive:
            compat_token_authenticate(key=key)
        else:
            with pytest.raises(CompatTokenInvalid):
                compat_token_authenticate(key=key)
    assert CompatToken.objects.exists() == alive


def test_the_setting_sets_the_disuse_limit(user, settings):
    settings.COMPAT_TOKEN_DAYS = 2
    with time_machine.travel(T0, tick=False):
        key = compat_token_issue(user=user)
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False), pytest.raises(CompatTokenInvalid):
        compat_token_authenticate(key=key)


def test_a_token_issued_before_the_password_changed_is_dead(user):
    with time_machine.travel(T0, tick=False):
        old = compat_token_issue(user=user)
    user.tokens_valid_after = T0 + dt.timedelta(hours=1)
    user.save()
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        new = compat_token_issue(user=user)
        with pytest.raises(CompatTokenInvalid):
            compat_token_authenticate(key=old)
        assert compat_token_authenticate(key=new).user == user
    assert CompatToken.objects.count() == 1


def test_an_inactive_users_token_is_refused(user):
    key = compat_token_issue(user=user)
    user.is_active = False
    user.save()
    with pytest.raises(CompatTokenInvalid):
        compat_token_authenticate(key=key)


def test_revoke_ends_only_that_token(user, other_user):
    mine, second, theirs = (compat_token_issue(user=u) for u in (user, user, other_user))
    compat_token_revoke(token=compat_token_authenticate(key=mine))
    with pytest.raises(CompatTokenInvalid):
        compat_token_authenticate(key=mine)
    assert compat_token_authenticate(key=second).user == user
    assert compat_token_authenticate(key=theirs).user == other_user


def test_a_login_clears_that_users_dead_tokens_only(user, other_user):
    with time_machine.travel(T0, tick=False):
        compat_token_issue(user=user)
        compat_token_issue(user=other_user)
    with time_machine.travel(T0 + dt.timedelta(days=40), tick=False):
        compat_token_issue(user=user)
    assert CompatToken.objects.filter(user=user).count() == 1
    assert CompatToken.objects.filter(user=other_user).count() == 1
