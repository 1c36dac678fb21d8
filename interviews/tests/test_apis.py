"""Interview reads and owner edits: list, detail, messages, PATCH, DELETE."""

import pytest

from accounts.services import quota_reserve
from config.testing import assert_error
from interviews.models import Interview, Message
from interviews.tests.factories import InterviewFactory, MessageFactory

pytestmark = pytest.mark.django_db


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
        auth_client.patch(f"/api/interviews/{interview.id}/", {"is_public": "maybe"}, format="json"),
        400,
        "validation_error",
    )
    assert "is_public" in error["details"]


def test_patch_with_an_empty_body_changes_nothing(auth_client, user):
    interview = InterviewFactory(owner=user, is_public=True)
    response = auth_client.patch(f"/api/interviews/{interview.id}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["is_public"] is True


@pytest.mark.parametrize("body", [{}, None])
def test_an_empty_patch_is_a_no_op_that_moves_nothing(auth_client, client_for, other_user, user, body):
    interview = InterviewFactory(owner=user, is_public=True, is_anonymous=True)
    before = Interview.objects.get(pk=interview.pk).updated_at
    url = f"/api/interviews/{interview.id}/"
    response = auth_client.patch(url, body, format="json") if body is not None else auth_client.patch(url)
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["is_public"], response.json()["is_anonymous"]) == (
        interview.id,
        True,
        True,
    )
    assert Interview.objects.get(pk=interview.pk).updated_at == before  # the feed's ETag does not move
    assert_error(client_for(other_user).patch(url, body, format="json"), 404, "not_found")


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


def test_owner_deletes_interview_with_its_messages_and_spent_quota_stays(auth_client, user, used_today):
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
