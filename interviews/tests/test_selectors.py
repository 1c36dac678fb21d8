"""The reads that the interviewer builds its context from."""

import pytest

from config.errors import NotFoundError
from interviews.models import Question
from interviews.selectors import (
    answer_get_by_idempotency_key,
    answer_pending,
    interview_get_for_owner,
    interview_latest_active,
    question_list_ranked,
    reply_for_answer,
    transcript,
)
from interviews.tests.factories import InterviewFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_someone_elses_interview_is_not_found_for_the_owner_selector(user, other_user):
    interview = InterviewFactory(owner=other_user, is_public=True)
    with pytest.raises(NotFoundError):
        interview_get_for_owner(user=user, interview_id=interview.pk)


def test_the_transcript_is_oldest_first_with_the_asked_question(user):
    interview = InterviewFactory(owner=user)
    question = Question.objects.create(position="be", language="en", question="What is an index?")
    MessageFactory(interview=interview, role="assistant", content="Q1", question=question)
    MessageFactory(interview=interview, role="user", content="A1")
    MessageFactory(interview=InterviewFactory(owner=user), content="another interview")
    entries = transcript(interview=interview)
    assert [(e.role, e.content, e.question_id) for e in entries] == [
        ("assistant", "Q1", question.pk),
        ("user", "A1", None),
    ]


def test_pending_answer_idempotency_key_and_reply_lookups(user):
    interview = InterviewFactory(owner=user)
    answered = MessageFactory(interview=interview, role="user", idempotency_key="k1")
    reply = MessageFactory(interview=interview, role="assistant", reply_to=answered)
    waiting = MessageFactory(interview=interview, role="user", awaiting_reply=True)
    assert answer_pending(interview=interview) == waiting
    assert answer_get_by_idempotency_key(interview=interview, key="k1") == answered
    assert answer_get_by_idempotency_key(interview=InterviewFactory(owner=user), key="k1") is None
    assert reply_for_answer(answer=answered) == reply
    assert reply_for_answer(answer=waiting) is None


def test_the_latest_active_interview_skips_finished_ones_and_other_users(user, other_user):
    older = InterviewFactory(owner=user)
    InterviewFactory(owner=user, status="finished")
    InterviewFactory(owner=other_user)
    assert interview_latest_active(user=user) == older


def test_ranked_questions_put_topic_matches_first_and_are_stable_per_seed(bank):
    ranked = question_list_ranked(position="be", topic="caching", language="en", seed=7)
    assert ranked, "the bank has backend questions"
    assert {q.position for q in ranked} == {"be"}
    assert {q.language for q in ranked} == {"en"}
    assert "cach" in f"{ranked[0].topic} {ranked[0].question}".lower()
    again = question_list_ranked(position="be", topic="caching", language="en", seed=7)
    assert [q.pk for q in again] == [q.pk for q in ranked]
    other_seed = question_list_ranked(position="be", topic="", language="en", seed=8)
    same_seed = question_list_ranked(position="be", topic="", language="en", seed=7)
    assert [q.pk for q in other_seed] != [q.pk for q in same_seed]  # two interviews walk the bank differently
