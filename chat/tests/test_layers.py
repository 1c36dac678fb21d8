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
        ("chat", "speech"),  # the reply's clip
        ("interviews", "speech"),  # its audio_url
    }
    assert "interviews.services.reply_store" in {c.function for c in crossings}
