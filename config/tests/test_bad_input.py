"""Bad input never makes a 500: nested JSON, oversized bodies, malformed audio keys and Range headers,
blank answers and malformed idempotency keys get their 4xx in the error envelope (flat on the
compatibility paths), through the real endpoints.

Each class has a plain example test, then a property-based test (hypothesis) that generates many
inputs of that class. Through HTTP only: config sits below the apps and imports none of them.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from config.testing import assert_error

pytestmark = pytest.mark.django_db

# Modest and reproducible: a few dozen requests per property, no example database in the checkout.
fuzz = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MAX_DEPTH = 32  # config.parsers.MAX_JSON_DEPTH
COMPAT_PASSWORD = "an interview-ready passphrase"


def assert_flat(response, status: int) -> str:
    """The original frontend's error shape on the compatibility paths: `{"error": "<sentence>"}`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str)
    assert body["error"]
    return body["error"]


def assert_envelope(response) -> dict:
    assert response.status_code < 500, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.fixture
def runner(user):
    """The caller, with room for every generated answer in today's quota."""
    user.daily_chat_limit = 100_000
    user.save()
    return user


@pytest.fixture
def interview(auth_client, runner, bank) -> dict:
    return auth_client.post("/api/interviews/", {"position": "be"}, format="json").json()


def keep_open(interview: dict) -> None:
    """Rewind the plan after an accepted answer: these properties send far more answers than any plan
    holds, and they are about the request body, not about the plan (tests of the plan are elsewhere)."""
    # By the app registry: config's tests import no app above config (the layers contract).
    apps.get_model("interviews", "Interview").objects.filter(pk=interview["id"]).update(stage="technical", asked=1)


@pytest.fixture
def compat_client(db):
    """The original frontend's way in: register, log in, send `Token <token>`."""
    client = APIClient()
    body = {"username": "compat-caller", "email": "compat@example.com", "password": COMPAT_PASSWORD}
    assert client.post("/api/user/register/", body, format="json").status_code == 201
    login = client.post("/api/user/login/", {"username": "compat-caller", "password": COMPAT_PASSWORD}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['Token']}")
    return client


def nested(depth: int, kinds: str = "[") -> str:
    """JSON `depth` containers deep, cycling through `kinds` ("[" lists, "{" objects)."""
    opening, closing = [], []
    for level in range(depth):
        if kinds[level % len(kinds)] == "[":
            opening.append("[")
            closing.append("]")
        else:
            opening.append('{"a":')
            closing.append("}")
    return "".join(opening) + "1" + "".join(reversed(closing))


def post_raw(client, path: str, body: str | bytes, method: str = "POST", **extra):
    return client.generic(method, path, body, content_type="application/json", **extra)


def messages_count(client, interview: dict) -> int:
    return client.get(f"/api/interviews/{interview['id']}/messages/").json()["count"]


def used_today(client) -> int:
    return client.get("/api/auth/me/").json()["quota"]["used"]


# --- Deeply nested JSON ------------------------------------------------------------------------


def json_endpoints(interview: dict) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/auth/login/"),  # its throttle reads the body before the view does
        ("POST", "/api/interviews/"),
        ("POST", f"/api/interviews/{interview['id']}/answers/"),
        ("PATCH", f"/api/interviews/{interview['id']}/"),
    ]


@pytest.mark.parametrize("depth", [100_000, 2_000, MAX_DEPTH + 1])
def test_deeply_nested_json_is_a_400_parse_error_not_a_500(auth_client, interview, depth):
    for method, path in json_endpoints(interview):
        for kinds in ("[", "{", "[{"):
            error = assert_error(post_raw(auth_client, path, nested(depth, kinds), method), 400, "parse_error")
            assert error["details"] == {"max_depth": MAX_DEPTH}
    assert messages_count(auth_client, interview) == 1
    assert used_today(auth_client) == 1


def test_json_as_deep_as_the_bound_reaches_validation(auth_client, interview):
    body = json.dumps({"content": json.loads(nested(MAX_DEPTH - 1))})
    error = assert_error(
        post_raw(auth_client, f"/api/interviews/{interview['id']}/answers/", body), 400, "validation_error"
    )
    assert "content" in error["details"]


def test_deeply_nested_json_on_the_compat_paths_is_a_flat_400(compat_client, api_client):
    assert_flat(post_raw(compat_client, "/api/chat/gpt/", nested(100_000)), 400)
    assert_flat(post_raw(api_client, "/api/user/login/", nested(100_000, "{")), 400)
    assert_flat(post_raw(compat_client, "/api/chat/gpt/", json.dumps({"user_input": json.loads(nested(40))})), 400)
    assert compat_client.get("/api/chat/gpt/").json()["conversations"] == []


def test_a_lone_surrogate_in_a_json_string_is_a_400(auth_client, interview):
    # A choice field echoes what it refuses: a surrogate there could not be rendered as UTF-8 (a 500).
    assert_error(post_raw(auth_client, "/api/interviews/", '{"position": "\\udfff"}'), 400, "parse_error")
    path = f"/api/interviews/{interview['id']}/answers/"
    assert_error(post_raw(auth_client, path, '{"content": "An index \\ud800."}'), 400, "parse_error")
    assert messages_count(auth_client, interview) == 1


@fuzz
@given(
    depth=st.one_of(st.integers(0, MAX_DEPTH + 3), st.integers(MAX_DEPTH + 4, 3_000)),
    kinds=st.sampled_from(["[", "{", "[{", "{{["]),
    endpoint=st.integers(0, 3),
    compat=st.booleans(),
)
def test_nested_json_of_any_depth_is_never_a_500(auth_client, compat_client, interview, depth, kinds, endpoint, compat):
    cache.clear()  # throttle counters: this property is about parsing
    body = nested(depth, kinds)
    if compat:
        response = post_raw(compat_client, ["/api/chat/gpt/", "/api/user/login/"][endpoint % 2], body)
        assert response.status_code < 500, response.content
        if depth > MAX_DEPTH or response.status_code >= 400:
            assert_flat(response, 400)
        return
    method, path = json_endpoints(interview)[endpoint]
    response = post_raw(auth_client, path, body, method)
    if depth > MAX_DEPTH:
        assert_error(response, 400, "parse_error")
    elif response.status_code >= 400:  # a shallow body is the view's to judge (PATCH ignores unknown keys)
        assert assert_envelope(response)["code"] != "parse_error"


# --- Oversized bodies --------------------------------------------------------------------------


def test_the_default_body_limit_is_one_mebibyte(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1_048_576


def test_a_body_over_the_limit_is_413_payload_too_large_with_the_limit(auth_client, api_client, interview, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"content": "x" * 10_000})
    response = post_raw(auth_client, f"/api/interviews/{interview['id']}/answers/", body)
    error = assert_error(response, 413, "payload_too_large")
    assert error["details"] == {"limit": 10_000}
    login = json.dumps({"username": "x" * 10_000, "password": "y"})
    assert_error(post_raw(api_client, "/api/auth/login/", login), 413, "payload_too_large")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576
    assert messages_count(auth_client, interview) == 1
    assert used_today(auth_client) == 1


def test_the_compat_paths_get_the_413_from_the_generic_handler_flat(compat_client, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"user_input": "x" * 10_000})
    message = assert_flat(post_raw(compat_client, "/api/chat/gpt/", body), 413)
    assert "10000 bytes" in message  # the generic handler's sentence, flattened
    assert_flat(post_raw(api_client, "/api/user/login/", body), 413)


def test_an_oversized_form_outside_the_api_is_413_in_the_envelope(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = "username=admin&password=" + "x" * 10_000
    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")
    error = assert_error(response, 413, "payload_too_large")
    assert error["details"] == {"limit": 10_000}


@fuzz
@given(size=st.integers(1, 4_000), extra=st.sampled_from(["", "é", "\U0001f44d"]))
def test_bodies_around_the_limit_are_413_exactly_when_over_it(auth_client, interview, settings, size, extra):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    body = json.dumps({"content": "x" * size + extra}, ensure_ascii=False).encode()
    response = post_raw(auth_client, f"/api/interviews/{interview['id']}/answers/", body)
    if len(body) > 2_000:
        assert_error(response, 413, "payload_too_large")
    else:
        assert response.status_code == 201, response.content
        keep_open(interview)


# --- Audio keys and Range headers --------------------------------------------------------------


@fuzz
@given(key=st.text(min_size=1, max_size=80))
def test_any_malformed_audio_key_is_a_404_in_the_envelope(api_client, key):
    response = api_client.get(f"/api/audio/{quote(key, safe='')}.mp3")
    assert assert_envelope(response)["code"] == "not_found"
    assert response.status_code == 404


@pytest.fixture
def clip(auth_client, interview, fake_speech) -> tuple[str, bytes]:
    url = interview["messages"][0]["audio_url"]
    response = auth_client.get(url)
    assert response.status_code == 200
    return url, b"".join(response.streaming_content)


def _number(digits: str) -> float:
    """A byte position as RFC 9110 reads it: any size (here, anything too long to convert is infinite)."""
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= 4_000 else float("inf")


def expected_range(header: str, size: int) -> tuple[int, int] | str | None:
    """RFC 9110 section 14 for one range: (first, last) for 206, "416", or None for the whole 200."""
    match = re.fullmatch(r"bytes=([0-9]*)-([0-9]*)", header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        length = _number(last)
        return "416" if length == 0 else (int(max(size - length, 0)), size - 1)
    start, end = _number(first), (_number(last) if last else size - 1)
    if start >= size or end < start:
        return "416"
    return int(start), int(min(end, size - 1))


positions = st.one_of(
    st.integers(0, 20_000).map(str),
    st.integers(4_000, 6_000).map(lambda n: "9" * n),
    st.integers(4_000, 6_000).map(lambda n: "0" * n + "5"),
    st.text(alphabet="0123456789", max_size=30),
)
range_headers = st.one_of(
    st.builds(lambda a, b: f"bytes={a}-{b}", positions, positions),
    st.builds(lambda a: f"bytes={a}-", positions),
    st.builds(lambda b: f"bytes=-{b}", positions),
    st.text(max_size=40),
    st.sampled_from(["bytes=0-1,5-6", "bytes=", "bytes=-", "items=0-1", "bytes=5-1", "bytes = 0-1", "bytes=٣-"]),
)


@fuzz
@given(header=range_headers)
def test_any_range_header_is_a_200_206_or_416_with_the_right_bytes(api_client, clip, header):
    url, whole = clip
    response = api_client.get(url, HTTP_RANGE=header)
    expected = expected_range(header, len(whole))
    if expected is None:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == whole
    elif expected == "416":
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(whole)}"
    else:
        start, end = expected
        assert response.status_code == 206
        assert response.content == whole[start : end + 1]
        assert response["Content-Range"] == f"bytes {start}-{end}/{len(whole)}"


# --- Answers: at least one visible character ---------------------------------------------------

VISIBLE = ["a", "Z", "한", "é", "Ж", "文", "7", "٣", "?", "。", "€", "+", "\U0001f44d"]
INVISIBLE = [
    " ", "\t", "\n", "\r", "\u00a0", "\u3000", "\u2028",  # whitespace
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e", "\U000e0041",  # format
    "\x01", "\x1b", "\x7f", "\x85",  # control
    "\u3164", "\u115f", "\u2800",  # letters and symbols that render blank
    "\u0301", "\ufe0f",  # marks with nothing to mark
    "\ue000",  # private use
]  # fmt: skip


@fuzz
@given(chars=st.lists(st.sampled_from(VISIBLE + INVISIBLE), max_size=25), nul=st.booleans())
def test_an_answer_is_accepted_exactly_when_it_has_a_visible_character(auth_client, interview, chars, nul):
    content = "".join(chars) + ("\x00" if nul else "")
    before = messages_count(auth_client, interview)
    response = auth_client.post(f"/api/interviews/{interview['id']}/answers/", {"content": content}, format="json")
    if any(c in VISIBLE for c in chars) and not nul:
        assert response.status_code == 201, response.content
        assert response.json()["answer"]["content"] == content.strip()
        assert messages_count(auth_client, interview) == before + 2
        keep_open(interview)
    else:
        error = assert_error(response, 400, "validation_error")
        assert set(error["details"]) == {"content"}
        assert messages_count(auth_client, interview) == before


@fuzz
@given(content=st.one_of(st.text(max_size=60), st.integers(3_990, 4_010).map(lambda n: "x" * n + " \u200b")))
def test_any_answer_text_is_a_201_or_a_400_never_a_500(auth_client, interview, content):
    response = auth_client.post(f"/api/interviews/{interview['id']}/answers/", {"content": content}, format="json")
    if response.status_code == 201:
        assert response.json()["answer"]["content"] == content.strip()
        assert 1 <= len(content.strip()) <= 4_000
        keep_open(interview)
    else:
        assert_error(response, 400, "validation_error")


# --- Idempotency keys --------------------------------------------------------------------------

keys = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"\A[\x21-\x7e]{1,255}\Z"),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7F), min_size=250, max_size=260),
    st.sampled_from(["", " ", "\t", "k\x00", "ключ", "키", "a b", " padded "]),
)


@fuzz
@given(key=keys)
def test_an_idempotency_key_is_honoured_exactly_when_it_is_1_to_255_visible_ascii(auth_client, interview, key):
    path = f"/api/interviews/{interview['id']}/answers/"
    before = messages_count(auth_client, interview)
    first = auth_client.post(path, {"content": "An index."}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    if not re.fullmatch(r"[\x21-\x7e]{1,255}", key.strip(" \t")):
        error = assert_error(first, 400, "validation_error")
        assert set(error["details"]) == {"idempotency_key"}
        assert messages_count(auth_client, interview) == before
        return
    assert first.status_code == 201, first.content
    keep_open(interview)
    again = auth_client.post(path, {"content": "An index."}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["answer"]["id"] == first.json()["answer"]["id"]
    charged = used_today(auth_client)
    other = auth_client.post(path, {"content": "Another answer."}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert_error(other, 422, "idempotency_key_reused")
    assert used_today(auth_client) == charged
    assert messages_count(auth_client, interview) <= before + 2
