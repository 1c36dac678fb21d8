"""Matching an answer against key points by meaning, within the reach of a deterministic engine.

Both sides, the candidate's text and a key point's terms, go through the same normalisation:
- English words are lower-cased and stemmed (Snowball's English stemmer, Porter2), so "indexes",
  "indexing" and "indexed" are one word, while "unique" never matches inside "unique tie-breaker"
  unless the term is the single word "unique";
- Korean words lose their trailing particles (은/는/이/가/을/를/에서/으로/까지 ...), and a Korean
  term matches a word that starts with it ("정규화" in "정규화된"), because Korean glues endings on;
- a term of several words matches only when its words appear consecutively.
A key point is covered when any of its terms (`keywords` or `synonyms` in the bank) matches.

Nothing here knows interviews or providers: the bank's tests and the practice interviewer share it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache

import snowballstemmer

_HANGUL_SYLLABLES = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[a-z]")
# Words: letters and digits with the joiners technical terms use (c++, c#, o(log n) -> "o", "log", "n"),
# a run of Latin letters and digits apart from a run of Hangul glued to it ("react를" -> "react", "를").
_TOKEN = re.compile(r"[0-9a-z]+(?:[+#]+|(?:[.'][0-9a-z]+)*)|[\uac00-\ud7a3]+", re.IGNORECASE)
# Korean particles and copula endings, longest first; stripped once from the end of a word that keeps
# at least one syllable.
KOREAN_PARTICLES = tuple(
    sorted(
        {
            "은", "는", "이", "가", "을", "를", "의", "에", "도", "만", "와", "과", "로", "으로", "에서", "에게",
            "한테", "께", "부터", "까지", "보다", "처럼", "마다", "이나", "나", "랑", "이랑", "하고", "이란", "란",
            "이라는", "라는", "이라고", "라고", "에는", "에서는", "으로는", "로는", "와는", "과는", "에도",
            "에서도", "으로도", "로도", "이다", "입니다", "이며", "이고", "이에요", "예요", "인데", "인",
            "들", "들은", "들이", "들을", "들의", "들도", "들에", "하는", "한", "할", "하게", "해서",
            "하며", "하면", "합니다", "했습니다", "된", "되는", "되어", "돼", "됩니다", "시키는", "적인", "적으로",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip

_PARTICLE_SET = frozenset(KOREAN_PARTICLES)
# A Snowball stemmer keeps the word it is working on in the instance: shared between the threads of a
# gthread worker, two stems interleave into garbage or an IndexError. One stemmer per thread.
_local = threading.local()


def _stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def language_of(text: str) -> str | None:
    """ "ko" or "en" by which script most of the letters are in; None for text without letters."""
    hangul = len(_HANGUL_SYLLABLES.findall(text))
    latin = len(_LATIN.findall(text.lower()))
    if not hangul and not latin:
        return None
    # A Korean sentence often carries English terms ("B-tree 인덱스"): syllables weigh three letters.
    return "ko" if hangul * 3 >= latin else "en"


def strip_particle(word: str) -> str:
    """A Korean word without its trailing particle ("인덱스를" -> "인덱스"); other words unchanged."""
    if not _HANGUL_SYLLABLES.search(word[-1:]):
        return word
    for particle in KOREAN_PARTICLES:
        if word.endswith(particle) and len(word) > len(particle):
            return word[: -len(particle)]
    return word


@lru_cache(maxsize=65536)
def normalize(word: str) -> str:
    """One token as words are compared for equality: Korean without its particle, English stemmed."""
    word = word.lower()
    if _HANGUL_SYLLABLES.match(word):
        return strip_particle(word)
    return _stem(word)


@lru_cache(maxsize=65536)
def _match_form(word: str) -> str:
    """One token as terms are matched: English stemmed; Korean as written, since a Korean term is a
    stem the answer's word may extend, and stripping both sides could cut a stem short ("체인" is
    not "체" + "인")."""
    word = word.lower()
    return word if _HANGUL_SYLLABLES.match(word) else _stem(word)


def _raw_words(text: str) -> list[str]:
    """The words of `text`, without a particle glued to a Latin word ("B-tree를" is "b", "tree")."""
    found: list[str] = []
    previous_end = -1
    for match in _TOKEN.finditer(text):
        word = match.group()
        glued = match.start() == previous_end and found and not _HANGUL_SYLLABLES.match(found[-1])
        previous_end = match.end()
        if glued and _HANGUL_SYLLABLES.match(word) and word in _PARTICLE_SET:
            continue
        found.append(word)
    return found


def tokens(text: str) -> list[str]:
    """The normalised words of `text`, in order (for comparing vocabularies)."""
    return [normalize(t) for t in _raw_words(text)]


@lru_cache(maxsize=65536)
def _term_tokens(term: str) -> tuple[str, ...]:
    return tuple(_match_form(t) for t in _raw_words(term))


def _same(term_word: str, answer_word: str) -> bool:
    if term_word == answer_word:
        return True
    if not _HANGUL_SYLLABLES.match(term_word):
        return False
    # Korean: the term is a stem the answer's word may extend ("정규화" ~ "정규화된"); a one-syllable
    # term only with a particle after it ("제" ~ "제가", not "제품").
    if len(term_word) >= 2:
        return answer_word.startswith(term_word)
    return strip_particle(answer_word) == term_word


class Text:
    """An answer prepared once for many term lookups: its words, and where each word (and, for a
    Korean word, each of its prefixes) starts."""

    __slots__ = ("_starts", "words")

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self._starts: dict[str, list[int]] = {}
        for position, word in enumerate(words):
            keys = {word}
            if _HANGUL_SYLLABLES.match(word):
                keys.update(word[:end] for end in range(2, len(word)))
                keys.add(strip_particle(word))
            for key in keys:
                self._starts.setdefault(key, []).append(position)

    @classmethod
    def of(cls, text: str) -> Text:
        return cls(tuple(_match_form(w) for w in _raw_words(text)))

    def has(self, term: str) -> bool:
        """Whether `term` (a word or a phrase) occurs in the text, its words consecutive."""
        wanted = _term_tokens(term)
        if not wanted:
            return False
        n = len(wanted)
        for start in self._starts.get(wanted[0], ()):
            if start + n <= len(self.words) and all(_same(wanted[i], self.words[start + i]) for i in range(1, n)):
                return True
        return False

    def has_any(self, terms: Iterable[str]) -> bool:
        return any(self.has(term) for term in terms)


def point_terms(point: dict) -> list[str]:
    """Every phrase that shows a key point was made: its keywords and its synonyms."""
    return [*point.get("keywords", []), *point.get("synonyms", [])]


def covered_points(text: Text, points: Sequence[dict], given: Text | None = None) -> list[int]:
    """Indexes of the key points `text` makes. A term the question itself says (`given`) shows
    nothing: repeating "write-through" back to "compare write-through and write-back" makes no point."""
    return [
        i
        for i, point in enumerate(points)
        if any(text.has(term) and not (given is not None and given.has(term)) for term in point_terms(point))
    ]


def coverage(text: Text, points: Sequence[dict]) -> float:
    """The share of `points` the text makes (0.0 without points)."""
    return len(covered_points(text, points)) / len(points) if points else 0.0
