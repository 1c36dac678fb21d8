"""The load client: simulated candidates over real HTTP (aiohttp on one asyncio loop), and what they saw.

Every request is recorded as (endpoint, status, seconds). A streamed answer also records its time to
the first `delta` event. The same client drives this project and the baseline, which answers the same
paths with the same fields (see bench/baseline.py).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp

PASSWORD = "a benchmark passphrase 42"  # noqa: S105 - throwaway users in a throwaway database
ANSWER = (
    "A B-tree index keeps keys sorted in balanced pages, so a lookup or a range scan reads a few pages "
    "instead of the whole table; the price is slower writes and more storage."
)
# A default interview plan asks 3 questions: a candidate starts a new interview after 3 answers.
ANSWERS_PER_INTERVIEW = 3


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th), NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


@dataclass
class Sample:
    endpoint: str
    status: int  # 0: no HTTP answer (connection error, client timeout)
    seconds: float
    code: str = ""  # the error envelope's code, or the stream's error event code


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    ttft: list[float] = field(default_factory=list)  # seconds to the first streamed delta

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    def of(self, endpoint: str) -> list[Sample]:
        return [s for s in self.samples if s.endpoint == endpoint]

    def ok_seconds(self, endpoint: str) -> list[float]:
        return [s.seconds for s in self.of(endpoint) if 200 <= s.status < 300 and not s.code]

    def statuses(self) -> dict[str, Counter]:
        by: dict[str, Counter] = defaultdict(Counter)
        for s in self.samples:
            by[s.endpoint][f"{s.status} {s.code}".strip()] += 1
        return dict(by)

    def errors(self) -> int:
        return sum(1 for s in self.samples if not 200 <= s.status < 300 or s.code)

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per endpoint: count, p50/p95/p99/max of the successful requests, and statuses."""
        out = {}
        for endpoint in sorted({s.endpoint for s in self.samples}):
            ok = self.ok_seconds(endpoint)
            out[endpoint] = {
                "count": len(self.of(endpoint)),
                "ok": len(ok),
                "p50": percentile(ok, 0.50),
                "p95": percentile(ok, 0.95),
                "p99": percentile(ok, 0.99),
                "max": max(ok) if ok else float("nan"),
                "statuses": dict(self.statuses()[endpoint]),
            }
        return out


class Client:
    """One aiohttp session (no connection cap) against one server."""

    def __init__(self, base_url: str, recorder: Recorder, *, timeout: float = 600) -> None:
        self.base_url = base_url
        self.recorder = recorder
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Client:
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        self.session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    async def call(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        record: bool = True,
    ) -> tuple[int, Any]:
        """One request; returns (status, parsed JSON or raw bytes). Records it under `endpoint`."""
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        status, payload, code = 0, None, ""
        try:
            async with self.session.request(method, self._url(path), json=body, headers=headers) as response:
                status = response.status
                raw = await response.read()
                if response.content_type == "application/json":
                    payload = json.loads(raw) if raw else None
                    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
                        code = payload["error"].get("code", "")
                else:
                    payload = raw
        except (TimeoutError, aiohttp.ClientError) as exc:
            code = type(exc).__name__
        if record:
            self.recorder.add(Sample(endpoint, status, time.perf_counter() - started, code))
        return status, payload

    async def stream(
        self, endpoint: str, path: str, body: dict, *, token: str, on_first: Any = None
    ) -> tuple[int, Any, float | None]:
        """A streamed answer (Accept: text/event-stream): (status, the `done` data or error envelope,
        seconds to the first delta). A server that does not stream (JSON) counts its whole answer as
        the first token: that is when its reader sees text."""
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        started = time.perf_counter()
        first: float | None = None
        status, result, code = 0, None, ""
        try:
            async with self.session.post(self._url(path), json=body, headers=headers) as response:
                status = response.status
                if response.content_type != "text/event-stream":
                    raw = await response.read()
                    result = json.loads(raw) if raw else None
                    first = time.perf_counter() - started
                    if isinstance(result, dict) and isinstance(result.get("error"), dict):
                        code = result["error"].get("code", "")
                else:
                    name = ""
                    async for line in response.content:
                        text = line.decode().rstrip("\r\n")
                        if text.startswith("event:"):
                            name = text[6:].strip()
                        elif text.startswith("data:"):
                            data = json.loads(text[5:])
                            if name == "delta" and first is None:
                                first = time.perf_counter() - started
                                if on_first is not None:
                                    on_first()
                            elif name == "done":
                                result = data
                            elif name == "error":
                                result, code = data, data.get("error", {}).get("code", "stream_error")
                    if result is None and not code:
                        code = "stream_ended_early"
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            code = type(exc).__name__
        self.recorder.add(Sample(endpoint, status, time.perf_counter() - started, code))
        if first is not None and not code:
            self.recorder.ttft.append(first)
        return status, result, first


@dataclass
class Candidate:
    """A registered user with the interview they are answering."""

    username: str
    token: str
    interview_id: int | None = None
    answered: int = 0
    opening_audio: str | None = None  # the audio_url of the current interview's opening question
    audio_urls: list[str] = field(default_factory=list)  # the replies' audio_urls, in order


async def register(client: Client, username: str) -> Candidate:
    status, body = await client.call(
        "register",
        "POST",
        "/api/auth/register/",
        {"username": username, "email": f"{username}@bench.example", "password": PASSWORD},
    )
    if status != 201:
        raise RuntimeError(f"register {username}: {status} {body}")
    return Candidate(username=username, token=body["access"])


async def start(client: Client, candidate: Candidate, *, record: bool = True) -> None:
    status, body = await client.call(
        "start",
        "POST",
        "/api/interviews/",
        {"position": "be", "topic": "databases", "language": "en"},
        token=candidate.token,
        record=record,
    )
    if status != 201:
        raise RuntimeError(f"start for {candidate.username}: {status} {body}")
    candidate.interview_id = body["id"]
    candidate.answered = 0
    candidate.opening_audio = next((m["audio_url"] for m in body.get("messages", []) if m.get("audio_url")), None)


async def answer(client: Client, candidate: Candidate, *, streamed: bool = False, content: str = ANSWER) -> int:
    """One answer (a new interview first when the current one has had its 3); returns the status."""
    if candidate.interview_id is None or candidate.answered >= ANSWERS_PER_INTERVIEW:
        await start(client, candidate)
    path = f"/api/interviews/{candidate.interview_id}/answers/"
    if streamed:
        status, result, _ = await client.stream("answer (stream)", path, {"content": content}, token=candidate.token)
    else:
        status, result = await client.call("answer", "POST", path, {"content": content}, token=candidate.token)
    if isinstance(result, dict) and isinstance(result.get("reply"), dict):
        candidate.answered += 1
        if result["reply"].get("audio_url"):
            candidate.audio_urls.append(result["reply"]["audio_url"])
    return status


async def fetch_audio(client: Client, url: str) -> int:
    status, body = await client.call("audio", "GET", url)
    if status == 200 and not (isinstance(body, bytes) and len(body) > 100):
        client.recorder.add(Sample("audio (bad body)", status, 0.0, "short_audio"))
    return status
