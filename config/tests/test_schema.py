import json
import re

import jsonschema
import pytest
from django.core.management import call_command


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    # Warnings mean the schema and the code disagree (e.g. two bodies sharing one component).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for path in ("/api/auth/register/", "/api/interviews/{interview_id}/answers/", "/api/chat/gpt/", "/api/health/"):
        assert f"  {path}:" in text
    assert "#/components/schemas/Error" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # assets are served locally: works offline


# --- The schema says what the code does: shapes a generated client relies on ---------------------


def _nullable_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` in JSON Schema terms, so that jsonschema can check real bodies."""
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def validator(schema: dict, fragment: dict) -> jsonschema.Draft202012Validator:
    """A validator for `fragment` (which may $ref the schema's components) against real bodies."""
    root = {**_nullable_to_json_schema(fragment), "components": _nullable_to_json_schema(schema["components"])}
    return jsonschema.Draft202012Validator(root)


def response_schema(schema: dict, path: str, method: str, status: str) -> dict:
    return schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def request_schema(schema: dict, path: str, method: str) -> dict:
    return schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def component(schema: dict, fragment: dict) -> dict:
    return schema["components"]["schemas"][fragment["$ref"].rsplit("/", 1)[-1]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "item"),
    [("/api/interviews/", "Interview"), ("/api/interviews/{interview_id}/messages/", "Message")],
)
def test_paginated_lists_are_page_objects_in_the_schema(schema, path, item):
    operation = schema["paths"][path]["get"]
    page = component(schema, response_schema(schema, path, "get", "200"))
    assert page["type"] == "object"
    assert set(page["required"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"] == {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}
    assert page["properties"]["next"]["nullable"] is True
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {"page", "page_size"}


@pytest.mark.django_db
def test_real_list_responses_match_their_schema(schema, auth_client, bank):
    # Through the API only: config sits below the apps and imports none of them.
    for _ in range(2):
        interview = auth_client.post("/api/interviews/", {"position": "be"}, format="json").json()
    answer = {"content": "A B-tree index."}
    assert auth_client.post(f"/api/interviews/{interview['id']}/answers/", answer, format="json").status_code == 201
    for path, url in [
        ("/api/interviews/", "/api/interviews/?page_size=1"),
        ("/api/interviews/{interview_id}/messages/", f"/api/interviews/{interview['id']}/messages/?page_size=2"),
    ]:
        body = auth_client.get(url).json()
        assert body["next"]  # a page with more after it: every key of the page object in use
        validator(schema, response_schema(schema, path, "get", "200")).validate(body)


@pytest.mark.django_db
def test_the_idempotency_key_header_is_documented_with_its_rule_and_its_422(schema):
    operation = schema["paths"]["/api/interviews/{interview_id}/answers/"]["post"]
    [header] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header.get("required", False) is False
    assert header["schema"]["pattern"] == r"^[\x21-\x7e]{1,255}$"
    pattern = re.compile(header["schema"]["pattern"])
    assert pattern.search("0f8fad5b-d9cb-469f-a165-70867728950e")
    assert not any(pattern.search(key) for key in ["", "a b", "키", "k" * 256])
    assert "idempotency_key_reused" in header["description"]
    conflict = operation["responses"]["422"]
    assert "idempotency_key_reused" in conflict["description"]
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.django_db
def test_patch_documents_every_field_as_optional_and_an_empty_body_as_a_no_op(schema):
    operation = schema["paths"]["/api/interviews/{interview_id}/"]["patch"]
    assert operation["requestBody"].get("required", False) is False
    body = request_schema(schema, "/api/interviews/{interview_id}/", "patch")
    assert "required" not in component(schema, body)
    assert set(component(schema, body)["properties"]) == {"is_public", "is_anonymous"}
    validator(schema, body).validate({})
    assert "empty body" in operation["description"]


@pytest.mark.django_db
def test_the_compat_chat_body_needs_a_topic_or_an_input_in_the_schema_too(schema):
    body = request_schema(schema, "/api/chat/gpt/", "post")
    check = validator(schema, body)
    assert not check.is_valid({})
    assert not check.is_valid({"unrelated": "x"})
    assert check.is_valid({"interview_topic": "백엔드 개발자"})
    assert check.is_valid({"user_input": "An index is a B-tree."})
    assert "interview_topic" in component(schema, body)["description"]


def _server_sent_events(chunks) -> list[dict]:
    """The events of a `text/event-stream` body as `{field: value}`, comments (keep-alives) skipped."""
    events = []
    for block in b"".join(chunks).decode().split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if lines:
            events.append(dict(line.split(": ", 1) for line in lines))
    return events


@pytest.mark.django_db(transaction=True)  # the reply may be produced in a thread of its own
def test_the_answer_stream_is_declared_event_by_event_and_real_events_match(schema, auth_client, bank):
    # Found by Schemathesis: the stream was declared `{"type": "string"}`, which OpenAPI 3.0 tools (and
    # 3.2's itemSchema) read as the schema of each event, and no event is a string.
    interview = auth_client.post("/api/interviews/", {"position": "be"}, format="json").json()
    response = auth_client.post(
        f"/api/interviews/{interview['id']}/answers/",
        {"content": "A B-tree index."},
        format="json",
        HTTP_ACCEPT="text/event-stream",
    )
    assert response.status_code == 200
    path = "/api/interviews/{interview_id}/answers/"
    event_schema = schema["paths"][path]["post"]["responses"]["200"]["content"]["text/event-stream"]["schema"]
    check = validator(schema, event_schema)
    events = _server_sent_events(response.streaming_content)
    assert [event["event"] for event in events][-1] == "done"
    assert {event["event"] for event in events[:-1]} == {"delta"}
    for event in events:
        check.validate(event)
    assert not check.is_valid("event: delta\ndata: {}\n\n")  # not the whole stream as one string
    # `done` carries the JSON variant's success body, as the event's description says.
    validator(schema, response_schema(schema, path, "post", "201")).validate(json.loads(events[-1]["data"]))
    assert "`done`" in component(schema, event_schema)["properties"]["data"]["description"]
