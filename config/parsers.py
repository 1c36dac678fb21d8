"""The API's JSON parser: DRF's, refusing bodies that would otherwise fail deep inside the app.

A body nested a few thousand levels deep exhausts Python's recursion limit while it is parsed (and a
shallower one may still do so later, when a serializer or an error message turns it into text); a
string with a lone surrogate (`"\\ud800"`, valid JSON escaping) can be neither stored nor rendered as
UTF-8. Both would be 500s; here they are a 400 `parse_error` in the error envelope, before any view runs.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import parsers

from config.errors import ApplicationError

# Containers inside containers. The API's deepest body is two levels; this leaves room for any client.
MAX_JSON_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


class MalformedBody(ApplicationError):
    status_code = 400
    code = "parse_error"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _check(data)
        return data


def _too_deep() -> MalformedBody:
    return MalformedBody(
        f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.", details={"max_depth": MAX_JSON_DEPTH}
    )


def _check(data: Any) -> None:
    """Walk the parsed body without recursion: depth within MAX_JSON_DEPTH, every string valid Unicode."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise MalformedBody("JSON parse error - a string holds a lone UTF-16 surrogate (not valid Unicode).")
            continue
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth == MAX_JSON_DEPTH:
            raise _too_deep()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (str, dict, list)))
