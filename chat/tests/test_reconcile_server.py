"""A gunicorn worker killed (SIGKILL) in the middle of a turn, under the production server: the
answer is kept and retryable, and the unit the dead worker held is given back."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest

from accounts.apis import tokens_for
from config.testing import production_server
from interviews.models import Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 2


def call(base_url: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_a_turn_whose_worker_is_killed_is_kept_retryable_and_not_charged(fake_llm, bank, user):
    environment = {
        "CHAT_PROVIDER": "openai",
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": fake_llm.base_url,
        "OPENAI_MODEL": "primary-model",
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT": "20",
        "CHAT_REPLY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    token = tokens_for(user)["access"]
    with production_server(**environment) as server:
        status, interview = call(server.url, "POST", "/api/interviews/", token, {"position": "be"})
        assert status == 201
        fake_llm.latency = 10  # the judgement takes long enough to kill the worker while it waits

        outcome: dict = {}

        def answer() -> None:
            try:
                outcome["status"] = call(
                    server.url, "POST", f"/api/interviews/{interview['id']}/answers/", token, {"content": "B-trees."}
                )[0]
            except OSError as error:  # the connection dies with the worker
                outcome["error"] = error

        sender = threading.Thread(target=answer)
        sender.start()
        deadline = time.monotonic() + 10
        while not Message.objects.filter(interview_id=interview["id"], role="user").exists():
            assert time.monotonic() < deadline, "the answer was never stored"
            time.sleep(0.05)
        while not fake_llm.requests_for("/v1/chat/completions")[1:]:  # the turn is waiting on the LLM
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (worker,) = server.worker_pids()
        os.kill(worker, signal.SIGKILL)
        sender.join(timeout=15)
        assert "status" not in outcome or outcome["status"] >= 500  # the candidate got no reply

        answer_row = Message.objects.get(interview_id=interview["id"], role="user")
        assert answer_row.awaiting_reply  # kept
        assert answer_row.charged_on is not None  # the dead worker's unit, held
        assert call(server.url, "GET", "/api/auth/me/", token)[1]["quota"]["used"] == 2

        fake_llm.latency = 0
        time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out; gunicorn has a new worker
        status, retried = call(server.url, "POST", f"/api/interviews/{interview['id']}/retry/", token)
        assert status == 201, retried
        assert retried["answer"]["id"] == answer_row.pk
        assert retried["quota"]["used"] == 2  # the start and the one turn delivered
        answer_row.refresh_from_db()
        assert (answer_row.awaiting_reply, answer_row.charged_on) == (False, None)
