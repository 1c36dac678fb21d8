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
    assert body["is_public"] is False  # private unless the owner publishes it
    assert body["is_anonymous"] is False
    assert body["message_count"] == 1
    assert body["created_at"].endswith("+09:00")
    [first] = body["messages"]
    assert first["role"] == "assistant"
    assert "First question:" in first["content"]
    assert Message.objects.get(pk=first["id"]).question_id is not None  # asked from the bank
    assert set(first) == {"id", "role", "content", "audio_url", "created_at", "stage", "evaluation"}
    assert (first["stage"], first["evaluation"]) == ("technical", None)
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
    user.daily_chat_limit = 3
    user.save()
    assert start(auth_client, plan={"technical": 1}).status_code == 201
    response = start(auth_client)  # 2 turns left: not even a one-question interview fits
    error = assert_error(response, 429, "quota_exceeded")
    assert error["details"]["limit"] == 3
    assert error["details"]["used"] == 1
    assert error["details"]["turns_needed"] == 3
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


@pytest.mark.parametrize(
    "content",
    [
        "\u200b",  # zero-width space
        " \u200b\u200c\u200d\u2060\ufeff ",  # zero-width (non-)joiners, word joiner, BOM
        "\u00ad\u200e\u200f\u202e",  # soft hyphen, direction marks and overrides
        "\u3164\u3164",  # Hangul filler: a letter that renders as nothing
        "\u2800",  # braille blank
        "\u0301\u0308",  # combining marks with nothing to combine with
        "\x01\x07\x1b\x7f",  # control characters
        "\U000e0041\U000e007f",  # tag characters
        "\ue000",  # private use
    ],
)
def test_an_answer_with_no_visible_character_is_400_and_stores_nothing(
    auth_client, user, interview, content, used_today
):
    error = assert_error(answer(auth_client, interview["id"], content), 400, "validation_error")
    assert "visible" in error["details"]["content"][0]
    assert used_today(user) == 1
    assert Message.objects.count() == 1


@pytest.mark.parametrize("content", ["\u200bok", "네", "42", "?", "\U0001f44d", "e\u0301", " \u3164 x"])
def test_an_answer_with_one_visible_character_is_accepted(auth_client, interview, content):
    response = answer(auth_client, interview["id"], content)
    assert response.status_code == 201, response.content
    assert response.json()["answer"]["content"] == content.strip()


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
    user.daily_chat_limit = 3  # staff lowered it after the start
    user.save()
    for _ in range(2):
        assert answer(auth_client, interview["id"]).status_code == 201
    before = Message.objects.count()
    response = answer(auth_client, interview["id"])
    assert_error(response, 429, "quota_exceeded")
    assert response["Retry-After"]
    assert Message.objects.count() == before
    assert used_today(user) == 3


def test_answering_a_finished_interview_is_409(auth_client, user, interview, used_today):
    assert auth_client.post(f"/api/interviews/{interview['id']}/finish/").status_code == 200
    assert_error(answer(auth_client, interview["id"]), 409, "interview_finished")
    assert used_today(user) == 2


def test_idempotency_key_replays_the_first_result_without_charging(auth_client, user, interview, used_today):
    first = answer(auth_client, interview["id"], "An index.", HTTP_IDEMPOTENCY_KEY="k-1")
    again = answer(auth_client, interview["id"], "  An index.\n", HTTP_IDEMPOTENCY_KEY="k-1")  # same after trimming
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


def test_the_same_idempotency_key_with_another_body_is_422_and_stores_nothing(auth_client, user, interview, used_today):
    first = answer(auth_client, interview["id"], "An index.", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    error = assert_error(
        answer(auth_client, interview["id"], "A different answer.", HTTP_IDEMPOTENCY_KEY="k-1"),
        422,
        "idempotency_key_reused",
    )
    assert "Idempotency-Key" in error["message"]
    assert used_today(user) == 2
    assert Message.objects.count() == 3
    assert not Message.objects.filter(content="A different answer.").exists()
    # The key still replays its own body, and a new key takes the new answer.
    again = answer(auth_client, interview["id"], "An index.", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json()["answer"]["id"] == first.json()["answer"]["id"]
    assert answer(auth_client, interview["id"], "A different answer.", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


def test_a_reused_key_on_a_finished_interview_is_still_422(auth_client, user, interview, used_today):
    answer(auth_client, interview["id"], "An index.", HTTP_IDEMPOTENCY_KEY="k-1")
    auth_client.post(f"/api/interviews/{interview['id']}/finish/")
    assert_error(
        answer(auth_client, interview["id"], "Other.", HTTP_IDEMPOTENCY_KEY="k-1"), 422, "idempotency_key_reused"
    )
    assert used_today(user) == 3


def test_an_answer_keyed_before_fingerprints_existed_replays_with_any_body(auth_client, user, interview, used_today):
    first = answer(auth_client, interview["id"], "An index.", HTTP_IDEMPOTENCY_KEY="old-key")
    Message.objects.filter(idempotency_key="old-key").update(idempotency_fingerprint="")
    again = answer(auth_client, interview["id"], "Whatever the old client sends.", HTTP_IDEMPOTENCY_KEY="old-key")
    assert again.status_code == 201
    assert again.json()["answer"]["id"] == first.json()["answer"]["id"]
    assert used_today(user) == 2


def test_someone_elses_key_with_another_body_is_their_business_not_a_422(client_for, user, other_user, bank):
    # Keys live per interview: the same key on another user's interview is unrelated.
    mine, theirs = client_for(user), client_for(other_user)
    my_interview, their_interview = start(mine).json(), start(theirs).json()
    assert answer(mine, my_interview["id"], "Mine.", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert answer(theirs, their_interview["id"], "Theirs.", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    assert_error(answer(theirs, my_interview["id"], "Mine.", HTTP_IDEMPOTENCY_KEY="shared"), 404, "not_found")


@pytest.mark.parametrize(
    "key",
    ["", " ", "a b", "k\tey", "café", "키", "k\x00", "k\x7f", "k\n", "k" * 256, "\u200bk"],
)
def test_an_idempotency_key_must_be_1_to_255_visible_ascii_characters(auth_client, user, interview, key, used_today):
    error = assert_error(answer(auth_client, interview["id"], HTTP_IDEMPOTENCY_KEY=key), 400, "validation_error")
    assert set(error["details"]) == {"idempotency_key"}
    assert (
        "Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces)." in error["details"]["idempotency_key"]
    )
    assert used_today(user) == 1
    assert Message.objects.count() == 1


@pytest.mark.parametrize("key", ["k", "!~", "k" * 255, "0f8fad5b-d9cb-469f-a165-70867728950e", " padded\t"])
def test_visible_ascii_idempotency_keys_are_accepted(auth_client, interview, key):
    assert answer(auth_client, interview["id"], HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert Message.objects.filter(idempotency_key=key.strip()).exists()


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
