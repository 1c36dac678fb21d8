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


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Every error leaves through one exception handler, so every operation shares its shape."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = _ENVELOPE
    schemas["CompatError"] = _FLAT
    for path, operations in result.get("paths", {}).items():
        name = "CompatError" if path.startswith(_COMPAT_PREFIXES) else "Error"
        for operation in operations.values():
            operation.setdefault("responses", {})["default"] = {
                "description": "Any error (4xx/5xx), in the API's error shape.",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            }
    return result
