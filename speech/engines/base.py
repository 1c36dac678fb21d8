"""The contract every speech engine follows.

An engine is a module exposing ``synthesize(text: str, *, language: str) -> bytes`` that returns a
complete MP3 (never empty, never partial) or raises ``SpeechEngineError``.
"""

from __future__ import annotations


class SpeechEngineError(Exception):
    """A synthesis failure, already translated out of the vendor's own exception types."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class SpeechEngineTimeout(SpeechEngineError):
    """The engine did not answer in time (always retryable)."""


class AudioRejected(SpeechEngineError):
    """A speech-to-text engine refused this audio itself (unreadable, too short): sending it again fails again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)
