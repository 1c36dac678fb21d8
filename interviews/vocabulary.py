"""The words the product uses about interviews, each defined once.

Position names (for people, in English and Korean, and the aliases a CSV or a topic may use), the
limit on a candidate's message, and the one tokenizer with its stopwords that the bank's key-point
derivation, the topic ranking and the practice interviewer share.
"""

from __future__ import annotations

import re

# The longest candidate message, in characters after trimming (API.md).
ANSWER_MAX_CHARS = 4000

POSITION_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "ai": "AI / machine learning engineer",
        "be": "backend engineer",
        "fe": "frontend engineer",
        "mobile": "mobile app engineer",
        "general": "software engineer (behavioural interview)",
    },
    "ko": {
        "ai": "AI/머신러닝 엔지니어",
        "be": "백엔드 엔지니어",
        "fe": "프론트엔드 엔지니어",
        "mobile": "모바일 앱 엔지니어",
        "general": "소프트웨어 엔지니어(인성 면접)",
    },
}
LANGUAGE_NAMES = {"en": "English", "ko": "Korean (한국어)"}

POSITION_ALIASES = {
    "ai": "ai", "ml": "ai", "machine learning": "ai", "data": "ai",
    "be": "be", "backend": "be", "back-end": "be", "server": "be",
    "fe": "fe", "frontend": "fe", "front-end": "fe", "web": "fe",
    "mobile": "mobile", "android": "mobile", "ios": "mobile", "app": "mobile",
    "general": "general", "behavioral": "general", "behavioural": "general", "hr": "general",
}  # fmt: skip

# A word: letters or digits with the joiners technical terms use (c++, c#, don't, real-time).
WORD = re.compile(r"[\w+#'-]+", re.UNICODE)
STOPWORDS = frozenset({
    "about", "also", "and", "are", "been", "being", "can", "could", "describe", "does", "explain", "for", "from",
    "has", "have", "how", "into", "it's", "just", "more", "most", "only", "other", "should", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "very", "was", "were", "what",
    "what's", "when", "where", "which", "why", "will", "with", "would", "you", "your",
})  # fmt: skip


def position_label(position: str, language: str = "en") -> str:
    """How a person says the position, in the interview's language (the code itself if unknown)."""
    return POSITION_LABELS.get(language, POSITION_LABELS["en"]).get(position, position)


def position_from_label(label: str) -> tuple[str, str]:
    """("ai", "") for "AI"; ("general", "system design") for a label that names no position."""
    position = POSITION_ALIASES.get(label.strip().lower())
    return (position, "") if position else ("general", label.strip())


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order."""
    return WORD.findall(text.lower())
