"""The question bank is what the practice interviewer judges with: these tests hold it to that job.

They read the bank's JSON files directly (no database): every key point must be recognisable in its
own model answer, must not be recognisable in the answers to other questions, and its follow-up
probe must ask after it without giving it away.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviews.bank import BANK_DIR
from interviews.matching import Text, covered_points, point_terms

POSITIONS = ("ai", "be", "fe", "general", "mobile")
LANGUAGES = ("en", "ko")
# Words so common in any technical answer that, alone, they show nothing was understood.
TOO_GENERIC = frozenset({
    "data", "use", "using", "used", "system", "value", "values", "time", "code", "way", "thing", "make",
    "read", "write", "count", "once", "function", "process", "good", "better", "problem", "work", "change",
    "데이터", "사용", "시스템", "값", "시간", "코드", "방법", "문제", "작업", "변경", "처리", "기능",
})  # fmt: skip


def _entries(position: str) -> list[dict]:
    return json.loads((BANK_DIR / f"{position}.json").read_text(encoding="utf-8"))


def _cases(position: str):
    for index, entry in enumerate(_entries(position)):
        for language in LANGUAGES:
            yield pytest.param(entry, language, id=f"{position}-{index}-{language}")


ALL = [case for position in POSITIONS for case in _cases(position)]


@pytest.mark.parametrize("position", POSITIONS)
def test_key_points_are_aligned_across_languages(position):
    for entry in _entries(position):
        en, ko = entry["en"]["key_points"], entry["ko"]["key_points"]
        assert len(en) == len(ko) >= 3, entry["en"]["question"]


@pytest.mark.parametrize(("entry", "language"), ALL)
def test_every_key_point_has_terms_synonyms_and_a_probe(entry, language):
    for point in entry[language]["key_points"]:
        assert point["keywords"], point["text"]
        assert point.get("synonyms"), f"no synonyms for {point['text']!r}"
        assert point.get("probe", "").strip().endswith(("?", "요?", "까?")), f"no probe question for {point['text']!r}"
        generic = [t for t in point_terms(point) if t.strip().lower() in TOO_GENERIC]
        assert not generic, f"{point['text']!r} is credited by generic words alone: {generic}"


@pytest.mark.parametrize(("entry", "language"), ALL)
def test_a_model_answer_covers_its_own_key_points(entry, language):
    body = entry[language]
    covered = covered_points(Text.of(body["answer"]), body["key_points"])
    missing = [p["text"] for i, p in enumerate(body["key_points"]) if i not in covered]
    assert len(covered) / len(body["key_points"]) >= 0.8, f"{body['question']!r} misses {missing}"


@pytest.mark.parametrize(("entry", "language"), ALL)
def test_a_probe_does_not_give_its_key_point_away(entry, language):
    for point in entry[language]["key_points"]:
        probe = Text.of(point["probe"])
        leaked = [t for t in point_terms(point) if probe.has(t)]
        assert not leaked, f"the probe for {point['text']!r} says {leaked}"
        assert point["text"].lower().rstrip(".") not in point["probe"].lower()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("position", POSITIONS)
def test_a_model_answer_is_not_credited_for_other_questions(position, language):
    """An answer is recognised as an answer to its own question: no other question of the position
    gets as many of its key points credited, and none more than 40% of them."""
    bodies = [entry[language] for entry in _entries(position)]
    problems = []
    for body in bodies:
        text = Text.of(body["answer"])
        own = len(covered_points(text, body["key_points"])) / len(body["key_points"])
        for other in bodies:
            if other is body:
                continue
            share = len(covered_points(text, other["key_points"])) / len(other["key_points"])
            if share > 0.4 or share >= own:
                problems.append(f"{body['question'][:50]!r} covers {share:.0%} of {other['question'][:50]!r}")
    assert not problems, "\n".join(problems)


def test_bank_directory_holds_every_position():
    assert sorted(p.stem for p in Path(BANK_DIR).glob("*.json")) == sorted(POSITIONS)
