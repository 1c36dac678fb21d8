"""Staff run the service from the admin: every page renders with real data, transcripts are read-only,
moderation is recorded, usage and cost add up; nobody else gets in."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from interviews.bank import question_load_bank
from interviews.models import Interview, Message, Question
from interviews.tests.factories import InterviewFactory, MessageFactory
from speech.models import AudioClip
from speech.services import clip_for_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


@pytest.fixture
def transcript(user):
    interview = InterviewFactory(owner=user, is_public=True, topic="databases")
    key = clip_for_text(text="What is an index?", language="en")
    first = MessageFactory(
        interview=interview, content="What is an index?", audio_clip_id=key, model="gpt-4o-mini", prompt_tokens=1000
    )
    answer = MessageFactory(interview=interview, role="user", content="A sorted structure.")
    MessageFactory(interview=interview, content="Good.", reply_to=answer, model="gpt-4o-mini", completion_tokens=500)
    return interview, first


def test_someone_without_staff_status_cannot_enter_the_admin(client, user):
    client.force_login(user)
    for page in ("/admin/", "/admin/interviews/interview/", "/admin/interviews/interview/usage/"):
        response = client.get(page)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert "/admin/login/" in client.get("/admin/interviews/interview/usage/")["Location"]


def test_every_interview_page_renders_with_real_data(staff, transcript):
    interview, first = transcript
    listing = staff.get("/admin/interviews/interview/")
    assert listing.status_code == 200
    assert b"databases" in listing.content
    assert b'id="public-now">1<' in listing.content
    page = staff.get(f"/admin/interviews/interview/{interview.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<audio controls preload="none" src="/api/audio/{first.audio_clip_id}.mp3">' in html
    assert "A sorted structure." in html
    for url in ("/admin/interviews/message/", f"/admin/interviews/message/{first.pk}/change/"):
        assert staff.get(url).status_code == 200


def test_transcripts_are_read_only_for_staff(staff, transcript):
    interview, first = transcript
    assert staff.get("/admin/interviews/interview/add/").status_code == 403
    assert staff.get("/admin/interviews/message/add/").status_code == 403
    staff.post(f"/admin/interviews/message/{first.pk}/change/", {"content": "Rewritten history."})
    assert Message.objects.get(pk=first.pk).content == "What is an index?"
    form = {
        "status": "finished",
        "topic": "changed",
        "is_hidden": "",
        "hidden_reason": "",
        "messages-TOTAL_FORMS": "0",
        "messages-INITIAL_FORMS": "0",
    }
    staff.post(f"/admin/interviews/interview/{interview.pk}/change/", form)
    interview.refresh_from_db()
    assert (interview.status, interview.topic) == ("active", "databases")


def test_hiding_one_interview_records_who_when_and_why(staff, transcript):
    interview, _ = transcript
    form = {"is_hidden": "on", "hidden_reason": "Personal data in an answer.", "messages-TOTAL_FORMS": "3"}
    form |= {"messages-INITIAL_FORMS": "3", "messages-MIN_NUM_FORMS": "0", "messages-MAX_NUM_FORMS": "1000"}
    for index, message in enumerate(interview.messages.order_by("created_at", "id")):
        form |= {f"messages-{index}-id": str(message.pk), f"messages-{index}-interview": str(interview.pk)}
    response = staff.post(f"/admin/interviews/interview/{interview.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    interview.refresh_from_db()
    assert interview.is_hidden is True
    assert interview.hidden_reason == "Personal data in an answer."
    assert interview.hidden_by == staff.admin
    assert interview.hidden_at is not None
    page = staff.get(f"/admin/interviews/interview/{interview.pk}/change/").content.decode()
    assert "Personal data in an answer." in page


def test_bulk_hide_asks_for_a_reason_then_hides_and_unhide_restores(staff, user):
    public = [InterviewFactory(owner=user, is_public=True) for _ in range(2)]
    ids = [str(i.pk) for i in public]
    ask = staff.post("/admin/interviews/interview/", {"action": "hide", "_selected_action": ids})
    assert ask.status_code == 200
    assert b"Hide from the public" in ask.content
    assert not Interview.objects.filter(is_hidden=True).exists()
    done = staff.post(
        "/admin/interviews/interview/", {"action": "hide", "_selected_action": ids, "reason": "Spam."}, follow=True
    )
    assert b"2 interview(s) hidden" in done.content
    assert set(Interview.objects.filter(is_hidden=True).values_list("hidden_reason", flat=True)) == {"Spam."}
    staff.post("/admin/interviews/interview/", {"action": "unhide", "_selected_action": ids})
    assert not Interview.objects.filter(is_hidden=True).exists()


def test_the_public_now_filter_lists_what_the_feed_shows(staff, user):
    shown = InterviewFactory(owner=user, is_public=True, topic="shown-topic")
    InterviewFactory(owner=user, is_public=True, is_hidden=True, topic="hidden-topic")
    InterviewFactory(owner=user, is_public=False, topic="private-topic")
    page = staff.get("/admin/interviews/interview/?public_now=yes").content.decode()
    assert "shown-topic" in page
    assert "hidden-topic" not in page
    assert "private-topic" not in page
    assert shown.topic in page


def test_usage_and_cost_per_day_model_and_user_from_stored_figures(staff, transcript, settings, other_user):
    settings.LLM_PRICES = {"gpt-4o-mini": [0.15, 0.60]}
    interview, _ = transcript
    MessageFactory(interview=InterviewFactory(owner=other_user), model="local-llama", prompt_tokens=10)
    Interview.objects.filter(pk=interview.pk).update(
        status="finished",
        finished_at=timezone.now(),
        report_model="gpt-4o-mini-2024-07-18",
        report_prompt_tokens=2000,
        report_completion_tokens=1000,
    )
    AudioClip.objects.filter(key=transcript[1].audio_clip_id).update(
        status="ready", engine_used="espeak", duration=2.5, size=4000, is_fallback=True
    )
    page = staff.get("/admin/interviews/interview/usage/")
    assert page.status_code == 200
    by_day = {row.key[1]: row for row in page.context["by_day"]}
    mini = by_day["gpt-4o-mini"]
    assert (mini.turns, mini.prompt_tokens, mini.completion_tokens) == (2, 1000, 500)
    assert mini.cost == pytest.approx((1000 * 0.15 + 500 * 0.60) / 1_000_000)
    report = by_day["gpt-4o-mini-2024-07-18"]  # priced by the longest matching prefix
    assert report.cost == pytest.approx((2000 * 0.15 + 1000 * 0.60) / 1_000_000)
    assert by_day["local-llama"].unpriced_turns == 1
    users = {row.key[0]: row for row in page.context["by_user"]}
    assert users[interview.owner.username].turns == 3
    assert users[other_user.username].turns == 1
    assert page.context["clips"] == [
        {"engine_used": "espeak", "clips": 1, "seconds": 2.5, "bytes": 4000, "fallbacks": 1}
    ]
    assert b"gpt-4o-mini" in page.content


def test_usage_leaves_out_turns_older_than_thirty_days(staff, user):
    old = MessageFactory(interview=InterviewFactory(owner=user), model="gpt-4o", prompt_tokens=5)
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    page = staff.get("/admin/interviews/interview/usage/")
    assert page.context["by_day"] == []


def test_usage_needs_a_fixed_number_of_queries_however_many_turns(staff, user, django_assert_max_num_queries):
    for n in range(30):
        MessageFactory(interview=InterviewFactory(owner=UserFactory()), model=f"model-{n % 3}", prompt_tokens=n)
    with django_assert_max_num_queries(12):
        assert staff.get("/admin/interviews/interview/usage/").status_code == 200


def test_bank_questions_show_how_often_they_were_asked_and_edit_key_points_as_text(staff, user):
    question_load_bank()
    question = Question.objects.filter(language="en").order_by("id").first()
    for _ in range(3):
        MessageFactory(interview=InterviewFactory(owner=user), question=question)
    listing = staff.get("/admin/interviews/question/?o=-7").content.decode()
    assert listing.count('class="field-times_asked">3<') == 1
    page = staff.get(f"/admin/interviews/question/{question.pk}/change/").content.decode()
    first = question.key_points[0]
    assert f"{first['text']} | {', '.join(first['keywords'])}" in page
    assert '"keywords"' not in page  # not raw JSON
    form = {
        "position": question.position,
        "language": question.language,
        "topic": question.topic,
        "question": question.question,
        "model_answer": question.model_answer,
        "key_points": (
            "Uses a B-tree | b-tree, balanced\nSpeeds up reads | lookup, faster | quicker reads | Why is it quick?"
        ),
        "source": question.source,
    }
    assert staff.post(f"/admin/interviews/question/{question.pk}/change/", form).status_code == 302
    question.refresh_from_db()
    assert question.key_points == [
        {"text": "Uses a B-tree", "keywords": ["b-tree", "balanced"]},
        {
            "text": "Speeds up reads",
            "keywords": ["lookup", "faster"],
            "synonyms": ["quicker reads"],
            "probe": "Why is it quick?",
        },
    ]
    bad = staff.post(f"/admin/interviews/question/{question.pk}/change/", {**form, "key_points": "no keywords"})
    assert bad.status_code == 200
    assert b"Line 1" in bad.content


def test_a_user_links_to_their_interviews_and_only_theirs(staff, user, other_user):
    mine = InterviewFactory(owner=user, topic="mine-topic")
    InterviewFactory(owner=other_user, topic="theirs-topic")
    listing = staff.get("/admin/accounts/user/").content.decode()
    link = f"/admin/interviews/interview/?owner__id__exact={user.pk}"
    assert link in listing.replace("&amp;", "&")
    assert link in staff.get(f"/admin/accounts/user/{user.pk}/change/").content.decode().replace("&amp;", "&")
    page = staff.get(link)
    assert page.status_code == 200
    assert "mine-topic" in page.content.decode()
    assert "theirs-topic" not in page.content.decode()
    assert mine.topic in page.content.decode()
