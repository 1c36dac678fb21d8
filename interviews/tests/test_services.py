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
    reply_store,
)
from interviews.tests.factories import InterviewFactory

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
    assert interview_close(interview=interview, report="Well done.") is True
    assert (interview.status, interview.report) == ("finished", "Well done.")
    assert interview.finished_at is not None
    answer.refresh_from_db()
    assert answer.awaiting_reply is False
    stale = Interview.objects.get(pk=interview.pk)
    stale.status = "active"  # a concurrent caller's view from before the close
    assert interview_close(interview=stale, report="Another report.") is False
    assert Interview.objects.get(pk=interview.pk).report == "Well done."
