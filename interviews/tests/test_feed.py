"""The public feed: only what owners published and staff did not hide, usernames only, cacheable."""

import feedparser
import pytest

from config.testing import assert_error
from interviews.models import Interview
from interviews.services import interviews_hide
from interviews.tests.factories import InterviewFactory, MessageFactory
from speech.services import clip_for_text

pytestmark = pytest.mark.django_db


def published(owner, **fields) -> Interview:
    interview = InterviewFactory(owner=owner, is_public=True, **fields)
    key = clip_for_text(text=f"Welcome. First question about {interview.topic}?", language=interview.language)
    MessageFactory(interview=interview, content=f"Welcome. First question about {interview.topic}?", audio_clip_id=key)
    MessageFactory(interview=interview, role="user", content="An index is a sorted B-tree over a column.")
    return interview


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# --- what is listed, and who sees what ---


def test_the_feed_lists_public_interviews_newest_first_for_anyone(api_client, user, other_user):
    old = published(user, topic="databases")
    new = published(other_user, topic="react hooks")
    InterviewFactory(owner=user, is_public=False)
    InterviewFactory(owner=user, is_public=True, is_hidden=True)
    response = api_client.get("/api/feed/")
    assert response.status_code == 200
    assert ids(response) == [new.pk, old.pk]
    item = response.json()["results"][0]
    assert item["owner"] == {"username": other_user.username}
    assert item["message_count"] == 2
    assert item["preview"] == "Welcome. First question about react hooks?"
    assert "email" not in str(response.json())
    assert other_user.email not in response.content.decode()


def test_an_anonymous_owner_is_shown_as_anonymous_everywhere_public(api_client, client_for, user, other_user):
    interview = published(user, is_anonymous=True)
    assert api_client.get("/api/feed/").json()["results"][0]["owner"] == {"username": "Anonymous"}
    assert api_client.get(f"/api/feed/{interview.pk}/").json()["owner"] == {"username": "Anonymous"}
    assert client_for(other_user).get(f"/api/interviews/{interview.pk}/").json()["owner"] == {"username": "Anonymous"}
    assert user.username not in api_client.get("/feed.atom").content.decode()
    # The owner still sees their own name on their own interview.
    assert client_for(user).get(f"/api/interviews/{interview.pk}/").json()["owner"] == {"username": user.username}


def test_filters_by_position_and_language(api_client, user):
    backend = published(user, position="be", language="en")
    korean = published(user, position="fe", language="ko")
    assert ids(api_client.get("/api/feed/?position=be")) == [backend.pk]
    assert ids(api_client.get("/api/feed/?language=ko")) == [korean.pk]
    assert ids(api_client.get("/api/feed/?position=be&language=ko")) == []
    assert_error(api_client.get("/api/feed/?position=chef"), 400, "validation_error")


def test_search_finds_topic_and_transcript_words_including_prefixes_of_korean_words(api_client, user):
    by_topic = published(user, topic="Kubernetes operators")
    by_answer = published(user, topic="databases")
    korean = InterviewFactory(owner=user, is_public=True, language="ko", topic="백엔드")
    MessageFactory(interview=korean, role="user", content="인덱스를 사용하면 조회가 빨라집니다.")
    hidden = published(user, topic="Kubernetes secrets")
    Interview.objects.filter(pk=hidden.pk).update(is_hidden=True)
    private = InterviewFactory(owner=user, is_public=False, topic="Kubernetes private")
    MessageFactory(interview=private, content="kubernetes")
    assert ids(api_client.get("/api/feed/?q=kubernetes")) == [by_topic.pk]
    assert set(ids(api_client.get("/api/feed/?q=sorted b-tree"))) >= {by_answer.pk}
    assert ids(api_client.get("/api/feed/?q=인덱스")) == [korean.pk]
    assert ids(api_client.get("/api/feed/?q=nothing-like-this")) == []
    assert api_client.get("/api/feed/?q=%27%3B%20DROP%20TABLE%20x%3B%20--%20%26%7C%21").status_code == 200


def test_the_detail_has_the_whole_transcript_with_audio_urls(api_client, user):
    interview = published(user, topic="caching")
    response = api_client.get(f"/api/feed/{interview.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert [m["role"] for m in body["messages"]] == ["assistant", "user"]
    assert body["messages"][0]["audio_url"].startswith("http://testserver/api/audio/")
    assert body["messages"][1]["audio_url"] is None
    assert body["owner"] == {"username": user.username}


def test_private_hidden_and_missing_interviews_are_404_in_the_feed(api_client, user):
    private = InterviewFactory(owner=user, is_public=False)
    hidden = InterviewFactory(owner=user, is_public=True, is_hidden=True)
    for interview_id in (private.pk, hidden.pk, 999999):
        assert_error(api_client.get(f"/api/feed/{interview_id}/"), 404, "not_found")


def test_the_feed_is_read_only(api_client, auth_client, user):
    interview = published(user)
    for client in (api_client, auth_client):
        for method in ("post", "put", "patch", "delete"):
            assert_error(getattr(client, method)("/api/feed/"), 405, "method_not_allowed")
            assert_error(getattr(client, method)(f"/api/feed/{interview.pk}/"), 405, "method_not_allowed")
    assert api_client.post("/feed.atom").status_code == 405


def test_a_long_opening_is_cut_at_a_word_with_an_ellipsis(api_client, user):
    interview = InterviewFactory(owner=user, is_public=True)
    MessageFactory(interview=interview, content="Welcome.\n\n" + "word " * 100)
    preview = api_client.get("/api/feed/").json()["results"][0]["preview"]
    assert preview.endswith("word…")
    assert len(preview) <= 201
    assert "\n" not in preview


def test_out_of_range_pages_are_404(api_client, user):
    published(user)
    assert_error(api_client.get("/api/feed/?page=5"), 404, "not_found")


# --- privacy by choice ---


def test_new_interviews_are_private_unless_published(auth_client, api_client, bank):
    private = auth_client.post("/api/interviews/", {"position": "be"}, format="json").json()
    public = auth_client.post("/api/interviews/", {"position": "be", "is_public": True}, format="json").json()
    assert (private["is_public"], public["is_public"]) == (False, True)
    assert ids(api_client.get("/api/feed/")) == [public["id"]]
    assert_error(api_client.get(f"/api/interviews/{private['id']}/"), 404, "not_found")
    assert_error(api_client.get(f"/api/interviews/{private['id']}/messages/"), 404, "not_found")


def test_a_deployment_may_publish_by_default(auth_client, api_client, bank, settings):
    settings.INTERVIEWS_PUBLIC_BY_DEFAULT = True
    started = auth_client.post("/api/interviews/", {"position": "ai"}, format="json").json()
    assert started["is_public"] is True
    assert ids(api_client.get("/api/feed/")) == [started["id"]]
    withdrawn = auth_client.post("/api/interviews/", {"position": "ai", "is_public": False}, format="json").json()
    assert withdrawn["is_public"] is False


def test_the_owner_publishes_withdraws_and_anonymises_by_patch(auth_client, client_for, api_client, user, other_user):
    interview = published(user)
    Interview.objects.filter(pk=interview.pk).update(is_public=False)
    assert ids(api_client.get("/api/feed/")) == []
    assert auth_client.patch(f"/api/interviews/{interview.pk}/", {"is_public": True}, format="json").status_code == 200
    assert ids(api_client.get("/api/feed/")) == [interview.pk]
    body = auth_client.patch(f"/api/interviews/{interview.pk}/", {"is_anonymous": True}, format="json").json()
    assert body["is_anonymous"] is True
    assert api_client.get("/api/feed/").json()["results"][0]["owner"] == {"username": "Anonymous"}
    someone_else = client_for(other_user).patch(f"/api/interviews/{interview.pk}/", {"is_public": False}, format="json")
    assert_error(someone_else, 404, "not_found")
    assert Interview.objects.get(pk=interview.pk).is_public is True


# --- moderation reaches the feed at once ---


def test_a_hidden_interview_leaves_the_feed_and_atom_at_once_with_no_stale_304(api_client, user, other_user):
    interview = published(user, topic="to be hidden")
    first = api_client.get("/api/feed/")
    atom = api_client.get("/feed.atom")
    assert ids(first) == [interview.pk]
    interviews_hide(interviews=Interview.objects.filter(pk=interview.pk), by=other_user, reason="Spam.")
    again = api_client.get("/api/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert ids(again) == []
    atom_again = api_client.get("/feed.atom", HTTP_IF_NONE_MATCH=atom["ETag"])
    assert atom_again.status_code == 200
    assert feedparser.parse(atom_again.content).entries == []
    assert_error(api_client.get(f"/api/feed/{interview.pk}/"), 404, "not_found")


# --- caching ---


def test_a_repeat_read_is_a_304_and_any_change_makes_it_a_200(api_client, user):
    interview = published(user)
    first = api_client.get("/api/feed/")
    assert first["ETag"]
    assert first["Last-Modified"]
    assert api_client.get("/api/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api_client.get("/api/feed/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api_client.get("/api/feed/?page_size=1", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    MessageFactory(interview=interview, content="A new message.")
    assert api_client.get("/api/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    detail = api_client.get(f"/api/feed/{interview.pk}/")
    assert api_client.get(f"/api/feed/{interview.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    atom = api_client.get("/feed.atom")
    assert api_client.get("/feed.atom", HTTP_IF_NONE_MATCH=atom["ETag"]).status_code == 304
    interview.delete()
    assert api_client.get("/api/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize("page_size", [1, 10, 50])
def test_the_query_count_per_page_does_not_grow_with_the_page_size(
    api_client, user, other_user, django_assert_num_queries, page_size
):
    for n in range(60):
        published(user if n % 2 else other_user, topic=f"topic {n}", is_anonymous=n % 3 == 0)
    # The version aggregate, the page count, the page itself: whatever the page size.
    with django_assert_num_queries(3):
        response = api_client.get(f"/api/feed/?page_size={page_size}&q=topic")
    assert len(response.json()["results"]) == page_size


# --- Atom ---


def test_the_atom_feed_is_valid_with_absolute_links_and_public_names_only(api_client, user, other_user):
    shown = published(user, topic="system design")
    published(other_user, topic="incognito", is_anonymous=True)
    InterviewFactory(owner=user, is_public=False, topic="private-topic")
    response = api_client.get("/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.link.startswith("http://testserver/")
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Backend engineer interview: incognito", "Backend engineer interview: system design"]
    assert [entry.author for entry in feed.entries] == ["Anonymous", user.username]
    assert feed.entries[1].link == f"http://testserver/api/feed/{shown.pk}/"
    assert all(entry.link.startswith("http://testserver/") for entry in feed.entries)
    text = response.content.decode()
    assert "private-topic" not in text
    assert user.email not in text
    assert other_user.username not in text


def test_on_postgresql_the_search_expression_is_served_by_the_gin_index(user):
    from django.contrib.postgres.search import SearchQuery, SearchVector
    from django.db import connection

    from interviews.models import Message

    if connection.vendor != "postgresql":
        pytest.skip("the full-text index exists on PostgreSQL only (SQLite scans)")
    published(user, topic="databases")
    # The same expression as the feed's search (interviews.selectors._search).
    query = SearchQuery("sorted:* & index:*", config="simple", search_type="raw")
    matching = Message.objects.annotate(found=SearchVector("content", config="simple")).filter(found=query)
    with connection.cursor() as cursor:
        # With a handful of rows any scan is cheaper; forbid them so the plan shows the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = matching.explain()
    assert "message_content_search_idx" in plan
