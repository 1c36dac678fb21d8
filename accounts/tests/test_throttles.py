# ruff: noqa: RUF001 -- look-alike letters are what this file is about
"""Login throttles that cannot be dodged (look-alike names, huge names) or turned against an
account's owner (attempts the address limit refused), on the API and on the admin's login page.

Default rates: 20 attempts a minute per address, 5 per account.
"""

import time

import pytest

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.throttles import LoginUsernameThrottle
from config.testing import assert_error

pytestmark = pytest.mark.django_db


def login(client, username, password: str = "wrong password", address: str = "10.0.0.1"):
    return client.post(
        "/api/auth/login/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def spend_account_budget(client, username: str) -> None:
    for n in range(5):
        assert login(client, username, address=f"10.0.1.{n}").status_code == 401


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.mark.parametrize("variant", ["alıce", "ALİCE", "ａｌｉｃｅ", "аlice", "Alice "])
def test_a_look_alike_name_does_not_open_a_fresh_bucket(api_client, alice, variant):
    spend_account_budget(api_client, "alice")
    response = login(api_client, variant, PASSWORD, address="10.0.2.1")
    error = assert_error(response, 429, "throttled")
    assert error["details"]["retry_after"] > 0


def test_the_account_bucket_of_someone_else_is_untouched(api_client, alice):
    UserFactory(username="bob")
    spend_account_budget(api_client, "alice")
    assert login(api_client, "bob", PASSWORD, address="10.0.2.1").status_code == 200


class RecordingCache:
    """The throttle's cache, remembering every key it was asked about."""

    def __init__(self, cache) -> None:
        self.cache = cache
        self.keys: list[str] = []

    def get(self, key, *args, **kwargs):
        self.keys.append(key)
        return self.cache.get(key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        self.keys.append(key)
        return self.cache.set(key, *args, **kwargs)


@pytest.mark.parametrize("name", ["a" * 2_000_000, "ı" * 2_000_000])
def test_a_2_mb_username_is_a_quick_400_with_a_short_cache_key(api_client, settings, monkeypatch, name):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 8_000_000  # let the body through to the throttle
    recorder = RecordingCache(LoginUsernameThrottle.cache)
    monkeypatch.setattr(LoginUsernameThrottle, "cache", recorder)
    started = time.monotonic()
    response = login(api_client, name)
    assert time.monotonic() - started < 2
    error = assert_error(response, 400, "validation_error")
    assert list(error["details"]) == ["username"]
    assert len(error["message"]) < 200  # the name is not echoed back
    assert recorder.keys
    assert max(len(key) for key in recorder.keys) < 100


def test_long_names_sharing_the_first_150_letters_share_a_bucket(api_client):
    stem = "a" * 150
    for n in range(5):
        login(api_client, stem + "x" * n, address=f"10.0.1.{n}")
    assert_error(login(api_client, stem + "y", address="10.0.2.1"), 429, "throttled")


def test_attempts_the_address_limit_refused_leave_the_account_bucket_alone(api_client, alice):
    """An attacker over the address limit keeps hammering `alice`: those attempts are refused
    anyway and must not lock `alice` out of her account from her own address."""
    for n in range(20):
        assert login(api_client, f"guess{n}", address="10.6.6.6").status_code == 401
    for _ in range(10):
        assert_error(login(api_client, "alice", address="10.6.6.6"), 429, "throttled")
    assert login(api_client, "alice", PASSWORD, address="10.0.0.7").status_code == 200


# --- the admin's login page ---


def admin_login(client, username: str, password: str = "wrong password", address: str = "10.0.0.1"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


def test_the_admin_login_page_is_throttled_per_account(client, staff):
    for n in range(5):
        response = admin_login(client, "boss", address=f"10.0.1.{n}")
        assert response.status_code == 200  # the form again, with "enter a correct username..."
    response = admin_login(client, "BOSS", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many login attempts" in html
    assert 'id="login-form"' in html  # the admin's own page, showing why
    assert "_auth_user_id" not in client.session  # the right password did not get in either


def test_the_admin_login_page_is_throttled_per_address(client, staff):
    for n in range(20):
        assert admin_login(client, f"guess{n}", address="10.6.6.6").status_code == 200
    assert admin_login(client, "boss", PASSWORD, address="10.6.6.6").status_code == 429
    assert admin_login(client, "boss", PASSWORD, address="10.0.0.7").status_code == 302  # logged in


def test_the_api_and_the_admin_page_spend_one_budget(api_client, client, staff):
    spend_account_budget(api_client, "boss")
    assert admin_login(client, "boss", PASSWORD, address="10.0.2.1").status_code == 429


def test_a_throttled_admin_login_page_works_again_later(client, staff, monkeypatch):
    for n in range(5):
        admin_login(client, "boss", address=f"10.0.1.{n}")
    assert admin_login(client, "boss", PASSWORD, address="10.0.2.1").status_code == 429
    later = time.time() + 61
    monkeypatch.setattr(LoginUsernameThrottle, "timer", lambda self: later)
    assert admin_login(client, "boss", PASSWORD, address="10.0.2.1").status_code == 302
