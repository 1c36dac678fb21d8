"""The performance scenarios, each run against one target (this project, or a baseline).

A scenario times only its measured phase: candidates are registered once per target and interviews
are started before the clock starts (the answer phases measure answers). Server CPU is read from /proc
around the measured phase and divided by the answers in it; between scenarios the harness waits for
the server to go idle, so background speech synthesis left over from one does not bill the next.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.client import ANSWER, Candidate, Client, Recorder, answer, fetch_audio, percentile, register, start


@dataclass
class Target:
    name: str  # "project", "baseline sync 2", ...
    url: str
    cpu: Callable[[], float]  # CPU seconds used by the server's processes so far
    streams: bool  # whether it answers Accept: text/event-stream with a stream


async def settle(target: Target, *, idle_fraction: float = 0.03, seconds: float = 60) -> None:
    """Wait until the server uses under `idle_fraction` of a core (background speech done)."""
    deadline = time.monotonic() + seconds
    before = target.cpu()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = target.cpu()
        if now - before < 0.5 * idle_fraction:
            return
        before = now


async def gather_limited(jobs: list, limit: int) -> list:
    semaphore = asyncio.Semaphore(limit)

    async def run(job: Any) -> Any:
        async with semaphore:
            return await job

    return await asyncio.gather(*(run(job) for job in jobs))


async def candidates_register(target: Target, count: int, *, prefix: str) -> tuple[list[Candidate], dict]:
    """`count` users, registered 4 at a time (a password hash costs ~0.5 s of CPU, by design)."""
    recorder = Recorder()
    async with Client(target.url, recorder) as client:
        began = time.perf_counter()
        people = await gather_limited([register(client, f"{prefix}{n}") for n in range(count)], 4)
        seconds = time.perf_counter() - began
    return people, {"seconds": seconds, "endpoints": recorder.summary()}


async def _start_all(client: Client, people: list[Candidate]) -> None:
    await gather_limited([start(client, p) for p in people], 16)


def _phase(recorder: Recorder, wall: float, answers: int, cpu: float) -> dict:
    ok = recorder.ok_seconds("answer") + recorder.ok_seconds("answer (stream)")
    return {
        "wall": wall,
        "answers": answers,
        "answers_ok": len(ok),
        "answers_per_second": len(ok) / wall if wall else 0.0,
        "p50": percentile(ok, 0.50),
        "p95": percentile(ok, 0.95),
        "p99": percentile(ok, 0.99),
        "errors": recorder.errors(),
        "cpu_seconds": cpu,
        "cpu_ms_per_answer": 1000 * cpu / answers if answers else float("nan"),
        "endpoints": recorder.summary(),
    }


async def single(target: Target, person: Candidate, *, answers: int, latency: float) -> dict:
    """One candidate alone, answering one answer after another: the server's own time per answer."""
    await settle(target)
    recorder = Recorder()
    async with Client(target.url, recorder) as client:
        await start(client, person, record=False)
        await answer(client, person)  # warm-up: first-use costs (imports, connections) are not per answer
        recorder.samples.clear()
        for _ in range(answers):
            await answer(client, person)
    ok = recorder.ok_seconds("answer")
    return {
        "answers": answers,
        "p50": percentile(ok, 0.5),
        "min": min(ok, default=float("nan")),
        "overhead_p50": percentile(ok, 0.5) - latency,
        "errors": recorder.errors(),
        "endpoints": recorder.summary(),
    }


async def burst(target: Target, people: list[Candidate]) -> dict:
    """len(people) answers sent at the same moment: the wall time until the last reply."""
    recorder = Recorder()
    async with Client(target.url, recorder) as client:
        await _start_all(client, people)
        await settle(target)
        recorder.samples.clear()
        cpu = target.cpu()
        began = time.perf_counter()
        await asyncio.gather(*(answer(client, p) for p in people))
        wall = time.perf_counter() - began
        cpu = target.cpu() - cpu
    return _phase(recorder, wall, len(people), cpu)


async def load(target: Target, people: list[Candidate], *, answers_each: int, audio: bool) -> dict:
    """Every candidate answers `answers_each` times in a row, all candidates at once; with `audio`, each
    also fetches the audio_url of the opening and of every reply as it gets it (while going on answering,
    as a browser plays the reply while its user types), and the phase ends when every clip arrived."""
    recorder = Recorder()
    async with Client(target.url, recorder) as client:
        await _start_all(client, people)
        await settle(target)
        recorder.samples.clear()

        async def candidate(person: Candidate) -> None:
            fetches: list[asyncio.Task] = []
            if audio and person.opening_audio:
                fetches.append(asyncio.create_task(fetch_audio(client, person.opening_audio)))
            for _ in range(answers_each):
                replies = len(person.audio_urls)
                await answer(client, person)
                if audio and len(person.audio_urls) > replies:
                    fetches.append(asyncio.create_task(fetch_audio(client, person.audio_urls[-1])))
            await asyncio.gather(*fetches)

        cpu = target.cpu()
        began = time.perf_counter()
        await asyncio.gather(*(candidate(p) for p in people))
        wall = time.perf_counter() - began
        cpu = target.cpu() - cpu
    return _phase(recorder, wall, len(people) * answers_each, cpu)


async def streaming(target: Target, people: list[Candidate], llm: Any, *, sequential: int) -> dict:
    """Time to the first streamed text, minus the fake LLM's own time to its first token (its latency):
    `sequential` streamed answers one at a time (with where the time goes, from the fake's clock), then
    len(people) streamed answers at once."""
    await settle(target)
    recorder = Recorder()
    breakdown: list[dict[str, float]] = []
    async with Client(target.url, recorder) as client:
        first = people[0]
        await start(client, first, record=False)
        await answer(client, first, streamed=True)  # warm-up
        recorder.samples.clear()
        recorder.ttft.clear()
        for _ in range(sequential):
            if first.answered >= 3:
                await start(client, first, record=False)
            llm.reset()
            sent = time.monotonic()
            seen: dict[str, float] = {}
            await _stream_one(client, first, on_first=lambda seen=seen: seen.setdefault("first", time.monotonic()))
            chats = [t for t in llm.stats()["timings"] if t.get("first_chunk")]
            if chats and "first" in seen:
                breakdown.append(
                    {
                        "before_llm": chats[-1]["arrived"] - sent,
                        "after_llm_first_chunk": seen["first"] - chats[-1]["first_chunk"],
                    }
                )
        sequential_ttft = list(recorder.ttft)

        rest = people[1:]
        await _start_all(client, rest)
        await settle(target)
        recorder.ttft.clear()
        began = time.perf_counter()
        await asyncio.gather(*(_stream_one(client, p) for p in rest))
        wall = time.perf_counter() - began
        concurrent_ttft = list(recorder.ttft)
    latency = llm.latency
    return {
        "streams": target.streams,
        "sequential": {
            "n": len(sequential_ttft),
            "ttft_p50": percentile(sequential_ttft, 0.5),
            "overhead_p50": percentile(sequential_ttft, 0.5) - latency,
            "overhead_p95": percentile(sequential_ttft, 0.95) - latency,
            "before_llm_p50": percentile([b["before_llm"] for b in breakdown], 0.5),
            "after_llm_p50": percentile([b["after_llm_first_chunk"] for b in breakdown], 0.5),
        },
        "concurrent": {
            "n": len(rest),
            "wall": wall,
            "ttft_p50": percentile(concurrent_ttft, 0.5),
            "ttft_p95": percentile(concurrent_ttft, 0.95),
            "overhead_p95": percentile(concurrent_ttft, 0.95) - latency,
        },
        "errors": recorder.errors(),
        "endpoints": recorder.summary(),
    }


async def _stream_one(client: Client, person: Candidate, on_first: Callable[[], None] | None = None) -> None:
    path = f"/api/interviews/{person.interview_id}/answers/"
    _, result, _ = await client.stream(
        "answer (stream)", path, {"content": ANSWER}, token=person.token, on_first=on_first
    )
    if isinstance(result, dict) and "reply" in result:
        person.answered += 1


async def feed(target: Target, *, readers: int, seconds: float, pages: int) -> dict:
    """`readers` anonymous readers reading GET /api/feed/ back to back for `seconds`: 60% the first page,
    20% a deeper page (2..pages), 20% filtered by position. Plain GETs: no If-None-Match, no 304s."""
    await settle(target)
    recorder = Recorder()
    rng = random.Random(7)
    positions = ["ai", "be", "fe", "mobile", "general"]
    async with Client(target.url, recorder) as client:
        for _ in range(10):  # warm-up
            await client.call("warm-up", "GET", "/api/feed/", record=False)

        async def reader() -> None:
            while time.perf_counter() < deadline:
                draw = rng.random()
                if draw < 0.6:
                    await client.call("feed page 1", "GET", "/api/feed/")
                elif draw < 0.8:
                    await client.call("feed page N", "GET", f"/api/feed/?page={rng.randint(2, pages)}")
                else:
                    await client.call("feed ?position=", "GET", f"/api/feed/?position={rng.choice(positions)}")

        cpu = target.cpu()
        began = time.perf_counter()
        deadline = began + seconds
        await asyncio.gather(*(reader() for _ in range(readers)))
        wall = time.perf_counter() - began
        cpu = target.cpu() - cpu
    every = [s.seconds for s in recorder.samples if s.status == 200]
    return {
        "readers": readers,
        "requests": len(recorder.samples),
        "requests_per_second": len(recorder.samples) / wall,
        "p50": percentile(every, 0.5),
        "p95": percentile(every, 0.95),
        "p99": percentile(every, 0.99),
        "errors": recorder.errors(),
        "cpu_ms_per_request": 1000 * cpu / max(len(recorder.samples), 1),
        "endpoints": recorder.summary(),
    }
