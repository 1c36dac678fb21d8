"""A worker killed in the middle of a turn: the answer is kept and retryable, and the candidate is
never charged for the turn they did not get (the unit its dead producer held is given back).

A kill is simulated by what it leaves behind: a turn begun (answer stored, unit charged, lease taken)
and never completed. The real SIGKILL under gunicorn: test_reconcile_server.py."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.selectors import quota_status
from chat.services import answer_begin, turn_orphans_reconcile
from config.testing import assert_error
from interviews.models import Message

pytestmark = pytest.mark.django_db


def start(client, **body) -> dict:
    body.setdefault("position", "be")
    response = client.post("/api/interviews/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def killed_mid_turn(user, interview_id: int) -> Message:
    """What a worker killed after storing the answer and charging the unit leaves behind."""
    answer_begin(user=user, interview_id=interview_id, content="A B-tree keeps keys sorted.")
    answer = Message.objects.get(interview_id=interview_id, role="user", awaiting_reply=True)
    assert answer.charged_on is not None
    return answer


def after_the_lease(settings):
    return time_machine.travel(timezone.now() + dt.timedelta(seconds=settings.CHAT_REPLY_LEASE_SECONDS + 1))


def test_a_retry_after_the_lease_gives_back_the_dead_turns_unit_then_charges_the_retry_once(
    auth_client, user, bank, used_today, settings
):
    interview = start(auth_client)
    answer = killed_mid_turn(user, interview["id"])
    assert used_today(user) == 2  # the start and the dead turn

    # While the lease runs, the dead producer might still be alive: no retry yet.
    assert_error(auth_client.post(f"/api/interviews/{interview['id']}/retry/"), 409, "reply_in_progress")
    with after_the_lease(settings):
        retried = auth_client.post(f"/api/interviews/{interview['id']}/retry/")
        assert retried.status_code == 201, retried.content
    assert retried.json()["answer"]["id"] == answer.pk
    assert used_today(user) == 2  # the start and the one turn delivered
    answer.refresh_from_db()
    assert (answer.awaiting_reply, answer.charged_on) == (False, None)


def test_reconcile_turns_gives_back_units_of_candidates_who_never_retry(auth_client, user, bank, used_today, settings):
    interview = start(auth_client)
    answer = killed_mid_turn(user, interview["id"])

    call_command("reconcile_turns")
    assert used_today(user) == 2  # the lease has not run out: the producer may be alive

    with after_the_lease(settings):
        call_command("reconcile_turns")
        call_command("reconcile_turns")  # twice: given back once
    assert used_today(user) == 1
    answer.refresh_from_db()
    assert answer.awaiting_reply  # kept, and retryable
    assert answer.charged_on is None


def test_a_day_spent_only_by_dead_turns_is_not_spent(auth_client, user, bank, used_today, settings):
    user.daily_chat_limit = 5
    user.save(update_fields=["daily_chat_limit"])
    first = start(auth_client, plan={"technical": 1, "behavioural": 0})  # 3 turns: start, answer, report
    killed_mid_turn(user, first["id"])
    auth_client.post(f"/api/interviews/{first['id']}/finish/")
    assert used_today(user) == 3  # 2 left: a one-question interview (3 turns) does not fit

    with after_the_lease(settings):
        second = auth_client.post(
            "/api/interviews/", {"position": "fe", "plan": {"technical": 1, "behavioural": 0}}, format="json"
        )
        assert second.status_code == 201, second.content  # the dead turn's unit came back first
        answered = auth_client.post(
            f"/api/interviews/{second.json()['id']}/answers/", {"content": "I don't know."}, format="json"
        )
        assert answered.status_code == 201
        assert_error(
            auth_client.post("/api/interviews/", {"position": "ai", "plan": {"technical": 1}}, format="json"),
            429,
            "quota_exceeded",
        )
    assert used_today(user) == 4  # start, finish, start, answer: every one delivered


def test_only_the_dead_turns_of_the_caller_are_reconciled_on_their_request(
    auth_client, client_for, other_user, user, bank, used_today, settings
):
    mine = start(auth_client)
    theirs = start(client_for(other_user))
    killed_mid_turn(user, mine["id"])
    killed_mid_turn(other_user, theirs["id"])
    with after_the_lease(settings):
        assert turn_orphans_reconcile(user=user) == 1
        assert quota_status(user=other_user).used == 2
        assert turn_orphans_reconcile() == 1
    assert quota_status(user=other_user).used == 1


def test_a_failed_turn_gives_its_unit_back_at_once_and_leaves_nothing_to_reconcile(
    auth_client, user, bank, fake_llm, used_today
):
    interview = start(auth_client)
    fake_llm.fail_next("503")
    failed = auth_client.post(f"/api/interviews/{interview['id']}/answers/", {"content": "B-tree."}, format="json")
    assert failed.status_code == 503
    answer = Message.objects.get(interview_id=interview["id"], role="user")
    assert (answer.awaiting_reply, answer.reply_lease_until, answer.charged_on) == (True, None, None)
    assert used_today(user) == 1
    assert turn_orphans_reconcile() == 0


def test_a_producer_that_outlives_its_lease_never_refunds_the_unit_twice(
    auth_client, user, bank, fake_llm, used_today, settings
):
    from chat.services import LLMFailure, turn_complete

    interview = start(auth_client)
    turn = answer_begin(user=user, interview_id=interview["id"], content="A B-tree keeps keys sorted.")
    assert used_today(user) == 2
    with after_the_lease(settings):
        assert turn_orphans_reconcile() == 1  # the lease ran out: taken for dead, its unit given back
        fake_llm.fail_next("503")
        with pytest.raises(LLMFailure):
            turn_complete(turn)  # ...but it was alive, and now fails
    assert used_today(user) == 1  # the start: the unit came back once, not twice
    answer = Message.objects.get(pk=turn.answer.pk)
    assert answer.awaiting_reply
    assert answer.charged_on is None


def test_at_the_days_limit_a_reply_in_progress_is_409_not_429(auth_client, user, bank, used_today):
    interview = start(auth_client)
    answer_begin(user=user, interview_id=interview["id"], content="B-trees.", idempotency_key="k-1")  # in flight
    user.daily_chat_limit = 2
    user.save(update_fields=["daily_chat_limit"])
    assert used_today(user) == 2

    assert_error(auth_client.post(f"/api/interviews/{interview['id']}/retry/"), 409, "reply_in_progress")
    repeated = auth_client.post(
        f"/api/interviews/{interview['id']}/answers/",
        {"content": "B-trees."},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert_error(repeated, 409, "reply_in_progress")
    another = auth_client.post(f"/api/interviews/{interview['id']}/answers/", {"content": "More."}, format="json")
    assert_error(another, 409, "answer_pending")
    assert used_today(user) == 2  # and no charge came and went meanwhile
