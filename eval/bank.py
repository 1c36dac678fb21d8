"""The question bank as the simulated candidates know it: read from the bank's JSON files, not from the
server, so a candidate recognises the question it was asked the way a person would, by its wording.

`Bank.find(text)` says which bank question (or which key point's follow-up probe) an interviewer message
asks, by looking for the question texts of both languages inside the message (the longest found wins).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK_DIR = ROOT / "interviews" / "questions"
LANGUAGES = ("en", "ko")


def other_language(language: str) -> str:
    return "ko" if language == "en" else "en"


@dataclass(frozen=True)
class Entry:
    """One bank question in both languages (the JSON file's entry)."""

    key: str  # "<position>:<index in its file>", stable for a given bank
    position: str
    topic: str
    texts: dict  # language -> {"question", "answer", "key_points"}

    def question(self, language: str) -> str:
        return self.texts[language]["question"].strip()

    def answer(self, language: str) -> str:
        return self.texts[language]["answer"].strip()

    def key_points(self, language: str) -> list[dict]:
        return self.texts[language]["key_points"]


@dataclass(frozen=True)
class Found:
    """What an interviewer message asks: a bank question, or the probe of one of its key points."""

    entry: Entry
    language: str  # the language of the text found in the message
    point: int | None = None  # the key point whose probe was found (a follow-up), else None

    @property
    def key(self) -> str:
        return self.entry.key if self.point is None else f"{self.entry.key}#probe{self.point}"


class Bank:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._needles: list[tuple[str, Found]] = []
        for entry in entries:
            for language in LANGUAGES:
                self._needles.append((entry.question(language), Found(entry, language)))
                for index, point in enumerate(entry.key_points(language)):
                    if (point.get("probe") or "").strip():
                        self._needles.append((point["probe"].strip(), Found(entry, language, index)))
        # Longest first: a question that contains a shorter one is the one asked.
        self._needles.sort(key=lambda needle: len(needle[0]), reverse=True)

    @classmethod
    def load(cls, directory: Path = BANK_DIR) -> Bank:
        entries = []
        for path in sorted(directory.glob("*.json")):
            for index, raw in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                texts = {language: raw[language] for language in LANGUAGES}
                entries.append(Entry(f"{raw['position']}:{index}", raw["position"], raw["topic"], texts))
        return cls(entries)

    def find(self, text: str) -> Found | None:
        """The bank question or probe the message asks, or None (a personal question, a closing)."""
        for needle, found in self._needles:
            if needle and needle in text:
                return found
        return None

    def of_position(self, position: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.position == position]

    def topics(self, position: str) -> list[str]:
        return sorted({entry.topic for entry in self.of_position(position)})

    def elsewhere(self, entry: Entry) -> Entry | None:
        """A question of the same position on another topic, picked deterministically: the one half the
        position's bank away, so that a run does not always lean on the same few questions."""
        pool = self.of_position(entry.position)
        others = [other for other in pool if other.topic != entry.topic]
        if not others:
            return None
        start = (pool.index(entry) + len(pool) // 2) % len(pool)
        ordered = pool[start:] + pool[:start]
        return next(other for other in ordered if other.topic != entry.topic)
