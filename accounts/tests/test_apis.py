import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import quota_reserve
from accounts.tests.factories import PASSWORD, UserFactory
from config.testing import assert_error

pytestmark = pytest.mark.django_db

STRONG = "an interview-ready passphrase"


# --- register ---


def test_register_creates_user_and_returns_working_tokens(api_client):
    response = api_client.post(
        "/api/auth/register/", {"username": "mina", "email": "mina@example.com", "password": STRONG}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "mina"
    assert body["user"]["email"] == "mina@example.com"
    assert body["user"]["daily_chat_limit"] == 5
    assert body["user"]["quota"]["remaining"] == 5
    assert "password" not in body["user"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get("/api/auth/me/").json()["username"] == "mina"
    assert User.objects.get(username="mina").check_password(STRONG)


@pytest.mark.parametrize(("field", "value"), [("username", "MINA"), ("email", "Mina@Example.COM")])
def test_register_refuses_duplicates_ignoring_case(api_client, field, value):
    UserFactory(username="mina", email="mina@example.com")
    payload = {"username": "other", "email": "other@example.com", "password": STRONG, field: value}
    error = assert_error(api_client.post("/api/auth/register/", payload, format="json"), 400, "validation_error")
    assert list(error["details"]) == [field]
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "mina-example"])
def test_register_refuses_weak_passwords(api_client, password):
    payload = {"username": "mina", "email": "mina-example@example.com", "password": password}
    error = assert_error(api_client.post("/api/auth/register/", payload, format="json"), 400, "validation_error")
    assert "password" in error["details"]
    assert not User.objects.exists()


def test_register_names_every_missing_field(api_client):
    error = assert_error(api_client.post("/api/auth/register/", {}, format="json"), 400, "validation_error")
    assert set(error["details"]) == {"username", "email", "password"}


def test_register_refuses_a_bad_email_and_username(api_client):
    payload = {"username": "has space", "email": "not-an-email", "password": STRONG}
    error = assert_error(api_client.post("/api/auth/register/", payload, format="json"), 400, "validation_error")
    assert set(error["details"]) == {"username", "email"}


def test_malformed_json_is_a_parse_error(api_client):
    response = api_client.post("/api/auth/register/", data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_form_encoded_body_is_unsupported_media_type(api_client):
    response = api_client.post(
        "/api/auth/register/", data="username=x", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_a_json_list_body_is_a_validation_error(api_client):
    response = api_client.post("/api/auth/register/", data="[1, 2]", content_type="application/json")
    assert_error(response, 400, "validation_error")


# --- login ---


def test_login_returns_tokens(api_client, user):
    response = api_client.post("/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_login_ignores_username_case(api_client, user):
    response = api_client.post(
        "/api/auth/login/", {"username": user.username.upper(), "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("username", ["candidate-nobody", None])
def test_login_with_bad_credentials_is_401_invalid_credentials(api_client, user, username):
    payload = {"username": username or user.username, "password": "wrong password"}
    assert_error(api_client.post("/api/auth/login/", payload, format="json"), 401, "invalid_credentials")


def test_login_of_an_inactive_user_is_refused(api_client, user):
    user.is_active = False
    user.save()
    payload = {"username": user.username, "password": PASSWORD}
    assert_error(api_client.post("/api/auth/login/", payload, format="json"), 401, "invalid_credentials")


def test_login_is_throttled_per_username_across_addresses(api_client, user, settings):
    for n in range(5):
        response = api_client.post(
            "/api/auth/login/",
            {"username": user.username, "password": "nope"},
            format="json",
            REMOTE_ADDR=f"10.0.0.{n}",
        )
        assert response.status_code == 401
    response = api_client.post(
        "/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.0.99"
    )
    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert error["details"]["retry_after"] > 0


def test_login_is_throttled_per_address_across_usernames(api_client):
    for n in range(20):
        api_client.post("/api/auth/login/", {"username": f"guess{n}", "password": "x"}, format="json")
    response = api_client.post("/api/auth/login/", {"username": "guess-last", "password": "x"}, format="json")
    assert_error(response, 429, "throttled")
    other_address = api_client.post(
        "/api/auth/login/", {"username": "guess-last", "password": "x"}, format="json", REMOTE_ADDR="10.9.9.9"
    )
    assert other_address.status_code == 401


# --- refresh and logout ---


def test_refresh_rotates_and_the_old_refresh_token_dies(api_client, user):
    tokens = api_client.post(
        "/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json"
    ).json()
    response = api_client.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    assert {"access", "refresh"} <= set(response.json())
    again = api_client.post("/api/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert_error(again, 401, "token_not_valid")


def test_refresh_with_garbage_is_401(api_client):
    assert_error(api_client.post("/api/auth/refresh/", {"refresh": "garbage"}, format="json"), 401, "token_not_valid")


def test_refresh_without_a_token_is_a_validation_error(api_client):
    assert_error(api_client.post("/api/auth/refresh/", {}, format="json"), 400, "validation_error")


def test_logout_kills_the_refresh_token(auth_client, api_client, user):
    refresh = str(RefreshToken.for_user(user))
    assert auth_client.post("/api/auth/logout/", {"refresh": refresh}, format="json").status_code == 204
    assert_error(api_client.post("/api/auth/refresh/", {"refresh": refresh}, format="json"), 401, "token_not_valid")


def test_logout_cannot_kill_someone_elses_refresh_token(auth_client, api_client, other_user):
    theirs = str(RefreshToken.for_user(other_user))
    assert_error(auth_client.post("/api/auth/logout/", {"refresh": theirs}, format="json"), 400, "validation_error")
    assert api_client.post("/api/auth/refresh/", {"refresh": theirs}, format="json").status_code == 200


def test_logout_needs_authentication(api_client, user):
    refresh = str(RefreshToken.for_user(user))
    assert_error(api_client.post("/api/auth/logout/", {"refresh": refresh}, format="json"), 401, "not_authenticated")


def test_logout_with_an_invalid_token_is_400(auth_client):
    assert_error(auth_client.post("/api/auth/logout/", {"refresh": "nope"}, format="json"), 400, "validation_error")


# --- me ---


def test_me_shows_the_user_and_todays_quota(auth_client, user):
    quota_reserve(user=user)
    body = auth_client.get("/api/auth/me/").json()
    assert body["id"] == user.id
    assert body["username"] == user.username
    assert body["quota"]["limit"] == 5
    assert body["quota"]["used"] == 1
    assert body["quota"]["remaining"] == 4
    assert body["quota"]["resets_at"].endswith("+09:00")


def test_me_shows_only_the_callers_own_usage(client_for, user, other_user):
    quota_reserve(user=other_user)
    assert client_for(user).get("/api/auth/me/").json()["quota"]["used"] == 0


def test_me_accepts_the_token_keyword(api_client, user):
    from accounts.apis import tokens_for

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens_for(user)['access']}")
    assert api_client.get("/api/auth/me/").status_code == 200


def test_me_anonymous_is_401(api_client):
    response = api_client.get("/api/auth/me/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_with_a_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_error(api_client.get("/api/auth/me/"), 401, "token_not_valid")


def test_me_with_a_per_user_limit(auth_client, user):
    user.daily_chat_limit = 12
    user.save()
    body = auth_client.get("/api/auth/me/").json()
    assert body["daily_chat_limit"] == 12
    assert body["quota"]["limit"] == 12


# --- the envelope for DRF's own errors ---


def test_wrong_method_is_405_in_the_envelope(auth_client):
    assert_error(auth_client.delete("/api/auth/me/"), 405, "method_not_allowed")


def test_unknown_api_path_is_404_in_the_envelope(api_client):
    assert_error(api_client.get("/api/no-such-thing/"), 404, "not_found")
