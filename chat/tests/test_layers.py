"""The layer rule at run time: import-linter checks the imports; this checks the calls of one turn."""

import pytest

from devtools.crossings import recording

pytestmark = pytest.mark.django_db


def test_one_answer_calls_only_down_the_layers_and_reaches_each_app_below(auth_client, bank):
    interview = auth_client.post("/api/interviews/", {"position": "be", "topic": "databases"}, format="json").json()
    with recording() as crossings:
        response = auth_client.post(
            f"/api/interviews/{interview['id']}/answers/", {"content": "A B-tree keeps keys sorted."}, format="json"
        )
    assert response.status_code == 201
    upward = [c for c in crossings if not c.downward]
    assert upward == []
    assert {(c.caller, c.callee) for c in crossings} >= {
        ("chat", "accounts"),  # the quota
        ("chat", "interviews"),  # the answer and the reply stored
        ("interviews", "speech"),  # the reply's clip, stored with it, and its audio_url
    }
    assert "speech.services.clip_for_text" in {c.function for c in crossings}
    assert "interviews.services.reply_store" in {c.function for c in crossings}


def test_an_answer_costs_a_bounded_number_of_sql_statements(auth_client, bank, django_assert_max_num_queries):
    # Every statement is a round trip under one GIL when a hundred LLM calls return together: this holds
    # the count where the work above brought it (23 before it: an unused message count, the bank read
    # whole on every answer, a pending-answer pre-check the unique index already makes, the quota's
    # three statements, the clip's own transaction). Savepoints of the test's transaction included.
    interview = auth_client.post("/api/interviews/", {"position": "be"}, format="json").json()
    auth_client.post(f"/api/interviews/{interview['id']}/answers/", {"content": "I don't know."}, format="json")
    with django_assert_max_num_queries(17):
        response = auth_client.post(
            f"/api/interviews/{interview['id']}/answers/", {"content": "A B-tree keeps keys sorted."}, format="json"
        )
    assert response.status_code == 201
    body = response.json()
    assert body["interview"]["message_count"] == 5  # the opening, two answers, two replies
