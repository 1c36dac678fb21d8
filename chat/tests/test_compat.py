"""The original Mock-Interviewer frontend's endpoints: exact shapes, flat errors, shared quota."""

import pytest

from accounts.models import DailyUsage, User
from accounts.tests.factories import PASSWORD
from interviews.models import Interview, Message

pytestmark = pytest.mark.django_db
STRONG = "an interview-ready passphrase"


def token_client(api_client, user):
    token = api_client.post("/api/user/login/", {"username": user.username, "password": PASSWORD}, format="json")
    assert token.status_code == 200
    assert token.json()["message"] == "User logged in successfully."
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['Token']}")
    return api_client


def test_register_answers_in_the_original_shape(api_client):
    payload = {"username": "lee", "email": "lee@example.com", "password": STRONG, "password2": STRONG}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert response.status_code == 201
    assert response.json() == {"message": "User registered successfully."}
    assert User.objects.filter(username="lee").exists()


def test_register_duplicate_username_is_409_with_the_original_message(api_client, user):
    payload = {"username": user.username.upper(), "email": "new@example.com", "password": STRONG}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert response.status_code == 409
    assert response.json() == {"message": "Username already exists."}


def test_register_mismatched_password2_is_a_flat_400(api_client):
    payload = {"username": "lee", "email": "lee@example.com", "password": STRONG, "password2": "other"}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert not User.objects.exists()


def test_login_with_bad_credentials_is_the_original_401(api_client, user):
    response = api_client.post("/api/user/login/", {"username": user.username, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials."}


def test_logout_by_get_or_post_ends_refresh_sessions(api_client, user):
    refresh = api_client.post("/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json")
    client = token_client(api_client, user)
    assert client.get("/api/user/logout/").json() == {"message": "User logged out successfully."}
    assert client.post("/api/user/logout/").status_code == 200
    assert client.post("/api/auth/refresh/", {"refresh": refresh.json()["refresh"]}, format="json").status_code == 401


def test_logout_anonymous_is_401(api_client):
    response = api_client.post("/api/user/logout/")
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_chat_flow_shares_storage_and_quota_with_the_main_api(api_client, user, bank):
    client = token_client(api_client, user)
    empty = client.get("/api/chat/gpt/").json()
    assert empty == {
        "conversations": [{"role": "system", "content": "You are an interviewer."}],
        "count": 0,
        "limit": 5,
    }

    started = client.post("/api/chat/gpt/", {"interview_topic": "BE"}, format="json")
    assert started.status_code == 200
    assert set(started.json()) == {"response", "audio_url"}
    interview = Interview.objects.get(owner=user)
    assert interview.position == "be"

    replied = client.post("/api/chat/gpt/", {"user_input": "An index is a B-tree."}, format="json")
    assert replied.status_code == 200
    body = client.get("/api/chat/gpt/").json()
    assert [c["role"] for c in body["conversations"]] == ["system", "assistant", "user", "assistant"]
    assert body["conversations"][3]["content"] == replied.json()["response"]
    assert (body["count"], body["limit"]) == (2, 5)
    assert Message.objects.filter(interview=interview).count() == 3


def test_chat_over_the_limit_is_the_original_429(api_client, user, bank):
    user.daily_chat_limit = 1
    user.save()
    client = token_client(api_client, user)
    assert client.post("/api/chat/gpt/", {"interview_topic": "system design"}, format="json").status_code == 200
    assert Interview.objects.get().position == "general"
    response = client.post("/api/chat/gpt/", {"user_input": "hello"}, format="json")
    assert response.status_code == 429
    assert response.json() == {"error": "You have exceeded the chat request limit for today."}
    assert DailyUsage.objects.get(user=user).used == 1
    assert Message.objects.count() == 1


def test_chat_answer_without_an_interview_is_a_flat_400(api_client, user):
    response = token_client(api_client, user).post("/api/chat/gpt/", {"user_input": "hi"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_chat_only_sees_the_callers_own_interview(api_client, user, other_user, bank):
    Interview.objects.create(owner=other_user, position="be")
    body = token_client(api_client, user).get("/api/chat/gpt/").json()
    assert len(body["conversations"]) == 1


def test_chat_anonymous_is_401(api_client):
    assert api_client.get("/api/chat/gpt/").status_code == 401
