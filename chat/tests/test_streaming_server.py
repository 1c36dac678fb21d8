"""Streaming under the production server (gunicorn with gunicorn.conf.py, ASGI and WSGI), against the fake OpenAI
server streaming its completion slowly: the first piece of the reply reaches the client while the
LLM is still writing, and a client that hangs up halfway loses nothing."""

from __future__ import annotations

import http.client
import json
import time
import urllib.request

import pytest

from accounts.apis import tokens_for
from config.testing import production_server
from interviews.models import Evaluation, Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Seconds between two pieces of the fake LLM's streamed judgement (about 40 pieces in all).
PIECE_SECONDS = 0.05


@pytest.fixture(params=["uvicorn", "gthread"])
def server(request, fake_llm, bank):
    environment = {
        "GUNICORN_WORKER_CLASS": request.param,
        "CHAT_PROVIDER": "openai",
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": fake_llm.base_url,
        "OPENAI_MODEL": "primary-model",
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT": "10",
    }
    with production_server(**environment) as running:
        yield running.url


def call(base_url: str, method: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def open_stream(base_url: str, interview_id: int, token: str, content: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=10)
    connection.request(
        "POST",
        f"/api/interviews/{interview_id}/answers/",
        body=json.dumps({"content": content}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "text/event-stream"},
    )
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    return response


def events(response: http.client.HTTPResponse, started: float | None = None):
    """(event, data, seconds since `started`) as each event arrives."""
    started = time.monotonic() if started is None else started
    name = None
    for raw in response:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, json.loads(line.removeprefix("data: ")), time.monotonic() - started


def test_the_first_piece_of_the_reply_arrives_while_the_llm_is_still_writing(server, fake_llm, user):
    token = tokens_for(user)["access"]
    interview = call(server, "POST", "/api/interviews/", token, {"position": "be"})
    fake_llm.stream_interval = PIECE_SECONDS
    fake_llm.reply_next({"kind": "answer", "verdict": "A clear answer that makes the main point."})

    sent = time.monotonic()
    arrived = list(events(open_stream(server, interview["id"], token, "A B-tree keeps keys sorted."), sent))

    deltas = [(data["text"], at) for name, data, at in arrived if name == "delta"]
    name, done, finished_at = arrived[-1]
    assert name == "done"
    first_at = deltas[0][1]
    # The judgement's JSON still had most of its pieces to come when the verdict's first word was sent.
    assert finished_at - first_at > 10 * PIECE_SECONDS, (first_at, finished_at)
    assert "".join(text for text, _ in deltas) == done["reply"]["content"]
    assert fake_llm.requests_for("/v1/chat/completions")[-1].body["stream"] is True


def test_a_client_that_hangs_up_halfway_loses_nothing_under_the_production_server(server, fake_llm, user):
    token = tokens_for(user)["access"]
    interview = call(server, "POST", "/api/interviews/", token, {"position": "be"})
    fake_llm.stream_interval = PIECE_SECONDS

    response = open_stream(server, interview["id"], token, "A B-tree keeps keys sorted.")
    name, _, _ = next(events(response))
    assert name == "delta"
    response.close()  # hang up halfway through the LLM's stream

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        answer = Message.objects.get(interview_id=interview["id"], role="user")
        if not answer.awaiting_reply:
            break
        time.sleep(0.1)
    assert not answer.awaiting_reply
    assert Message.objects.filter(reply_to=answer).count() == 1
    assert Evaluation.objects.filter(message=answer).count() == 1
    me = call(server, "GET", "/api/auth/me/", token)
    assert me["quota"]["used"] == 2  # the start and the delivered turn
    detail = call(server, "GET", f"/api/interviews/{interview['id']}/", token)
    assert detail["message_count"] == 3  # the opening, the answer, the reply
