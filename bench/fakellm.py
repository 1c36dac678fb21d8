"""The fake OpenAI server as the benchmark runs it: in a process of its own, with random failures and timings.

devtools.fakeopenai.FakeOpenAI, plus what the benchmark needs and the tests do not:
- it runs in its own process (`python bench/fakellm.py --port P ...`), so the load client's and the
  fake's threads do not share one GIL and one core's worth of Python;
- a failure *rate* per endpoint (`--chat-fail-rate`, `--speech-fail-rate`): each chat or speech call
  fails with that probability, its kind drawn from `--kinds` (FAILURE_KINDS of the fake);
- timings of every call (arrival, and for a stream its first chunk; time.monotonic(), which is the
  system-wide CLOCK_MONOTONIC on Linux, so comparable with the client's clock) and failure counts, at
  `GET /_bench/stats`; `POST /_bench/reset` clears them.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.fakeopenai import CHAT_PATH, SPEECH_PATH, FakeOpenAI  # noqa: E402 - needs the project on sys.path

STATS_PATH = "/_bench/stats"
RESET_PATH = "/_bench/reset"
DEFAULT_KINDS = ("429", "500", "503", "timeout", "drop", "garbage")


class _RandomFailures:
    """Stands in for the fake's queue of scripted failures (`_failures`): the fake asks it once per API
    call (`if queue: queue.popleft()`), and it answers a random failure kind with the rate of the path
    the current thread is handling (set by BenchFake._handle), or None to let the call through."""

    def __init__(self, fake: BenchFake) -> None:
        self.fake = fake

    def __bool__(self) -> bool:
        return True

    def popleft(self) -> str | None:
        path = getattr(self.fake.current, "path", "")
        rate = self.fake.rates.get(path, 0.0)
        with self.fake.stats_lock:
            self.fake.calls[path] = self.fake.calls.get(path, 0) + 1
            if rate <= 0 or self.fake.rng.random() >= rate:
                return None
            kinds = self.fake.speech_kinds if path == SPEECH_PATH else self.fake.kinds
            kind = self.fake.rng.choice(kinds)
            self.fake.failed[f"{path} {kind}"] = self.fake.failed.get(f"{path} {kind}", 0) + 1
            return kind


class BenchFake(FakeOpenAI):
    def __init__(self, *, chat_fail_rate: float, speech_fail_rate: float, kinds: list[str], seed: int, **kwargs):
        super().__init__(**kwargs)
        self.rates = {CHAT_PATH: chat_fail_rate, SPEECH_PATH: speech_fail_rate}
        self.kinds = kinds
        # A speech call has no "garbage JSON" to be wrong about; empty audio is its own failure.
        self.speech_kinds = [k for k in kinds if k != "garbage"] + ["empty"]
        self.rng = random.Random(seed)
        self.current = threading.local()
        self.stats_lock = threading.Lock()
        self.calls: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.timings: list[dict[str, Any]] = []
        self._failures = _RandomFailures(self)  # type: ignore[assignment] - see _RandomFailures

    def _handle(self, h: Any) -> None:
        path = h.path.split("?", 1)[0]
        if path == STATS_PATH:
            with self.stats_lock:
                h.send_json(200, {"calls": self.calls, "failed": self.failed, "timings": self.timings[-1000:]})
            return
        if path == RESET_PATH:
            h.read_body()
            with self.stats_lock:
                self.calls, self.failed, self.timings = {}, {}, []
            h.send_json(200, {})
            return
        self.current.path = path
        self.current.timing = {"path": path, "arrived": time.monotonic()}
        try:
            super()._handle(h)
        finally:
            with self.stats_lock:
                self.timings.append(self.current.timing)

    def _stream(self, h: Any, body: dict[str, Any], **kwargs: Any) -> None:
        # Called once the latency has passed, right before the first chunk goes out.
        self.current.timing["first_chunk"] = time.monotonic()
        super()._stream(h, body, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds before each answer (first chunk)")
    parser.add_argument("--stream-interval", type=float, default=0.0, help="seconds between streamed chunks")
    parser.add_argument("--chat-fail-rate", type=float, default=0.0)
    parser.add_argument("--speech-fail-rate", type=float, default=0.0)
    parser.add_argument("--kinds", default=",".join(DEFAULT_KINDS), help="failure kinds to draw from")
    parser.add_argument("--hang-seconds", type=float, default=30.0, help="how long a 'timeout' failure stalls")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    fake = BenchFake(
        port=args.port,
        latency=args.latency,
        hang_seconds=args.hang_seconds,
        chat_fail_rate=args.chat_fail_rate,
        speech_fail_rate=args.speech_fail_rate,
        kinds=[k for k in args.kinds.split(",") if k],
        seed=args.seed,
    )
    fake.stream_interval = args.stream_interval
    with fake:
        print(f"fake LLM on {fake.base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
