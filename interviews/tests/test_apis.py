import pytest

from accounts.models import DailyUsage
from accounts.services import quota_reserve
from accounts.tests.test_apis import assert_error
from interviews.models import Interview, Message
from interviews.tests.factories import InterviewFactory, MessageFactory

pytestmark = pytest.mark.django_db


def used_today(user) -> int:
    return sum(DailyUsage.objects.filter(user=user).values_list("used", flat=True))


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
def test_start_refuses_bad_input_without_charging(auth_client, user, payload, field):
    error = assert_error(auth_client.post("/api/interviews/", payload, format="json"), 400, "validation_error")
    assert field in error["details"]
    assert used_today(user) == 0
    assert not Interview.objects.exists()


def test_start_over_the_limit_is_429_and_stores_nothing(auth_client, user, bank):
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


# --- list and detail ---


def test_list_shows_only_my_interviews_newest_first(auth_client, user, other_user):
    old = InterviewFactory(owner=user)
    new = InterviewFactory(owner=user)
    InterviewFactory(owner=other_user, is_public=True)
    body = auth_client.get("/api/interviews/").json()
    assert [i["id"] for i in body["results"]] == [new.id, old.id]
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None


def test_list_is_paginated(auth_client, user):
    for _ in range(3):
        InterviewFactory(owner=user)
    body = auth_client.get("/api/interviews/?page_size=2").json()
    assert len(body["results"]) == 2
    assert body["next"].startswith("http://testserver/api/interviews/?page=2")
    assert_error(auth_client.get("/api/interviews/?page=9"), 404, "not_found")


def test_list_anonymous_is_401(api_client):
    assert_error(api_client.get("/api/interviews/"), 401, "not_authenticated")


def test_detail_for_the_owner(auth_client, user):
    interview = InterviewFactory(owner=user, is_public=False)
    MessageFactory(interview=interview)
    body = auth_client.get(f"/api/interviews/{interview.id}/").json()
    assert body["id"] == interview.id
    assert body["message_count"] == 1


def test_private_interview_is_404_for_someone_else_and_anonymous(client_for, other_user, api_client, user):
    interview = InterviewFactory(owner=user, is_public=False)
    assert_error(client_for(other_user).get(f"/api/interviews/{interview.id}/"), 404, "not_found")
    assert_error(api_client.get(f"/api/interviews/{interview.id}/"), 404, "not_found")
    assert_error(api_client.get(f"/api/interviews/{interview.id}/messages/"), 404, "not_found")


def test_public_interview_is_readable_by_anyone(api_client, client_for, other_user, user):
    interview = InterviewFactory(owner=user, is_public=True)
    MessageFactory(interview=interview, content="Tell me about indexes.")
    assert api_client.get(f"/api/interviews/{interview.id}/").status_code == 200
    assert client_for(other_user).get(f"/api/interviews/{interview.id}/").status_code == 200
    messages = api_client.get(f"/api/interviews/{interview.id}/messages/").json()
    assert messages["results"][0]["content"] == "Tell me about indexes."


def test_public_but_hidden_by_staff_is_404_for_others_but_not_the_owner(api_client, auth_client, user):
    interview = InterviewFactory(owner=user, is_public=True, is_hidden=True)
    assert_error(api_client.get(f"/api/interviews/{interview.id}/"), 404, "not_found")
    assert auth_client.get(f"/api/interviews/{interview.id}/").status_code == 200


def test_missing_interview_is_404(auth_client):
    assert_error(auth_client.get("/api/interviews/999999/"), 404, "not_found")


# --- patch and delete ---


def test_owner_can_toggle_is_public(auth_client, user):
    interview = InterviewFactory(owner=user, is_public=False)
    response = auth_client.patch(f"/api/interviews/{interview.id}/", {"is_public": True}, format="json")
    assert response.status_code == 200
    assert response.json()["is_public"] is True
    interview.refresh_from_db()
    assert interview.is_public is True


def test_patch_validates_its_input(auth_client, user):
    interview = InterviewFactory(owner=user)
    error = assert_error(
        auth_client.patch(f"/api/interviews/{interview.id}/", {}, format="json"), 400, "validation_error"
    )
    assert "is_public" in error["details"]


def test_someone_else_cannot_patch_or_delete_even_a_public_interview(client_for, other_user, user):
    interview = InterviewFactory(owner=user, is_public=True)
    other = client_for(other_user)
    assert_error(other.patch(f"/api/interviews/{interview.id}/", {"is_public": False}, format="json"), 404, "not_found")
    assert_error(other.delete(f"/api/interviews/{interview.id}/"), 404, "not_found")
    interview.refresh_from_db()
    assert interview.is_public is True


def test_anonymous_cannot_patch_or_delete(api_client, user):
    interview = InterviewFactory(owner=user, is_public=True)
    assert_error(
        api_client.patch(f"/api/interviews/{interview.id}/", {"is_public": False}, format="json"),
        401,
        "not_authenticated",
    )
    assert_error(api_client.delete(f"/api/interviews/{interview.id}/"), 401, "not_authenticated")
    assert Interview.objects.filter(pk=interview.pk).exists()


def test_owner_deletes_interview_with_its_messages_and_spent_quota_stays(auth_client, user):
    interview = InterviewFactory(owner=user)
    MessageFactory(interview=interview)
    quota_reserve(user=user)
    assert auth_client.delete(f"/api/interviews/{interview.id}/").status_code == 204
    assert not Interview.objects.exists()
    assert not Message.objects.exists()
    assert used_today(user) == 1


# --- messages ---


def test_messages_are_oldest_first_and_paginated(auth_client, user):
    interview = InterviewFactory(owner=user)
    ids = [MessageFactory(interview=interview).id for _ in range(3)]
    body = auth_client.get(f"/api/interviews/{interview.id}/messages/?page_size=2").json()
    assert [m["id"] for m in body["results"]] == ids[:2]
    assert body["next"] is not None
    assert body["count"] == 3


def test_user_messages_have_null_audio_url(auth_client, user):
    interview = InterviewFactory(owner=user)
    MessageFactory(interview=interview, role="user")
    assert auth_client.get(f"/api/interviews/{interview.id}/messages/").json()["results"][0]["audio_url"] is None


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
def test_answer_content_must_be_1_to_4000_chars_after_trimming(auth_client, user, interview, content):
    error = assert_error(answer(auth_client, interview["id"], content), 400, "validation_error")
    assert "content" in error["details"]
    assert used_today(user) == 1
    assert Message.objects.count() == 1


def test_answer_of_exactly_4000_chars_is_accepted(auth_client, interview):
    assert answer(auth_client, interview["id"], "y" * 4000 + "   ").status_code == 201


def test_answer_to_someone_elses_interview_is_404_and_charges_nothing(client_for, other_user, interview):
    Interview.objects.filter(pk=interview["id"]).update(is_public=True)
    assert_error(answer(client_for(other_user), interview["id"]), 404, "not_found")
    assert used_today(other_user) == 0
    assert Message.objects.count() == 1


def test_answer_anonymous_is_401(api_client, interview):
    assert_error(answer(api_client, interview["id"]), 401, "not_authenticated")


def test_answer_over_the_limit_is_429_and_stores_nothing(auth_client, user, interview):
    for _ in range(4):
        assert answer(auth_client, interview["id"]).status_code == 201
    before = Message.objects.count()
    response = answer(auth_client, interview["id"])
    assert_error(response, 429, "quota_exceeded")
    assert response["Retry-After"]
    assert Message.objects.count() == before
    assert used_today(user) == 5


def test_answering_a_finished_interview_is_409(auth_client, user, interview):
    assert auth_client.post(f"/api/interviews/{interview['id']}/finish/").status_code == 200
    assert_error(answer(auth_client, interview["id"]), 409, "interview_finished")
    assert used_today(user) == 2


def test_idempotency_key_replays_the_first_result_without_charging(auth_client, user, interview):
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


def test_finish_returns_the_report_and_is_charged_once(auth_client, user, interview):
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
