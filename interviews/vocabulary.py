"""The words the product uses about interviews, each defined once.

Position names (for people, in English and Korean, and the aliases a CSV or a topic may use), the
limit on a candidate's message and what makes it visible, and the one tokenizer with its stopwords
that the bank's key-point derivation, the topic ranking and the practice interviewer share.
"""

from __future__ import annotations

import re
import unicodedata

# The longest candidate message, in characters after trimming (API.md).
ANSWER_MAX_CHARS = 4000
# What makes a message say something: a letter, digit, punctuation mark or symbol (Unicode categories
# L, N, P, S). Whitespace, control and format characters (zero-width space, joiners, BOM, soft
# hyphen, tags), combining marks on their own and unassigned or private-use code points do not, nor
# do these letters and symbols that render as blank space.
VISIBLE_CATEGORIES = ("L", "N", "P", "S")
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # Hangul fillers, braille blank


def has_visible_text(text: str) -> bool:
    """True if `text` has at least one visible character (see VISIBLE_CATEGORIES)."""
    return any(
        unicodedata.category(char).startswith(VISIBLE_CATEGORIES) and char not in BLANK_LOOKALIKES for char in text
    )


# How much of an interview's opening the public feed shows in a listing.
PREVIEW_CHARS = 200

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

# Free-text topics (the original frontend's "interview topic", in Korean or English): words that name
# a position, found anywhere in the topic and taken out of it ("백엔드 개발자" -> be). Korean words
# match at the start of a word, so particles may follow (백엔드를); Latin ones match whole words.
TOPIC_POSITION_WORDS: dict[str, str] = {
    "ai": "ai", "ml": "ai", "machine learning": "ai", "artificial intelligence": "ai", "deep learning": "ai",
    "인공지능": "ai", "에이아이": "ai", "머신러닝": "ai", "딥러닝": "ai",
    "backend": "be", "back-end": "be", "back end": "be", "백엔드": "be", "백앤드": "be", "벡엔드": "be",
    "frontend": "fe", "front-end": "fe", "front end": "fe", "프론트엔드": "fe", "프런트엔드": "fe", "프론트": "fe",
    "프런트": "fe",
    "mobile": "mobile", "ios": "mobile", "android": "mobile", "모바일": "mobile", "안드로이드": "mobile",
    "아이폰": "mobile",
    "behavioral": "general", "behavioural": "general", "behavior": "general", "behaviour": "general",
    "hr": "general", "culture fit": "general", "인성": "general", "행동": "general", "컬처핏": "general",
}  # fmt: skip
# The codes, only in capitals inside a topic ("BE 개발자"): lower-case "be" is an English verb.
TOPIC_POSITION_CODES = {"BE": "be", "FE": "fe"}
# Words that hint at a position when the topic names none, and stay in the topic: technologies
# ("React" -> fe, topic "React") and loose words ("web", "서버", "data").
TOPIC_POSITION_HINTS: dict[str, str] = {
    "react": "fe", "vue": "fe", "angular": "fe", "svelte": "fe", "next.js": "fe", "javascript": "fe",
    "typescript": "fe", "html": "fe", "css": "fe", "web": "fe", "리액트": "fe", "자바스크립트": "fe", "웹": "fe",
    "django": "be", "spring": "be", "node.js": "be", "nodejs": "be", "fastapi": "be", "flask": "be",
    "database": "be", "sql": "be", "db": "be", "api": "be", "server": "be", "data structures": "be",
    "algorithms": "be", "스프링": "be", "장고": "be", "데이터베이스": "be", "서버": "be", "자료구조": "be",
    "알고리즘": "be",
    "swift": "mobile", "swiftui": "mobile", "kotlin": "mobile", "flutter": "mobile", "react native": "mobile",
    "app": "mobile", "코틀린": "mobile", "플러터": "mobile", "앱": "mobile", "어플": "mobile",
    "pytorch": "ai", "tensorflow": "ai", "llm": "ai", "nlp": "ai", "computer vision": "ai", "data": "ai",
    "데이터": "ai",
}  # fmt: skip
# Words around a position that add nothing to the topic ("백엔드 개발자 면접" is about the position only).
TOPIC_FILLER_WORDS = frozenset({
    "developer", "engineer", "interview", "mock", "position", "role", "job", "questions",
    "개발자", "엔지니어", "면접", "인터뷰", "모의", "모의면접", "직무", "포지션", "질문",
})  # fmt: skip

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


def indefinite_article(phrase: str) -> str:
    """ "an" before a vowel sound, "a" otherwise: "an AI / machine learning engineer", "a backend ..."
    (by the first letter; an initialism such as "AI" or "ML" reads letter by letter)."""
    word = phrase.split()[0] if phrase.split() else ""
    if word.isupper() and len(word) <= 4:
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    return "an" if word[:1].lower() in "aeio" else "a"


def position_from_label(label: str) -> tuple[str, str]:
    """("ai", "") for "AI"; ("general", "system design") for a label that names no position."""
    position = POSITION_ALIASES.get(label.strip().lower())
    return (position, "") if position else ("general", label.strip())


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order."""
    return WORD.findall(text.lower())


# English words that carry no topic of their own ("I want to be a frontend developer" is about the position).
ENGLISH_FUNCTION_WORDS = STOPWORDS | frozenset({
    "a", "an", "the", "of", "in", "on", "to", "at", "as", "is", "am", "be", "i", "i'm", "my", "me", "want",
    "like", "please", "let's", "start", "ready", "hi", "hello", "hey",
})  # fmt: skip
# A topic in Latin letters only reads as English when it has one of these ("backend developer",
# "questions for a junior"); a bare technology name or code ("React", "BE") says nothing of the language.
ENGLISH_TOPIC_MARKERS = ENGLISH_FUNCTION_WORDS - {"be"} | frozenset({  # "be" may be the code BE
    "developer", "developers", "engineer", "engineers", "engineering", "interview", "interviews", "position",
    "role", "job", "junior", "senior", "intern", "internship", "question", "questions", "practice", "mock",
    "backend", "back-end", "frontend", "front-end", "mobile", "behavioral", "behavioural", "software",
    "system", "design", "machine", "learning",
})  # fmt: skip
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
_HAS_HANGUL = re.compile(f"[{_HANGUL}]")
_HANGUL_RUN_END = re.compile(f"[{_HANGUL}]*")
_TOPIC_SEPARATORS = " \t\n/,.;:|·-_+&()[]"


def _topic_word_pattern() -> re.Pattern[str]:
    # One alternation, longest first, so the longest word at a place wins ("react native" over
    # "react", "데이터베이스" over "데이터") and a hint can shadow a shorter position word.
    alternatives = []
    for word in sorted({*TOPIC_POSITION_WORDS, *TOPIC_POSITION_HINTS}, key=len, reverse=True):
        if _HAS_HANGUL.search(word):
            alternatives.append(f"(?<![{_HANGUL}]){re.escape(word)}")
        else:
            alternatives.append(f"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")
    codes = "|".join(TOPIC_POSITION_CODES)
    alternatives.append(f"(?<![a-z0-9])(?-i:{codes})(?![a-z0-9])")
    return re.compile("|".join(alternatives), re.IGNORECASE)


_TOPIC_WORD = _topic_word_pattern()


def position_from_topic(topic: str) -> tuple[str, str]:
    """The position a free-text topic names, in Korean or English, and the rest of the topic.

    A word naming a position ("백엔드", "frontend", "인성", "AI", "BE") wins and leaves the topic, with
    filler words such as "개발자" or "interview": ("be", "") for "백엔드 개발자", ("fe", "React") for
    "React 프론트엔드". Without one, a technology or loose word hints at the position and stays:
    ("fe", "React") for "React". A topic that is only a label ("ML") is read as `position_from_label`
    does; a topic naming no position is a behavioural one: ("general", "system design").
    """
    topic = " ".join(topic.split())
    if topic.lower() in POSITION_ALIASES:
        return position_from_label(topic)
    named: list[tuple[re.Match[str], str]] = []  # (match, position) for words naming a position
    hinted: list[tuple[re.Match[str], str]] = []
    for match in _TOPIC_WORD.finditer(topic):
        text = match.group()
        if text in TOPIC_POSITION_CODES:
            named.append((match, TOPIC_POSITION_CODES[text]))
        elif text.lower() in TOPIC_POSITION_WORDS:
            named.append((match, TOPIC_POSITION_WORDS[text.lower()]))
        else:
            hinted.append((match, TOPIC_POSITION_HINTS[text.lower()]))
    position = (named or hinted)[0][1] if named or hinted else "general"
    rest, end = [], 0
    for match, named_position in named:
        if named_position == position:  # the position says it now; another position's word stays
            rest.append(topic[end : match.start()])
            # A Korean word goes with what is glued to it (백엔드를, 백엔드개발자).
            end = _HANGUL_RUN_END.match(topic, match.end()).end() if _HAS_HANGUL.match(match.group()) else match.end()
    rest.append(topic[end:])
    kept = [w for w in " ".join(rest).split() if w.lower() not in TOPIC_FILLER_WORDS and w.strip(_TOPIC_SEPARATORS)]
    if all(word in ENGLISH_FUNCTION_WORDS for word in words(" ".join(kept))):
        return position, ""
    return position, " ".join(kept).strip(_TOPIC_SEPARATORS)


def topic_language(topic: str, *, default: str) -> str:
    """The language a free-text topic asks for: "ko" when it has Hangul; "en" when, in Latin letters
    only, it reads as English (`ENGLISH_TOPIC_MARKERS`); else `default`."""
    if _HAS_HANGUL.search(topic):
        return "ko"
    if any(word in ENGLISH_TOPIC_MARKERS for word in words(topic)):
        return "en"
    return default


# The bank's topics as people say them in Korean (the bank names topics in English; see /api/topics/).
TOPIC_LABELS_KO: dict[str, str] = {
    "machine learning": "머신러닝", "deep learning": "딥러닝", "nlp": "자연어 처리", "llm": "LLM",
    "mlops": "MLOps", "statistics": "통계", "databases": "데이터베이스", "api design": "API 설계",
    "python": "파이썬", "system design": "시스템 설계", "caching": "캐싱", "concurrency": "동시성",
    "security": "보안", "javascript": "자바스크립트", "react": "리액트", "css": "CSS", "browser": "브라우저",
    "performance": "성능", "typescript": "타입스크립트", "accessibility": "웹 접근성", "teamwork": "팀워크",
    "conflict": "갈등 해결", "failure": "실패 경험", "leadership": "리더십", "motivation": "동기",
    "communication": "커뮤니케이션", "growth": "성장", "android": "안드로이드", "ios": "iOS",
    "cross-platform": "크로스 플랫폼", "architecture": "아키텍처", "networking": "네트워킹",
}  # fmt: skip


def topic_label(topic: str, language: str = "en") -> str:
    """A bank topic as a person says it in `language` ("databases" -> "데이터베이스")."""
    if language == "ko":
        return TOPIC_LABELS_KO.get(topic.lower(), topic)
    return topic


# Korean particles that depend on whether the word before ends in a consonant (받침): (after a
# consonant, after a vowel). "으로/로" also takes "로" after ㄹ.
_PARTICLE_PAIRS = {
    "을": ("을", "를"), "를": ("을", "를"), "은": ("은", "는"), "는": ("은", "는"), "이": ("이", "가"),
    "가": ("이", "가"), "과": ("과", "와"), "와": ("과", "와"), "으로": ("으로", "로"), "로": ("으로", "로"),
    "이나": ("이나", "나"), "나": ("이나", "나"), "이라는": ("이라는", "라는"), "라는": ("이라는", "라는"),
}  # fmt: skip
# How a word in Latin letters or digits ends when read aloud in Korean: with a consonant or not.
_DIGIT_ENDS_IN_CONSONANT = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False, "6": True,
                            "7": True, "8": True, "9": False}  # fmt: skip


_CLOSING_MARKS = " )]}\"'.\u201d\u2019"  # quotes and brackets after a word do not change how it ends


def _final_consonant(word: str) -> int | None:
    """The final consonant's index (0 for none, 8 for ㄹ) of how `word` ends when read in Korean."""
    last = word.rstrip(_CLOSING_MARKS)[-1:]
    if "\uac00" <= last <= "\ud7a3":
        return (ord(last) - 0xAC00) % 28
    if last.isdigit():
        return 8 if last in "178" else (1 if _DIGIT_ENDS_IN_CONSONANT[last] else 0)
    lower = word.rstrip(_CLOSING_MARKS).lower()
    if lower.endswith("l"):
        return 8
    # English read in Korean ends in a consonant after m, n and ng (Python -> 파이썬, Kubernetes -> 쿠버네티스
    # does not); a final k, p, t, b, d or g gets a vowel (Spark -> 스파크, React -> 리액트, Django -> 장고).
    return 1 if lower.endswith(("m", "n", "ng")) else 0


def with_particle(word: str, particle: str) -> str:
    """`word` followed by the right form of a particle: ("인덱스", "을") -> "인덱스를", ("캐시", "이") ->
    "캐시가", ("API", "을") -> "API를". No "을(를)" seams in anything the interviewer says."""
    if not word:
        return word
    consonant_form, vowel_form = _PARTICLE_PAIRS.get(particle, (particle, particle))
    final = _final_consonant(word)
    if consonant_form == "으로":
        return word + ("으로" if final not in (0, 8) else "로")
    return word + (consonant_form if final else vowel_form)


# Filler words counted in spoken answers (the report's delivery), by language; a phrase is its words
# separated by spaces. They count only as whole words: "like" is not in "likely", nor "그" in "그는".
FILLER_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("um", "uh", "er", "ah", "hmm", "like", "you know"),
    "ko": ("음", "어", "그", "저", "뭐", "약간"),
}
# Fillers that are also ordinary words ("a database like PostgreSQL", "you know the answer"): counted
# only where a pause sets them off, a comma or a full stop right after them ("it's like, slow").
FILLERS_ONLY_BEFORE_A_PAUSE = frozenset({"like", "you know"})

# The longest job description a candidate may paste at start (characters).
JOB_DESCRIPTION_MAX_CHARS = 20000
