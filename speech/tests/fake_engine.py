"""A speech engine for tests, registered as `fake` and selected by the `fake_speech` fixture (conftest.py).

It speaks the engine contract (base.py) and can be slowed down, broken or emptied; it counts calls.
"""

from __future__ import annotations

import threading
import time

import lameenc

from speech.engines.base import SpeechEngineError

calls: list[str] = []
delay = 0.0
fail: str | None = None  # None, "error" or "empty"
_lock = threading.Lock()


def silent_mp3(seconds: float = 0.5, sample_rate: int = 22050) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(5)
    pcm = b"\x00\x00" * int(seconds * sample_rate)
    return encoder.encode(pcm) + encoder.flush()


def reset() -> None:
    global delay, fail
    with _lock:
        calls.clear()
    delay, fail = 0.0, None


def synthesize(text: str, *, language: str) -> bytes:
    with _lock:
        calls.append(text)
    time.sleep(delay)
    if fail == "error":
        raise SpeechEngineError("the fake engine is down")
    if fail == "empty":
        return b""
    return silent_mp3(0.2 + len(text) / 100)
