"""OpenAPI generation tuned to this codebase's conventions."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AutoSchema(openapi.AutoSchema):
    """Names nested serializers after their view: `LoginApi.InputSerializer` -> `LoginInput`.

    Every view declares its own `InputSerializer`/`OutputSerializer`; without this they would all
    collapse into one `Input` component and the schema would describe the wrong bodies.
    """

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        qualname = type(serializer).__qualname__
        if "." in qualname and "<locals>" not in qualname:
            outer = qualname.split(".")[0].removesuffix("Api")
            if not name.startswith(outer):
                name = outer + name
        return name


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    name = "jwtAuth"
    priority = 1  # replaces drf-spectacular's own, which cannot express two header keywords

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "`Authorization: Bearer <access>`; `Token <access>` is accepted too (original frontend).",
        }


_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "validation_error"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
        }
    },
}
_FLAT = {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
_COMPAT_PREFIXES = ("/api/user/", "/api/chat/gpt/")


# The statuses the app answers with an error body (API.md); 304 and 416 have none.
_ERROR_STATUSES = {"400", "401", "404", "405", "409", "413", "415", "422", "429", "500", "503", "504"}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Every error leaves through one exception handler, so every operation shares its shape.

    An error a view declares by status and description only (`422: OpenApiResponse(description=...)`)
    gets that shape as its body too.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = _ENVELOPE
    schemas["CompatError"] = _FLAT
    for path, operations in result.get("paths", {}).items():
        name = "CompatError" if path.startswith(_COMPAT_PREFIXES) else "Error"
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status in _ERROR_STATUSES and "content" not in response:
                    response["content"] = content
            responses["default"] = {"description": "Any error (4xx/5xx), in the API's error shape.", "content": content}
    return result


# One server-sent event of a `text/event-stream` response (chat/streaming.py writes them). OpenAPI
# before 3.2 has no keyword for the items of a stream, so a stream's `schema` describes each event
# (how Schemathesis and the OpenAPI 3.2 `itemSchema` read it); `data` is JSON text.
_SERVER_SENT_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["delta", "done", "error"]},
        "data": {
            "type": "string",
            "description": 'JSON: `{"text": "..."}` for `delta`, the stored result (the JSON variant\'s success '
            "body) for `done`, the error envelope (`Error`) for `error`.",
        },
    },
}
EVENT_STREAM = "text/event-stream"


def declare_event_streams(result: dict, generator, request, public) -> dict:
    """Describe every `text/event-stream` response event by event, with the one `ServerSentEvent` schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["ServerSentEvent"] = _SERVER_SENT_EVENT
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                media = response.get("content", {}).get(EVENT_STREAM)
                if media is not None:
                    media["schema"] = {"$ref": "#/components/schemas/ServerSentEvent"}
    return result


# Rules on a whole body that no single field states: (path, method) -> JSON Schema keywords added to
# the operation's request body component.
_BODY_RULES: dict[tuple[str, str], dict] = {
    ("/api/chat/gpt/", "post"): {
        "anyOf": [{"required": ["interview_topic"]}, {"required": ["user_input"]}],
        "description": "At least one of `interview_topic` (starts an interview) and `user_input` (answers the "
        "running one, or starts one from it when none is running); an empty body is a 400.",
    },
}


def add_body_rules(result: dict, generator, request, public) -> dict:
    """Write the cross-field body rules of `_BODY_RULES` into the schema, so that clients see them."""
    schemas = result.get("components", {}).get("schemas", {})
    for (path, method), rule in _BODY_RULES.items():
        operation = result.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        for media in operation.get("requestBody", {}).get("content", {}).values():
            ref = media.get("schema", {}).get("$ref", "")
            target = schemas.get(ref.rsplit("/", 1)[-1]) if ref else media.get("schema")
            if target is not None:
                target.update(rule)
    return result
