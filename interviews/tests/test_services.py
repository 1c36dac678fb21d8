"""The writes of interviews and messages, and the invariants the database keeps for them."""

import datetime as dt

import pytest
from django.utils import timezone

from interviews.models import Interview, Message
from interviews.services import (
    AnswerPending,
    ReplyRecord,
    answer_claim_reply,
    answer_create,
    answer_release,
    interview_close,
    interview_create,
    interview_delete,
    reply_store,
)
from interviews.tests.factories import InterviewFactory, MessageFactory
from speech.models import AudioClip
from speech.services import clip_for_text

pytestmark = pytest.mark.django_db

REPLY = ReplyRecord(
    content="Good. Next question: what is a covering index?",
    model="m" * 150,  # longer than the column: stored cut, never refused
    question_id=None,
    prompt_tokens=120,
    completion_tokens=30,
    latency_ms=850,
    finish_reason="length",
)


def pending(interview: Interview, content: str = "An answer.", key: str | None = None) -> Message:
    return answer_create(interview=interview, content=content, idempotency_key=key, lease_seconds=60)


def test_an_interview_is_created_with_its_opening_message_and_usage_figures(user):
    interview, first = interview_create(
        owner=user, position="be", topic="  databases ", language="ko", is_public=False, opening=REPLY
    )
    assert (interview.owner, interview.topic, interview.language) == (user, "databases", "ko")
    assert interview.is_public is False
    assert interview.message_count == 1
    first.refresh_from_db()
    assert (first.role, first.interview_id, first.reply_to_id) == ("assistant", interview.pk, None)
    assert (first.prompt_tokens, first.completion_tokens, first.latency_ms) == (120, 30, 850)
    assert first.model == "m" * 100
    assert first.finish_reason == "length"


def test_an_answer_waits_for_its_reply_under_a_lease(user):
    interview = InterviewFactory(owner=user)
    answer = pending(interview)
    answer.refresh_from_db()
    assert answer.awaiting_reply is True
    assert answer.reply_lease_until > timezone.now() + dt.timedelta(seconds=50)


def test_a_second_answer_while_one_waits_is_refused(user):
    interview = InterviewFactory(owner=user)
    pending(interview)
    with pytest.raises(AnswerPending):
        pending(interview, "Another answer.")
    assert Message.objects.filter(interview=interview).count() == 1


def test_an_idempotency_key_is_stored_once_per_interview(user):
    one, two = InterviewFactory(owner=user), InterviewFactory(owner=user)
    first = pending(one, key="k")
    reply_store(interview=one, answer=first, reply=REPLY)
    with pytest.raises(AnswerPending):
        pending(one, key="k")
    assert pending(two, key="k").idempotency_key == "k"  # another interview may reuse the key


def test_a_reply_is_stored_and_the_answer_stops_waiting_together(user):
    interview = InterviewFactory(owner=user)
    answer = pending(interview)
    reply = reply_store(interview=interview, answer=answer, reply=REPLY)
    answer.refresh_from_db()
    assert (answer.awaiting_reply, answer.reply_lease_until) == (False, None)
    assert reply.reply_to_id == answer.pk
    assert pending(interview, "The next answer.").pk  # the conversation can go on


def test_only_one_caller_claims_a_leased_answer_until_the_lease_is_released(user):
    interview = InterviewFactory(owner=user)
    answer = pending(interview)
    assert answer_claim_reply(answer=answer, lease_seconds=60) is False  # the submitter holds it
    answer_release(answer=answer)
    assert answer_claim_reply(answer=answer, lease_seconds=60) is True
    assert answer_claim_reply(answer=answer, lease_seconds=60) is False


def test_an_expired_lease_can_be_claimed(user):
    interview = InterviewFactory(owner=user)
    answer = pending(interview)
    Message.objects.filter(pk=answer.pk).update(reply_lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert answer_claim_reply(answer=answer, lease_seconds=60) is True


def test_an_answered_message_cannot_be_claimed(user):
    interview = InterviewFactory(owner=user)
    answer = pending(interview)
    reply_store(interview=interview, answer=answer, reply=REPLY)
    assert answer_claim_reply(answer=answer, lease_seconds=60) is False


def test_closing_stores_the_report_once_and_stops_a_waiting_answer(user):
    interview = InterviewFactory(owner=user)
    answer = pending(interview)
    report = {"overall": 80, "dimensions": {"correctness": 75, "depth": 75, "communication": 100}}
    assert interview_close(interview=interview, report=report, summary=ReplyRecord(content="Well done.", model="m"))
    assert (interview.status, interview.summary, interview.report["summary"]) == (
        "finished",
        "Well done.",
        "Well done.",
    )
    assert interview.finished_at is not None
    answer.refresh_from_db()
    assert answer.awaiting_reply is False
    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.score_overall, stored.score_correctness, stored.score_communication) == (80, 75, 100)
    assert stored.stage == "closing"
    stale = Interview.objects.get(pk=interview.pk)
    stale.status = "active"  # a concurrent caller's view from before the close
    other = ReplyRecord(content="Another report.", model="m")
    assert interview_close(interview=stale, report={"overall": 1}, summary=other) is False
    assert Interview.objects.get(pk=interview.pk).report["summary"] == "Well done."


# --- Deleting an interview releases the audio only it used --------------------------------------------


def interview_saying(owner, *texts: str) -> Interview:
    """An interview whose interviewer said `texts` (each with its clip), with a candidate answer between."""
    interview = InterviewFactory(owner=owner)
    for text in texts:
        MessageFactory(interview=interview, content=text, audio_clip_id=clip_for_text(text=text, language="en"))
        MessageFactory(interview=interview, role=Message.Role.USER, content="An answer.")
    return interview


def test_deleting_an_interview_releases_the_clips_only_it_used(user, other_user):
    mine = interview_saying(user, "Only in this interview.", "Said to someone else too.")
    theirs = interview_saying(other_user, "Said to someone else too.")
    interview_id = mine.pk
    interview_delete(interview=mine)
    assert not Interview.objects.filter(pk=interview_id).exists()
    assert not Message.objects.filter(interview_id=interview_id).exists()
    assert list(AudioClip.objects.values_list("text", flat=True)) == ["Said to someone else too."]
    kept = Message.objects.get(interview=theirs, role=Message.Role.ASSISTANT)
    assert kept.audio_clip_id == clip_for_text(text="Said to someone else too.", language="en")


def test_a_clip_another_interview_of_the_same_owner_uses_is_kept(user):
    first = interview_saying(user, "Welcome to your mock interview.", "Only in the first interview.")
    interview_saying(user, "Welcome to your mock interview.")
    interview_delete(interview=first)
    assert list(AudioClip.objects.values_list("text", flat=True)) == ["Welcome to your mock interview."]


def test_a_reply_with_the_same_text_stored_during_the_delete_keeps_its_clip_and_audio(user, other_user, monkeypatch):
    from interviews import services

    mine = interview_saying(user, "What is a covering index?")
    key = clip_for_text(text="What is a covering index?", language="en")
    theirs = InterviewFactory(owner=other_user)
    release = services.clip_release

    def reply_stored_meanwhile(**kwargs):
        # Someone else's reply with the same text commits after this interview's keys were read.
        MessageFactory(interview=theirs, content="What is a covering index?", audio_clip_id=key)
        return release(**kwargs)

    monkeypatch.setattr(services, "clip_release", reply_stored_meanwhile)
    interview_delete(interview=mine)
    assert AudioClip.objects.filter(key=key).exists()
    assert Message.objects.get(interview=theirs).audio_clip_id == key  # not nulled by the clip's deletion


def test_a_delete_that_fails_deletes_neither_the_interview_nor_its_clips(user, monkeypatch):
    mine = interview_saying(user, "Tell me about yourself.")
    interview_id = mine.pk

    def storage_down(**kwargs):
        raise RuntimeError("the clip table is unreachable")

    monkeypatch.setattr("interviews.services.clip_release", storage_down)
    with pytest.raises(RuntimeError):
        interview_delete(interview=mine)
    assert Interview.objects.filter(pk=interview_id).exists()
    assert Message.objects.filter(interview_id=interview_id).count() == 2
    assert AudioClip.objects.filter(text="Tell me about yourself.").exists()
