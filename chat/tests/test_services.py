"""The turn services in one straight line: quota, storage, provider, speech. Called directly, with the
offline practice interviewer or the fake OpenAI server at the provider's HTTP seam."""

import pytest

from accounts.selectors import quota_status
from accounts.services import QuotaExceeded
from chat import services
from chat.services import (
    IdempotencyKeyReused,
    InterviewFinished,
    LLMFailure,
    NothingToRetry,
    ReplyInProgress,
    answer_retry,
    answer_submit,
    interview_finish,
    interview_start,
)
from config.errors import NotFoundError
from interviews.models import Interview, Message
from interviews.services import AnswerPending, ReplyRecord, answer_claim_reply
from speech.models import AudioClip

pytestmark = pytest.mark.django_db


def start(user, **overrides):
    return interview_start(
        user=user, **{"position": "be", "topic": "databases", "language": "en", "is_public": False, **overrides}
    )


def test_start_stores_the_interview_its_first_question_and_a_pending_clip(user, bank):
    result = start(user)
    [first] = result.messages
    assert result.quota.used == 1
    assert Interview.objects.get().owner == user
    stored = Message.objects.get()
    assert stored == first
    assert stored.question_id is not None
    assert stored.model == "practice-v2"
    assert AudioClip.objects.get(key=stored.audio_clip_id).status == "pending"


def test_start_refused_by_the_quota_stores_nothing(user, bank):
    user.daily_chat_limit = 0
    user.save()
    with pytest.raises(QuotaExceeded):
        start(user)
    assert not Interview.objects.exists()


def test_start_failing_at_the_llm_stores_nothing_and_refunds(user, bank, fake_llm):
    fake_llm.fail_next("500")
    with pytest.raises(LLMFailure) as info:
        start(user)
    assert info.value.status_code == 503
    assert info.value.details == {"retryable": True}
    assert not Interview.objects.exists()
    assert quota_status(user=user).used == 0


def test_an_answer_is_stored_with_its_reply_and_charged_once(user, bank):
    interview = start(user).interview
    turn = answer_submit(user=user, interview_id=interview.pk, content="A B-tree keeps keys sorted.")
    assert turn.quota.used == 2
    assert turn.replayed is False
    assert turn.answer.awaiting_reply is False
    assert Message.objects.get(pk=turn.reply.pk).reply_to_id == turn.answer.pk
    assert quota_status(user=user).used == 2


def test_someone_else_cannot_answer(user, other_user, bank):
    interview = start(user).interview
    with pytest.raises(NotFoundError):
        answer_submit(user=other_user, interview_id=interview.pk, content="Mine now.")
    assert Message.objects.count() == 1
    assert quota_status(user=other_user).used == 0


def test_an_llm_failure_keeps_the_answer_waiting_unleased_and_refunds(user, bank, fake_llm):
    interview = start(user).interview
    fake_llm.fail_next("timeout")
    with pytest.raises(LLMFailure) as info:
        answer_submit(user=user, interview_id=interview.pk, content="Kept whatever happens.")
    assert info.value.status_code == 504
    answer = Message.objects.get(role="user")
    assert (answer.content, answer.awaiting_reply, answer.reply_lease_until) == ("Kept whatever happens.", True, None)
    assert quota_status(user=user).used == 1
    with pytest.raises(AnswerPending):
        answer_submit(user=user, interview_id=interview.pk, content="A second answer must wait.")
    turn = answer_retry(user=user, interview_id=interview.pk)
    assert turn.answer == answer
    assert quota_status(user=user).used == 2


def test_retry_while_another_request_produces_the_reply_is_409(user, bank, fake_llm):
    interview = start(user).interview
    fake_llm.fail_next("500")
    with pytest.raises(LLMFailure):
        answer_submit(user=user, interview_id=interview.pk, content="An answer.")
    assert answer_claim_reply(answer=Message.objects.get(role="user"), lease_seconds=60)  # someone else's retry
    with pytest.raises(ReplyInProgress):
        answer_retry(user=user, interview_id=interview.pk)
    assert quota_status(user=user).used == 1


def test_retry_over_the_quota_frees_the_answer_for_a_later_retry(user, bank, fake_llm):
    interview = start(user).interview
    fake_llm.fail_next("500")
    with pytest.raises(LLMFailure):
        answer_submit(user=user, interview_id=interview.pk, content="An answer.")
    user.daily_chat_limit = 1
    user.save()
    with pytest.raises(QuotaExceeded):
        answer_retry(user=user, interview_id=interview.pk)
    assert Message.objects.get(role="user").reply_lease_until is None  # not stuck until the lease expires
    user.daily_chat_limit = 2
    user.save()
    assert answer_retry(user=user, interview_id=interview.pk).reply.role == "assistant"
    assert quota_status(user=user).used == 2


def test_retry_without_a_waiting_answer_is_refused(user, bank):
    interview = start(user).interview
    with pytest.raises(NothingToRetry):
        answer_retry(user=user, interview_id=interview.pk)


def test_a_repeated_idempotency_key_replays_without_charging(user, bank):
    interview = start(user).interview
    first = answer_submit(user=user, interview_id=interview.pk, content="Indexes.", idempotency_key="k")
    again = answer_submit(user=user, interview_id=interview.pk, content="Indexes.", idempotency_key="k")
    assert again.replayed is True
    assert (again.answer.pk, again.reply.pk) == (first.answer.pk, first.reply.pk)
    assert quota_status(user=user).used == 2


def test_a_repeated_idempotency_key_with_another_body_is_refused_uncharged(user, bank):
    interview = start(user).interview
    first = answer_submit(user=user, interview_id=interview.pk, content="Indexes.", idempotency_key="k")
    assert len(first.answer.idempotency_fingerprint) == 64
    with pytest.raises(IdempotencyKeyReused) as info:
        answer_submit(user=user, interview_id=interview.pk, content="Something else.", idempotency_key="k")
    assert (info.value.status_code, info.value.code) == (422, "idempotency_key_reused")
    assert quota_status(user=user).used == 2
    assert Message.objects.count() == 3


def _race_with(monkeypatch, *, content: str) -> None:
    """Make the next answer_create lose to a concurrent request that stored `content` under key "k"
    (and got its reply) just after this request looked the key up."""
    real_create = services.answer_create

    def create_after_a_concurrent_request(**kwargs):
        monkeypatch.setattr(services, "answer_create", real_create)
        interview = kwargs["interview"]
        other = answer_submit(user=interview.owner, interview_id=interview.pk, content=content, idempotency_key="k")
        assert other.replayed is False
        return real_create(**kwargs)

    monkeypatch.setattr(services, "answer_create", create_after_a_concurrent_request)


def test_losing_the_race_to_the_same_key_and_body_replays_its_result(user, bank, monkeypatch):
    interview = start(user).interview
    _race_with(monkeypatch, content="Indexes.")
    result = answer_submit(user=user, interview_id=interview.pk, content="Indexes.", idempotency_key="k")
    assert result.replayed is True
    assert result.answer == Message.objects.get(idempotency_key="k")
    assert quota_status(user=user).used == 2  # the start and the concurrent request's turn
    assert Message.objects.count() == 3


def test_losing_the_race_to_the_same_key_with_another_body_is_refused_uncharged(user, bank, monkeypatch):
    interview = start(user).interview
    _race_with(monkeypatch, content="The concurrent request's answer.")
    with pytest.raises(IdempotencyKeyReused):
        answer_submit(user=user, interview_id=interview.pk, content="Indexes.", idempotency_key="k")
    assert quota_status(user=user).used == 2
    assert not Message.objects.filter(content="Indexes.").exists()
    assert Message.objects.count() == 3


def test_finish_stores_the_report_charges_once_and_closes_the_interview(user, bank):
    interview = start(user).interview
    answer_submit(user=user, interview_id=interview.pk, content="A B-tree index speeds up lookups.")
    result = interview_finish(user=user, interview_id=interview.pk)
    assert result.interview.status == "finished"
    assert result.report == Interview.objects.get().report != ""
    assert result.quota.used == 3
    again = interview_finish(user=user, interview_id=interview.pk)
    assert again.report == result.report
    assert quota_status(user=user).used == 3
    with pytest.raises(InterviewFinished):
        answer_submit(user=user, interview_id=interview.pk, content="Too late.")


def test_a_finish_that_loses_to_a_concurrent_finish_hands_its_unit_back(user, bank, monkeypatch):
    interview = start(user).interview
    real_close = services.interview_close

    def close_after_a_concurrent_finish(*, interview, report, summary):
        other = ReplyRecord(content="The other request's report.", model="practice-v2")
        assert real_close(interview=Interview.objects.get(pk=interview.pk), report=report, summary=other)
        return real_close(interview=interview, report=report, summary=summary)

    monkeypatch.setattr(services, "interview_close", close_after_a_concurrent_finish)
    result = interview_finish(user=user, interview_id=interview.pk)
    assert result.report["summary"] == "The other request's report."
    assert quota_status(user=user).used == 1  # the start; the concurrent finish was charged by its own request


def test_a_reply_ready_after_a_concurrent_finish_is_dropped_and_its_unit_refunded(user, bank, monkeypatch):
    from chat.providers.practice import PracticeProvider
    from interviews.models import Evaluation
    from interviews.services import InterviewClosed

    interview = start(user).interview
    practice = PracticeProvider()

    class FinishedWhileThinking:
        name = "practice"

        def react(self, context, on_text=None):
            # Another request finishes the interview while this reply is being produced.
            monkeypatch.setattr(services, "get_provider", lambda: practice)
            interview_finish(user=user, interview_id=interview.pk)
            return practice.react(context)

    monkeypatch.setattr(services, "get_provider", lambda: FinishedWhileThinking())
    with pytest.raises(InterviewClosed):
        answer_submit(user=user, interview_id=interview.pk, content="A B-tree keeps keys sorted.")

    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.status, stored.stage, stored.asked) == ("finished", "closing", 1)
    assert Message.objects.filter(interview=stored, role="assistant").count() == 1  # the opening only
    assert not Evaluation.objects.exists()
    assert stored.report["answered"] == 0
    assert quota_status(user=user).used == 2  # the start and the finish; the dropped reply was refunded
