"""The original Mock-Interviewer frontend's endpoints: exact shapes, flat errors, shared quota,
opaque tokens, Korean interviews read from the topic, private interviews.

The whole request sequence of that frontend, replayed, is in test_compat_frontend.py.
"""

import hashlib
import json

import pytest

from accounts.apis import tokens_for
from accounts.models import CompatToken, DailyUsage, User
from accounts.tests.factories import PASSWORD
from interviews.models import Interview, Message

pytestmark = pytest.mark.django_db
STRONG = "an interview-ready passphrase"


def login(api_client, user) -> str:
    response = api_client.post("/api/user/login/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["message"] == "User logged in successfully."
    return response.json()["Token"]


def token_client(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {login(api_client, user)}")
    return api_client


def assert_flat(response, status: int) -> str:
    """The original frontend's error shape: `{"error": "<sentence>"}` and nothing else."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str)
    assert body["error"]
    return body["error"]


# --- Accounts ------------------------------------------------------------------------------------


def test_register_answers_in_the_original_shape(api_client):
    payload = {"username": "lee", "email": "lee@example.com", "password": STRONG, "password2": STRONG}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert response.status_code == 201
    assert response.json() == {"message": "User registered successfully."}
    assert User.objects.filter(username="lee").exists()


def test_register_without_password2_is_accepted(api_client):
    # The original frontend compares the two passwords itself and sends only `password`.
    payload = {"username": "lee", "email": "lee@example.com", "password": STRONG}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert response.status_code == 201
    assert User.objects.get(username="lee").check_password(STRONG)


def test_register_duplicate_username_is_409_with_the_original_message(api_client, user):
    payload = {"username": user.username.upper(), "email": "new@example.com", "password": STRONG}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert response.status_code == 409
    assert response.json() == {"message": "Username already exists."}
    assert User.objects.count() == 1


def test_register_mismatched_password2_is_a_flat_400(api_client):
    payload = {"username": "lee", "email": "lee@example.com", "password": STRONG, "password2": "other"}
    response = api_client.post("/api/user/register/", payload, format="json")
    assert "password2" in assert_flat(response, 400)
    assert not User.objects.exists()


def test_register_missing_field_is_a_flat_400_naming_it(api_client):
    response = api_client.post("/api/user/register/", {"username": "lee", "password": STRONG}, format="json")
    assert "email" in assert_flat(response, 400)
    assert not User.objects.exists()


def test_login_with_bad_credentials_is_the_original_401(api_client, user):
    response = api_client.post("/api/user/login/", {"username": user.username, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials."}
    assert not CompatToken.objects.exists()


def test_login_gives_an_opaque_token_stored_only_as_its_hash(api_client, user):
    token = login(api_client, user)
    assert "." not in token  # not a JWT
    assert len(token) >= 40
    stored = CompatToken.objects.get(user=user)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not CompatToken.objects.filter(key_hash=token).exists()


def test_each_login_is_its_own_session(api_client, user):
    first, second = login(api_client, user), login(api_client, user)
    assert first != second
    assert CompatToken.objects.filter(user=user).count() == 2


def test_logout_by_get_revokes_exactly_that_token(api_client, user, client_for):
    # Changed contract: logout used to blacklist all the user's refresh tokens and leave the token
    # itself working; now it kills the token it was sent with, and only that one.
    refresh = api_client.post("/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json")
    other_browser = login(api_client, user)
    client = token_client(api_client, user)

    assert client.get("/api/user/logout/").json() == {"message": "User logged out successfully."}

    assert_flat(client.get("/api/chat/gpt/"), 401)
    assert_flat(client.post("/api/user/logout/"), 401)  # that token is dead
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_browser}")
    assert client.get("/api/chat/gpt/").status_code == 200
    client.credentials()
    assert client.post("/api/auth/refresh/", {"refresh": refresh.json()["refresh"]}, format="json").status_code == 200
    assert CompatToken.objects.filter(user=user).count() == 1


def test_logout_by_post_revokes_the_token(api_client, user):
    client = token_client(api_client, user)
    response = client.post("/api/user/logout/", content_type="application/json")
    assert response.json() == {"message": "User logged out successfully."}
    assert_flat(client.get("/api/chat/gpt/"), 401)
    assert not CompatToken.objects.exists()


def test_logout_someone_elses_session_is_untouched(api_client, user, other_user):
    theirs = login(api_client, other_user)
    token_client(api_client, user).post("/api/user/logout/")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {theirs}")
    assert api_client.get("/api/chat/gpt/").status_code == 200


def test_logout_anonymous_is_401(api_client):
    response = api_client.post("/api/user/logout/")
    assert_flat(response, 401)
    assert response["WWW-Authenticate"] == "Token"


# --- Tokens: what opens what ----------------------------------------------------------------------


def test_a_compat_token_does_not_open_the_main_api(api_client, user):
    client = token_client(api_client, user)
    assert client.get("/api/auth/me/").status_code == 401


def test_a_jwt_does_not_open_the_compat_paths(api_client, user, client_for):
    # Compat paths take only compat tokens: logout must be able to kill the very token it is sent
    # with, which a stateless access JWT cannot promise. The main API still takes `Token <jwt>`.
    assert_flat(client_for(user).get("/api/chat/gpt/"), 401)  # Bearer <jwt>
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens_for(user)['access']}")
    assert_flat(api_client.get("/api/chat/gpt/"), 401)
    assert api_client.get("/api/auth/me/").status_code == 200


def test_a_token_of_an_inactive_user_is_refused(api_client, user):
    client = token_client(api_client, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_flat(client.get("/api/chat/gpt/"), 401)


@pytest.mark.parametrize("header", ["Token", "Token null", "Token not-a-token", "Token a b", "Bearer x"])
def test_a_bad_authorization_header_is_a_flat_401(api_client, user, header):
    login(api_client, user)
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert_flat(api_client.get("/api/chat/gpt/"), 401)


# --- Chat ------------------------------------------------------------------------------------------


def test_chat_without_an_interview_is_an_empty_list(api_client, user, settings):
    # Changed contract: this used to be `[system entry]`, which hid the frontend's start box.
    body = token_client(api_client, user).get("/api/chat/gpt/").json()
    assert body == {"conversations": [], "count": 0, "limit": settings.DAILY_CHAT_LIMIT}


def test_chat_flow_shares_storage_and_quota_with_the_main_api(api_client, user, bank, used_today, client_for):
    client = token_client(api_client, user)
    started = client.post("/api/chat/gpt/", {"interview_topic": "BE"}, format="json")
    assert started.status_code == 200
    assert set(started.json()) == {"response", "audio_url"}
    assert started.json()["audio_url"].startswith("http://testserver/")
    interview = Interview.objects.get(owner=user)
    assert interview.position == "be"

    replied = client.post("/api/chat/gpt/", {"user_input": "An index is a B-tree."}, format="json")
    assert replied.status_code == 200
    body = client.get("/api/chat/gpt/").json()
    assert body["conversations"][0] == {"role": "system", "content": "You are an interviewer."}
    assert [c["role"] for c in body["conversations"]] == ["system", "assistant", "user", "assistant"]
    assert body["conversations"][1]["content"] == started.json()["response"]
    assert body["conversations"][3]["content"] == replied.json()["response"]
    assert (body["count"], body["limit"]) == (2, user.effective_daily_limit)
    assert used_today(user) == 2
    assert Message.objects.filter(interview=interview).count() == 3
    # The same interview through the main API, to its owner.
    assert client_for(user).get(f"/api/interviews/{interview.pk}/messages/").status_code == 200


@pytest.mark.parametrize(
    ("topic", "position", "language", "stored_topic"),
    [
        ("백엔드 개발자", "be", "ko", ""),
        ("React 프론트엔드", "fe", "ko", "React"),
        ("인성 면접", "general", "ko", ""),
        ("AI 엔지니어", "ai", "ko", ""),
        ("인공지능", "ai", "ko", ""),
        ("iOS 앱 개발", "mobile", "ko", "앱 개발"),
        ("React", "fe", "ko", "React"),
        ("backend developer", "be", "en", ""),
        ("system design", "general", "en", "system design"),
    ],
)
def test_a_topic_sets_position_and_language_and_the_interview_is_private(
    api_client, user, bank, topic, position, language, stored_topic
):
    response = token_client(api_client, user).post("/api/chat/gpt/", {"interview_topic": topic}, format="json")
    assert response.status_code == 200
    interview = Interview.objects.get(owner=user)
    assert (interview.position, interview.language, interview.topic) == (position, language, stored_topic)
    assert interview.is_public is False
    greeting = response.json()["response"]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in greeting) == (language == "ko")


def test_compat_language_setting_decides_for_a_bare_technology_name(api_client, user, bank, settings):
    settings.COMPAT_LANGUAGE = "en"
    client = token_client(api_client, user)
    client.post("/api/chat/gpt/", {"interview_topic": "React"}, format="json")
    client.post("/api/chat/gpt/", {"interview_topic": "백엔드"}, format="json")
    assert list(Interview.objects.order_by("id").values_list("language", flat=True)) == ["en", "ko"]


def test_a_very_long_topic_is_cut_to_fit(api_client, user, bank):
    topic = "백엔드 " + "분산 시스템 " * 100
    response = token_client(api_client, user).post("/api/chat/gpt/", {"interview_topic": topic}, format="json")
    assert response.status_code == 200
    interview = Interview.objects.get()
    assert interview.position == "be"
    assert 0 < len(interview.topic) <= 200
    assert interview.topic.startswith("분산 시스템")


def test_chat_answer_without_an_interview_starts_one(api_client, user, bank, used_today):
    # Changed contract: this used to be a 400 that the frontend showed as an empty bubble.
    client = token_client(api_client, user)
    response = client.post("/api/chat/gpt/", {"user_input": "프론트엔드 개발자 면접 부탁드립니다"}, format="json")
    assert response.status_code == 200
    assert response.json()["response"]
    interview = Interview.objects.get(owner=user)
    assert (interview.position, interview.language, interview.is_public) == ("fe", "ko", False)
    # The text named the interview; it was not also taken as an answer: one turn, one unit.
    assert list(interview.messages.values_list("role", flat=True)) == ["assistant"]
    assert used_today(user) == 1
    assert [c["role"] for c in client.get("/api/chat/gpt/").json()["conversations"]] == ["system", "assistant"]


def test_chat_over_the_limit_is_the_original_429(api_client, user, bank, used_today):
    client = token_client(api_client, user)
    assert client.post("/api/chat/gpt/", {"interview_topic": "system design"}, format="json").status_code == 200
    assert Interview.objects.get().position == "general"
    user.daily_chat_limit = used_today(user)
    user.save()

    response = client.post("/api/chat/gpt/", {"user_input": "hello"}, format="json")

    assert response.status_code == 429
    assert response.json() == {"error": "You have exceeded the chat request limit for today."}
    assert int(response["Retry-After"]) > 0
    assert sum(DailyUsage.objects.filter(user=user).values_list("used", flat=True)) == 1
    assert Message.objects.count() == 1


def test_chat_only_sees_and_answers_the_callers_own_interview(api_client, user, other_user, bank, client_for):
    theirs = client_for(other_user).post("/api/interviews/", {"position": "be"}, format="json")
    assert theirs.status_code == 201
    client = token_client(api_client, user)
    assert client.get("/api/chat/gpt/").json()["conversations"] == []

    assert client.post("/api/chat/gpt/", {"user_input": "My answer"}, format="json").status_code == 200

    assert Message.objects.filter(interview_id=theirs.json()["id"]).count() == 1
    assert Interview.objects.filter(owner=user).count() == 1


def test_compat_interviews_are_private(api_client, user, other_user, bank, client_for, settings):
    settings.INTERVIEWS_PUBLIC_BY_DEFAULT = True  # that frontend cannot unpublish: private regardless
    token_client(api_client, user).post("/api/chat/gpt/", {"interview_topic": "백엔드 개발자"}, format="json")
    interview = Interview.objects.get(owner=user)
    anonymous = type(api_client)()
    for path in (f"/api/interviews/{interview.pk}/", f"/api/interviews/{interview.pk}/messages/"):
        assert anonymous.get(path).status_code == 404
        assert client_for(other_user).get(path).status_code == 404
        assert client_for(user).get(path).status_code == 200
    assert anonymous.get(f"/api/feed/{interview.pk}/").status_code == 404
    assert interview.pk not in [i["id"] for i in anonymous.get("/api/feed/").json()["results"]]


def test_chat_anonymous_is_401(api_client):
    response = api_client.get("/api/chat/gpt/")
    assert_flat(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_an_llm_failure_is_a_flat_503_and_the_next_message_recovers(api_client, user, bank, fake_llm, used_today):
    client = token_client(api_client, user)
    fake_llm.reply_with("안녕하세요. 백엔드 모의 면접을 시작하겠습니다.")
    assert client.post("/api/chat/gpt/", {"interview_topic": "백엔드"}, format="json").status_code == 200
    fake_llm.reply_with(None)
    fake_llm.fail_next("503")

    failed = client.post("/api/chat/gpt/", {"user_input": "B-tree 입니다."}, format="json")

    assert_flat(failed, 503)
    assert used_today(user) == 1  # refunded
    # That frontend cannot call /retry/: its next message gets the reply the stored answer is owed.
    fake_llm.reply_next({"kind": "answer", "verdict": "좋은 답변입니다.", "feedback": "핵심을 짚었습니다."})
    recovered = client.post("/api/chat/gpt/", {"user_input": "다시 보냅니다"}, format="json")
    assert recovered.status_code == 200
    assert recovered.json()["response"].startswith("좋은 답변입니다.")
    roles_and_text = list(Message.objects.order_by("id").values_list("role", "content"))
    assert [r for r, _ in roles_and_text] == ["assistant", "user", "assistant"]
    assert roles_and_text[1][1] == "B-tree 입니다."
    assert used_today(user) == 2


# --- Every error on these paths is flat --------------------------------------------------------------


@pytest.fixture
def compat_client(api_client, user):
    return token_client(api_client, user)


def test_validation_errors_are_flat_400(compat_client):
    assert_flat(compat_client.post("/api/chat/gpt/", {}, format="json"), 400)
    assert_flat(compat_client.post("/api/chat/gpt/", {"user_input": "   "}, format="json"), 400)
    assert_flat(compat_client.post("/api/chat/gpt/", {"user_input": "x" * 4001}, format="json"), 400)
    assert_flat(compat_client.post("/api/user/login/", {"username": "lee"}, format="json"), 400)
    assert not Interview.objects.exists()


def test_malformed_json_is_a_flat_400(compat_client):
    response = compat_client.generic("POST", "/api/chat/gpt/", "{not json", content_type="application/json")
    assert_flat(response, 400)


def test_unknown_compat_paths_are_a_flat_404(compat_client):
    assert_flat(compat_client.get("/api/user/profile/"), 404)
    assert_flat(compat_client.post("/api/chat/gpt/history/"), 404)


def test_a_wrong_method_is_a_flat_405(compat_client):
    assert_flat(compat_client.put("/api/chat/gpt/", {}, format="json"), 405)
    assert_flat(compat_client.get("/api/user/login/"), 405)
    assert_flat(compat_client.delete("/api/user/register/"), 405)


def test_a_body_over_the_size_limit_is_a_flat_413(compat_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"user_input": "x" * 20_000})
    assert_flat(compat_client.generic("POST", "/api/chat/gpt/", body, content_type="application/json"), 413)
    assert_flat(compat_client.generic("POST", "/api/user/login/", body, content_type="application/json"), 413)
    assert not Interview.objects.exists()


def test_a_body_that_is_not_json_is_a_flat_415(compat_client):
    response = compat_client.generic("POST", "/api/chat/gpt/", "user_input=hi", content_type="text/plain")
    assert_flat(response, 415)


def test_login_throttling_is_a_flat_429(api_client, user):
    for _ in range(5):
        api_client.post("/api/user/login/", {"username": user.username, "password": "nope"}, format="json")
    response = api_client.post("/api/user/login/", {"username": user.username, "password": PASSWORD}, format="json")
    assert_flat(response, 429)
    assert "Retry-After" in response


def test_an_unexpected_error_is_a_flat_500(compat_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("chat.compat.interview_latest_active", broken)
    compat_client.raise_request_exception = False
    assert_flat(compat_client.get("/api/chat/gpt/"), 500)


def test_after_the_last_planned_answer_the_next_message_reads_the_report_back(api_client, user, bank, used_today):
    """That frontend has no finish button: once every planned question is answered, its next message
    finishes the interview and gets the report's summary; the one after starts a new interview."""
    client = token_client(api_client, user)
    assert client.post("/api/chat/gpt/", {"interview_topic": "백엔드"}, format="json").status_code == 200
    interview = Interview.objects.get()
    for _ in range(interview.planned):
        assert client.post("/api/chat/gpt/", {"user_input": "인덱스는 B-tree입니다."}, format="json").status_code == 200
    summary = client.post("/api/chat/gpt/", {"user_input": "감사합니다"}, format="json")
    assert summary.status_code == 200
    interview.refresh_from_db()
    assert interview.status == "finished"
    assert summary.json() == {"response": interview.summary, "audio_url": None}
    assert used_today(user) == 5
    assert not Message.objects.filter(content="감사합니다").exists()
    assert client.get("/api/chat/gpt/").json()["conversations"] == []
