"""A password change ends every session of that user, whoever changes it: the user through
`POST /api/auth/password/`, or staff in the admin. Access and refresh tokens issued before the change
are refused (401 `token_not_valid`); tokens issued after it work, even within the same second."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from config.testing import assert_error

pytestmark = pytest.mark.django_db

NEW = "a brand-new interview passphrase"


def login(username: str, password: str = PASSWORD) -> dict:
    response = APIClient().post("/api/auth/login/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def refresh(token: str):
    return APIClient().post("/api/auth/refresh/", {"refresh": token}, format="json")


def change_password(tokens: dict, old: str = PASSWORD, new: str = NEW):
    return bearer(tokens["access"]).post(
        "/api/auth/password/", {"old_password": old, "new_password": new}, format="json"
    )


def assert_session_dead(tokens: dict) -> None:
    error = assert_error(bearer(tokens["access"]).get("/api/auth/me/"), 401, "token_not_valid")
    assert "password" in error["message"]
    assert_error(refresh(tokens["refresh"]), 401, "token_not_valid")


def assert_session_alive(tokens: dict) -> None:
    assert bearer(tokens["access"]).get("/api/auth/me/").status_code == 200
    assert refresh(tokens["refresh"]).status_code == 200


# --- through the API ---


def test_a_password_change_ends_every_session_the_callers_too(user):
    phone, laptop = login(user.username), login(user.username)
    assert change_password(laptop).status_code == 204
    assert_session_dead(phone)
    assert_session_dead(laptop)
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert user.tokens_valid_after is not None
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()


def test_the_new_password_opens_a_new_session_at_once(user):
    assert change_password(login(user.username)).status_code == 204
    assert_error(
        APIClient().post("/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json"),
        401,
        "invalid_credentials",
    )
    assert_session_alive(login(user.username, NEW))  # within the same second as the change


def test_a_rotated_refresh_token_of_an_ended_session_stays_dead(user):
    tokens = login(user.username)
    rotated = refresh(tokens["refresh"]).json()
    assert change_password(tokens).status_code == 204
    assert_session_dead(rotated)


def test_someone_elses_sessions_live_on(user, other_user):
    theirs = login(other_user.username)
    assert change_password(login(user.username)).status_code == 204
    assert_session_alive(theirs)


def test_a_wrong_old_password_changes_nothing(user):
    tokens = login(user.username)
    error = assert_error(change_password(tokens, old="not my password"), 400, "validation_error")
    assert list(error["details"]) == ["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.tokens_valid_after is None
    assert_session_alive(tokens)


@pytest.mark.parametrize("weak", ["short", "12345678901", "password123"])
def test_a_weak_new_password_is_refused_by_the_validators(user, weak):
    tokens = login(user.username)
    error = assert_error(change_password(tokens, new=weak), 400, "validation_error")
    assert list(error["details"]) == ["new_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert_session_alive(tokens)


def test_a_missing_field_is_named(auth_client):
    error = assert_error(auth_client.post("/api/auth/password/", {}, format="json"), 400, "validation_error")
    assert set(error["details"]) == {"old_password", "new_password"}


def test_the_password_change_needs_authentication(api_client, user):
    body = {"old_password": PASSWORD, "new_password": NEW}
    assert_error(api_client.post("/api/auth/password/", body, format="json"), 401, "not_authenticated")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_old_password_guesses_spend_the_login_budget(user):
    tokens = login(user.username)
    for _ in range(4):
        assert change_password(tokens, old="guess").status_code == 400
    assert_error(change_password(tokens), 429, "throttled")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- in the admin ---


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_setting_a_password_in_the_admin_ends_the_users_sessions(staff_client, user):
    tokens = login(user.username)
    response = staff_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW, "password2": NEW},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"
    assert_session_dead(tokens)
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()
    assert_session_alive(login(user.username, NEW))


def test_staff_disabling_a_password_in_the_admin_ends_the_users_sessions(staff_client, user):
    tokens = login(user.username)
    response = staff_client.post(
        f"/admin/accounts/user/{user.pk}/password/", {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/user/{user.pk}/change/"
    assert_session_dead(tokens)


def test_staff_editing_other_fields_ends_no_session(staff_client, user):
    tokens = login(user.username)
    data = {
        "username": user.username,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "daily_chat_limit": 9,
    }
    response = staff_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=user.pk).daily_chat_limit == 9
    assert_session_alive(tokens)


# --- the model: every path that sets a password ---


def test_set_password_and_save_sets_the_cut_off(user):
    before = timezone.now()
    user.set_password(NEW)
    user.save(update_fields=["password"])
    assert User.objects.get(pk=user.pk).tokens_valid_after >= before


def test_a_hash_upgrade_at_login_is_not_a_password_change(user, settings):
    tokens = login(user.username)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    login(user.username)  # check_password re-hashes with PBKDF2 and saves the password
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_")
    assert User.objects.get(pk=user.pk).tokens_valid_after is None
    assert_session_alive(tokens)


def test_a_token_made_without_auth_time_counts_from_its_iat_second(user):
    t0 = dt.datetime(2026, 3, 1, 9, 0, 0, 500_000, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        same_second = RefreshToken.for_user(user)
    with time_machine.travel(t0 + dt.timedelta(seconds=1), tick=False):
        next_second = RefreshToken.for_user(user)
    User.objects.filter(pk=user.pk).update(tokens_valid_after=t0 + dt.timedelta(microseconds=1))
    with time_machine.travel(t0 + dt.timedelta(minutes=1), tick=False):
        assert_error(refresh(str(same_second)), 401, "token_not_valid")
        assert refresh(str(next_second)).status_code == 200
