"""Schemathesis over the served /api/schema/: every operation, called by a signed-in user with
generated input (valid and invalid), answers no 5xx and only what the schema says: a documented
status, a body that matches that status's schema, the declared content type and headers.

In-process through the WSGI application (config.wsgi): the whole Django stack with DEBUG off, its
middleware, error handlers and streaming responses, without a socket. Chosen over `production_server()`
for speed (no worker start per operation, no HTTP round trip: about 1,600 requests in 30 s) and because
the app then runs with this test's settings (offline engines, the fake speech-to-text server); what only
gunicorn adds (worker class, timeouts, streaming through threads) is tested in test_gunicorn.py and by
the tests that start `production_server()`.

Each operation is one test with a fresh database (transactional: the app's own connection handling runs
as in production, and streamed replies are produced in threads) holding one user with a raised daily
quota, a CV, a finished public interview (report, evaluations, spoken delivery), an active one, and a
compat (`Token`) session. Path ids are replaced with those real ids, so requests reach past 404 to the
code behind them: reads see the finished interview, writes the active one. Bounded and reproducible: a
fixed seed, derandomized generation, no example database, `MAX_EXAMPLES` per operation and phase.

Tokens that an operation could end are handled, not excluded: each operation's test has its own user,
so nothing one operation does reaches another's; `/api/auth/logout/` gets a fresh refresh token of a
new session in each valid example (its 204 path runs), the compat logout a fresh compat token; the
password change keeps the generated (wrong) old password, so it is exercised up to its 400 and never
ends the session (its success is tested in accounts/tests/test_sessions.py).
"""

from __future__ import annotations

import io
import json
import os
import wave

import pytest
import schemathesis
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

# Per operation and phase (coverage, fuzzing): about 30 s for the whole API on 2 cores. A deeper run,
# locally: SCHEMATHESIS_MAX_EXAMPLES=300 make test PYTEST_ARGS=config/tests/test_schemathesis.py (about 2.5 min).
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
USERNAME = "schemathesis"
PASSWORD = "an interview-ready passphrase"
COMPAT_PATHS = ("/api/user/", "/api/chat/")

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261128,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        # Stateful sequences would share one database across operations; links are not declared anyway.
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

# No 5xx; status codes documented; bodies match the status's schema; content types and headers declared.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(b"\0\0" * int(16_000 * seconds))
    return buffer.getvalue()


def login(path: str) -> dict:
    """A new session of the test user (throttles are reset before every example)."""
    response = APIClient().post(path, {"username": USERNAME, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def stt(settings):
    """Speech to text pointed at the fake OpenAI server, so that transcriptions run instead of 503."""
    from devtools.fakeopenai import FakeOpenAI

    with FakeOpenAI() as server:
        settings.STT_MODEL = "whisper-1"
        settings.STT_BASE_URL = server.base_url
        settings.STT_API_KEY = "test-key"
        settings.STT_TIMEOUT = 1.0
        yield server


@pytest.fixture
def world(transactional_db, bank, stt, settings) -> dict:
    """One user with room in today's quota and an object of each kind; through the API, as a client would."""
    settings.CHAT_PROVIDER = "practice"  # offline; espeak speaks (conftest)
    client = APIClient()
    body = {"username": USERNAME, "email": "schemathesis@example.com", "password": PASSWORD}
    registered = client.post("/api/auth/register/", body, format="json")
    assert registered.status_code == 201, registered.content
    # By the app registry: config's tests import no app above config (the layers contract).
    apps.get_model("accounts", "User").objects.filter(username=USERNAME).update(daily_chat_limit=100_000)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {registered.json()['access']}")
    cv = client.post(
        "/api/cvs/",
        {"file": SimpleUploadedFile("cv.txt", b"Python, Django and PostgreSQL. Built a payments API.", "text/plain")},
        format="multipart",
    )
    assert cv.status_code == 201, cv.content
    # A finished interview, public and anonymous, with spoken answers: every field of a report, evaluations
    # and the delivery figures appear in what the reads answer (detail, messages, lists, feed, progress).
    finished = client.post(
        "/api/interviews/",
        {"position": "be", "is_public": True, "is_anonymous": True, "cv_id": cv.json()["id"]},
        format="json",
    ).json()
    for content in ("I would hash them with bcrypt and a per-user salt, because it is slow.", "I don't know."):
        body = {"content": content, "spoken_seconds": 6.5}
        answered = client.post(f"/api/interviews/{finished['id']}/answers/", body, format="json")
        assert answered.status_code == 201, answered.content
    assert client.post(f"/api/interviews/{finished['id']}/finish/").status_code == 200
    # An active one, answered once, for the writes (answers, finish, edits, delete).
    active = client.post("/api/interviews/", {"position": "be", "is_public": True}, format="json").json()
    answered = client.post(f"/api/interviews/{active['id']}/answers/", {"content": "An index."}, format="json")
    assert answered.status_code == 201, answered.content
    audio_url = active["messages"][0]["audio_url"]
    return {
        "access": registered.json()["access"],
        "compat": login("/api/user/login/")["Token"],
        "active": active["id"],
        "finished": finished["id"],
        "ids": {"cv_id": cv.json()["id"], "key": audio_url.rsplit("/", 1)[-1].removesuffix(".mp3")},
        "streamed": 0,
    }


def keep_interview_open(interview_id: int) -> None:
    """Rewind the plan, so that every generated answer meets an active interview (not a 409 after the
    third); the plan itself is tested in chat/tests/test_interviewer.py."""
    apps.get_model("interviews", "Interview").objects.filter(pk=interview_id).update(
        stage="technical", asked=1, status="active", finished_at=None
    )


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_only_what_the_schema_documents(case, world):
    cache.clear()  # throttles: every example reaches its view
    path, method = case.operation.path, case.operation.method.upper()
    for name, value in world["ids"].items():
        if name in case.path_parameters:
            case.path_parameters[name] = value
    if "interview_id" in case.path_parameters:
        # Reads see the finished interview (its report and evaluations); writes change the active one.
        case.path_parameters["interview_id"] = world["finished" if method == "GET" else "active"]
    positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    headers = {"Authorization": f"Bearer {world['access']}"}
    if path.startswith(COMPAT_PATHS):
        token = login("/api/user/login/")["Token"] if path == "/api/user/logout/" else world["compat"]
        headers = {"Authorization": f"Token {token}"}
    if (method, path) == ("POST", "/api/auth/logout/") and positive and isinstance(case.body, dict):
        case.body["refresh"] = login("/api/auth/login/")["refresh"]
    if (method, path) == ("POST", "/api/transcriptions/") and positive and isinstance(case.body, dict):
        case.body["file"] = wav()
    if path == "/api/interviews/{interview_id}/answers/":
        keep_interview_open(world["active"])
        world["streamed"] += 1
        if world["streamed"] % 2:
            headers["Accept"] = "text/event-stream"
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.django_db
def test_error_bodies_are_held_to_the_documented_default_error_schema():
    """The harness's own check: errors are documented once, as each operation's `default` response with
    the `Error` schema, and Schemathesis does check error bodies against it (an envelope that lost a key
    would fail the run above)."""
    raw = json.loads(json.dumps(schema.raw_schema))
    raw["components"]["schemas"]["Error"]["properties"]["error"]["required"].append("hint")
    stricter = schemathesis.openapi.from_dict(raw, config=CONFIG)
    stricter.app = application
    unauthorised = stricter["/api/auth/me/"]["GET"].Case()
    response = unauthorised.call()
    assert response.status_code == 401
    with pytest.raises(FailureGroup, match="Response violates schema"):
        unauthorised.validate_response(response, checks=[response_schema_conformance])
    schema["/api/auth/me/"]["GET"].Case().call_and_validate(checks=CHECKS)  # the real schema: conformant
