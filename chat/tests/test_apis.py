"""The interviewer's turn endpoints (start, answer, retry, finish) through the API, with the offline
practice interviewer; the openai provider's failure modes are in test_openai_flow.py."""

import pytest

from config.testing import assert_error
from interviews.models import Interview, Message

pytestmark = pytest.mark.django_db


def start(client, **body):
    return client.post("/api/interviews/", {"position": "be", "topic": "databases", **body}, format="json")


# --- start ---


def test_start_returns_the_interview_first_question_and_quota(auth_client, user, bank):
    response = start(auth_client, language="en")
    assert response.status_code == 201
    body = response.json()
    assert body["owner"] == {"username": user.username}
    assert (body["position"], body["topic"], body["language"], body["status"]) == ("be", "databases", "en", "active")
    assert body["is_public"] is True
    assert body["message_count"] == 1
    assert body["created_at"].endswith("+09:00")
    [first] = body["messages"]
    assert first["role"] == "assistant"
    assert "First question:" in first["content"]
    assert Message.objects.get(pk=first["id"]).question_id is not None  # asked from the bank
    assert set(first) == {"id", "role", "content", "audio_url", "created_at"}
    assert body["quota"] == {**body["quota"], "limit": 5, "used": 1, "remaining": 4}
    assert Interview.objects.get(pk=body["id"]).owner == user
    assert "email" not in str(body)


def test_start_in_korean_asks_in_korean(auth_client, bank):
    body = start(auth_client, language="ko", is_public=False).json()
    assert body["language"] == "ko"
    assert body["is_public"] is False
    assert "질문" in body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"position": "chef"}, "position"),
        ({"position": "be", "language": "fr"}, "language"),
        ({"position": "be", "topic": "x" * 201}, "topic"),
        ({"position": "be", "is_public": "maybe"}, "is_public"),
        ({}, "position"),
    ],
)
def test_start_refuses_bad_input_without_charging(auth_client, user, payload, field, used_today):
    error = assert_error(auth_client.post("/api/interviews/", payload, format="json"), 400, "validation_error")
    assert field in error["details"]
    assert used_today(user) == 0
    assert not Interview.objects.exists()


def test_start_over_the_limit_is_429_and_stores_nothing(auth_client, user, bank, used_today):
    user.daily_chat_limit = 1
    user.save()
    assert start(auth_client).status_code == 201
    response = start(auth_client)
    error = assert_error(response, 429, "quota_exceeded")
    assert error["details"]["limit"] == 1
    assert error["details"]["used"] == 1
    assert "resets_at" in error["details"]
    assert int(response["Retry-After"]) > 0
    assert Interview.objects.count() == 1
    assert used_today(user) == 1


def test_start_needs_authentication(api_client):
    assert_error(start(api_client), 401, "not_authenticated")


# --- answers, retry, finish ---


@pytest.fixture
def interview(auth_client, bank):
    return start(auth_client).json()


def answer(client, interview_id, content="An index is a B-tree that speeds up reads but slows writes.", **headers):
    return client.post(f"/api/interviews/{interview_id}/answers/", {"content": content}, format="json", **headers)


def test_answer_returns_answer_reply_and_quota(auth_client, user, interview):
    response = answer(auth_client, interview["id"], "  A B-tree index speeds up lookups.  ")
    assert response.status_code == 201
    body = response.json()
    assert body["answer"]["role"] == "user"
    assert body["answer"]["content"] == "A B-tree index speeds up lookups."
    assert body["answer"]["audio_url"] is None
    assert body["reply"]["role"] == "assistant"
    assert body["reply"]["id"] > body["answer"]["id"]
    assert body["quota"]["used"] == 2
    stored = Message.objects.get(pk=body["answer"]["id"])
    assert stored.awaiting_reply is False
    assert Message.objects.get(pk=body["reply"]["id"]).reply_to_id == stored.id


@pytest.mark.parametrize("content", ["", "   \n\t ", "x" * 4001])
def test_answer_content_must_be_1_to_4000_chars_after_trimming(auth_client, user, interview, content, used_today):
    error = assert_error(answer(auth_client, interview["id"], content), 400, "validation_error")
    assert "content" in error["details"]
    assert used_today(user) == 1
    assert Message.objects.count() == 1


def test_answer_of_exactly_4000_chars_is_accepted(auth_client, interview):
    assert answer(auth_client, interview["id"], "y" * 4000 + "   ").status_code == 201


def test_answer_to_someone_elses_interview_is_404_and_charges_nothing(client_for, other_user, interview, used_today):
    Interview.objects.filter(pk=interview["id"]).update(is_public=True)
    assert_error(answer(client_for(other_user), interview["id"]), 404, "not_found")
    assert used_today(other_user) == 0
    assert Message.objects.count() == 1


def test_answer_anonymous_is_401(api_client, interview):
    assert_error(answer(api_client, interview["id"]), 401, "not_authenticated")


def test_answer_over_the_limit_is_429_and_stores_nothing(auth_client, user, interview, used_today):
    for _ in range(4):
        assert answer(auth_client, interview["id"]).status_code == 201
    before = Message.objects.count()
    response = answer(auth_client, interview["id"])
    assert_error(response, 429, "quota_exceeded")
    assert response["Retry-After"]
    assert Message.objects.count() == before
    assert used_today(user) == 5


def test_answering_a_finished_interview_is_409(auth_client, user, interview, used_today):
    assert auth_client.post(f"/api/interviews/{interview['id']}/finish/").status_code == 200
    assert_error(answer(auth_client, interview["id"]), 409, "interview_finished")
    assert used_today(user) == 2


def test_idempotency_key_replays_the_first_result_without_charging(auth_client, user, interview, used_today):
    first = answer(auth_client, interview["id"], HTTP_IDEMPOTENCY_KEY="k-1")
    again = answer(auth_client, interview["id"], "different text", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["answer"]["id"] == first.json()["answer"]["id"]
    assert again.json()["reply"]["id"] == first.json()["reply"]["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert used_today(user) == 2
    assert Message.objects.count() == 3


def test_idempotency_keys_are_per_interview(auth_client, user, bank):
    one, two = start(auth_client).json(), start(auth_client).json()
    a = answer(auth_client, one["id"], HTTP_IDEMPOTENCY_KEY="same")
    b = answer(auth_client, two["id"], HTTP_IDEMPOTENCY_KEY="same")
    assert a.json()["answer"]["id"] != b.json()["answer"]["id"]


def test_an_overlong_idempotency_key_is_refused(auth_client, interview):
    assert_error(answer(auth_client, interview["id"], HTTP_IDEMPOTENCY_KEY="k" * 256), 400, "validation_error")


def test_retry_without_a_pending_answer_is_409(auth_client, interview):
    assert_error(auth_client.post(f"/api/interviews/{interview['id']}/retry/"), 409, "nothing_to_retry")


def test_retry_of_someone_elses_interview_is_404(client_for, other_user, interview):
    assert_error(client_for(other_user).post(f"/api/interviews/{interview['id']}/retry/"), 404, "not_found")


def test_finish_returns_the_report_and_is_charged_once(auth_client, user, interview, used_today):
    answer(auth_client, interview["id"])
    response = auth_client.post(f"/api/interviews/{interview['id']}/finish/")
    assert response.status_code == 200
    body = response.json()
    assert body["interview"]["status"] == "finished"
    assert body["report"]
    assert body["quota"]["used"] == 3
    again = auth_client.post(f"/api/interviews/{interview['id']}/finish/")
    assert again.json()["report"] == body["report"]
    assert used_today(user) == 3


def test_finish_of_someone_elses_interview_is_404(client_for, other_user, interview):
    assert_error(client_for(other_user).post(f"/api/interviews/{interview['id']}/finish/"), 404, "not_found")
    assert Interview.objects.get(pk=interview["id"]).status == "active"


def test_finish_anonymous_is_401(api_client, interview):
    assert_error(api_client.post(f"/api/interviews/{interview['id']}/finish/"), 401, "not_authenticated")
