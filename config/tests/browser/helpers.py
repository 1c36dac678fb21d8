"""Helpers of the browser tests: arranging a scene through the API, waiting for the app."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

PASSWORD = "a-long-pass-for-the-browser-1"


def wait_ready(page) -> None:
    """The app has booted (main.js sets this once the first screen is shown)."""
    page.wait_for_selector("body[data-ready=true]")


class Api:
    """A tiny JSON client of one server, for arranging what a test then looks at in the browser."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token = ""

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if token or self.token:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def register(self, username: str) -> dict:
        status, body = self.call(
            "POST",
            "/api/auth/register/",
            {"username": username, "email": f"{username}@example.com", "password": PASSWORD},
        )
        assert status == 201, body
        self.token = body["access"]
        return body
