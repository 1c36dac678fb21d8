"""The answer's reply streamed as server-sent events (API.md, "Streaming"), in process.

The reply is produced in a thread of its own (chat.streaming), with its own database connection:
these tests commit (transaction=True) so that thread sees what the test stored. Under the production
server: test_streaming_server.py.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from config.testing import assert_error
from interviews.models import Evaluation, Interview, Message

pytestmark = pytest.mark.django_db(transaction=True)

SSE = {"HTTP_ACCEPT": "text/event-stream"}


def start(client, **body) -> dict:
    body.setdefault("position", "be")
    response = client.post("/api/interviews/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def stream(client, interview_id: int, content: str, **headers):
    return client.post(
        f"/api/interviews/{interview_id}/answers/", {"content": content}, format="json", **{**SSE, **headers}
    )


def parse(chunks) -> list[tuple[str, object]]:
    """The (event, data) pairs of a server-sent event stream; comments are skipped."""
    text = b"".join(chunks).decode()
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def wait_for_reply_threads(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.startswith("reply-"):
            thread.join(max(0.0, deadline - time.monotonic()))


def test_the_practice_reply_streams_word_by_word_and_ends_with_the_stored_result(auth_client, user, bank, used_today):
    interview = start(auth_client)
    response = stream(auth_client, interview["id"], "A B-tree keeps keys sorted, so lookups are logarithmic.")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache, no-transform"
    assert response["X-Accel-Buffering"] == "no"
    events = parse(response.streaming_content)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done"
    assert set(kinds[:-1]) == {"delta"}
    assert len(kinds) > 5  # the words, not one lump
    done = events[-1][1]
    text = "".join(data["text"] for kind, data in events if kind == "delta")
    assert text == done["reply"]["content"]

    reply = Message.objects.get(pk=done["reply"]["id"])
    assert reply.content == text
    assert reply.reply_to_id == done["answer"]["id"]
    assert Evaluation.objects.filter(message_id=done["answer"]["id"]).exists()
    assert done["answer"]["evaluation"]["kind"] in ("answer", "non_answer", "clarification", "off_topic")
    assert done["quota"]["used"] == used_today(user) == 2  # the start and this turn
    assert done["interview"]["id"] == interview["id"]


def test_the_streamed_result_is_the_json_variants_body(auth_client, bank):
    interview = start(auth_client)
    done = parse(stream(auth_client, interview["id"], "I don't know.").streaming_content)[-1][1]
    detail = auth_client.get(f"/api/interviews/{interview['id']}/").json()
    assert done["interview"]["progress"] == detail["progress"]
    assert done["reply"]["audio_url"].endswith(".mp3")
    assert set(done) == {"answer", "reply", "quota", "interview"}


def test_the_openai_verdict_is_previewed_while_the_llm_writes_it(auth_client, bank, fake_llm):
    interview = start(auth_client)
    fake_llm.reply_next({"kind": "answer", "verdict": "A clear and well reasoned answer."})
    events = parse(stream(auth_client, interview["id"], "A B-tree keeps keys sorted.").streaming_content)

    request = fake_llm.requests_for("/v1/chat/completions")[-1].body
    assert request["stream"] is True
    deltas = [data["text"] for kind, data in events if kind == "delta"]
    done = events[-1][1]
    assert "".join(deltas) == done["reply"]["content"]
    assert done["reply"]["content"].startswith("A clear and well reasoned answer.")
    # The verdict came in the LLM's own pieces, before the rest of the reply.
    assert "".join(deltas[:3]) in "A clear and well reasoned answer."


@pytest.mark.parametrize("failure", ["503", "429", "timeout", "drop"])
def test_an_llm_failure_mid_stream_is_an_error_event_the_answer_kept_and_the_unit_refunded(
    auth_client, user, bank, fake_llm, used_today, failure
):
    interview = start(auth_client)
    fake_llm.fail_next(failure)
    response = stream(auth_client, interview["id"], "A B-tree keeps keys sorted.")

    assert response.status_code == 200
    kind, error = parse(response.streaming_content)[-1]
    assert kind == "error"
    assert error["error"]["code"] in ("llm_unavailable", "llm_timeout")
    assert error["error"]["details"]["retryable"] is True
    answer = Message.objects.get(interview_id=interview["id"], role="user")
    assert answer.awaiting_reply
    assert answer.reply_lease_until is None  # free for /retry/ at once
    assert used_today(user) == 1  # only the start

    retried = auth_client.post(f"/api/interviews/{interview['id']}/retry/")
    assert retried.status_code == 201
    assert retried.json()["answer"]["id"] == answer.pk
    assert used_today(user) == 2


def test_errors_before_the_stream_starts_are_plain_json(auth_client, client_for, other_user, user, bank, used_today):
    interview = start(auth_client)

    someone_else = stream(client_for(other_user), interview["id"], "Hello")
    assert_error(someone_else, 404, "not_found")
    assert someone_else["Content-Type"] == "application/json"

    invalid = auth_client.post(f"/api/interviews/{interview['id']}/answers/", {"content": ""}, format="json", **SSE)
    assert_error(invalid, 400, "validation_error")

    user.daily_chat_limit = 1
    user.save(update_fields=["daily_chat_limit"])
    spent = stream(auth_client, interview["id"], "A B-tree keeps keys sorted.")
    assert_error(spent, 429, "quota_exceeded")
    assert spent["Content-Type"] == "application/json"
    assert not Message.objects.filter(interview_id=interview["id"], role="user").exists()

    user.daily_chat_limit = 5
    user.save(update_fields=["daily_chat_limit"])
    auth_client.post(f"/api/interviews/{interview['id']}/finish/")
    finished = stream(auth_client, interview["id"], "One more thing.")
    assert_error(finished, 409, "interview_finished")


def test_a_repeated_idempotency_key_streams_the_stored_reply_and_charges_nothing(auth_client, user, bank, used_today):
    interview = start(auth_client)
    first = parse(stream(auth_client, interview["id"], "I don't know.", HTTP_IDEMPOTENCY_KEY="k-1").streaming_content)
    again = stream(auth_client, interview["id"], "I don't know.", HTTP_IDEMPOTENCY_KEY="k-1")

    assert again["Idempotent-Replayed"] == "true"
    events = parse(again.streaming_content)
    assert events[-1][1]["reply"]["id"] == first[-1][1]["reply"]["id"]
    assert "".join(data["text"] for kind, data in events if kind == "delta") == first[-1][1]["reply"]["content"]
    assert used_today(user) == 2


def test_a_client_that_hangs_up_mid_stream_loses_nothing(auth_client, user, bank, fake_llm, used_today, settings):
    interview = start(auth_client)
    fake_llm.stream_interval = 0.05  # the LLM's pieces trickle in, about 2 s in all
    settings.OPENAI_TIMEOUT = 10.0
    response = stream(auth_client, interview["id"], "A B-tree keeps keys sorted.")
    events = iter(response.streaming_content)
    assert next(events) == b": ok\n\n"  # sent at once, with the headers
    first = next(events)
    assert first.startswith(b"event: delta")
    response.close()  # the client is gone: the server closes the event iterator

    wait_for_reply_threads()
    answer = Message.objects.get(interview_id=interview["id"], role="user")
    assert not answer.awaiting_reply
    reply = Message.objects.get(reply_to=answer)
    assert reply.content
    assert Evaluation.objects.filter(message=answer).exists()
    assert Interview.objects.get(pk=interview["id"]).asked >= 1
    assert used_today(user) == 2  # the turn was delivered (stored), so it counts


def test_the_schema_declares_the_event_stream(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    responses = schema["paths"]["/api/interviews/{interview_id}/answers/"]["post"]["responses"]
    assert "text/event-stream" in responses["200"]["content"]
    assert "application/json" in responses["201"]["content"]
