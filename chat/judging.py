"""The deterministic judge: what kind of message the candidate sent, and how good an answer it is.

It is the practice interviewer's judgement and the openai provider's fallback when the LLM's own
judgement is unusable. Within the reach of a deterministic engine it judges by meaning
(interviews.matching: whole words and stems, Korean particles stripped, the bank's synonyms):
- an injection attempt ("ignore your instructions ...") and a question or request about something
  else are off-topic; a question about the question is a clarification; "I don't know" and messages
  that say nothing ("ok", "...") are non-answers: none of these is scored;
- an answer is credited with the key points of the question asked, in the interview's language or
  the other one (the bank's twin question has the same points in the same order), unless it matches
  another bank question clearly better: a strong answer to a different question earns nothing here;
- correctness follows the share of key points covered; depth the substance and reasoning; and
  communication the structure of the text.
"""

from __future__ import annotations

import re

from chat.providers.base import (
    ANSWER,
    CLARIFICATION,
    NON_ANSWER,
    OFF_TOPIC,
    Asked,
    BankQuestion,
    Judgement,
    TurnContext,
)
from interviews.matching import Text, covered_points, language_of, tokens
from interviews.vocabulary import STOPWORDS, topic_label, with_particle

# Share of key points for each correctness score (at least this share for the score).
CORRECTNESS_STEPS = ((0.8, 5), (0.6, 4), (0.4, 3), (0.2, 2))
# Another question's points this much better covered than the asked one's: the answer is to that one.
MISMATCH_MARGIN = 0.25
MISMATCH_MIN_SHARE = 0.4
# A message this short (content words) that asks what the question means is a clarification.
MAX_CLARIFICATION_WORDS = 20

_NON_ANSWER = re.compile(
    r"\b(i\s+(really\s+)?(don'?t|do\s+not)\s+know|no\s+idea|i'?m\s+not\s+sure|not\s+sure|i\s+have\s+no\s+clue|"
    r"no\s+clue|i\s+can'?t\s+(answer|remember)|i\s+forgot|i'?m\s+not\s+familiar|"
    r"(let'?s\s+)?(skip|pass)(\s+(this|it|this\s+one|the\s+question))?\s*[.!]*\s*$|next\s+question)\b"
    r"|모르겠|모릅니다|잘\s*모르|몰라요?|모름|기억이\s*안|패스|넘어가|다음\s*질문|생각이\s*안\s*나",
    re.IGNORECASE,
)
# A question about the question (never a bare noun: "which one", "for example in" are parts of answers).
_CLARIFYING = re.compile(
    r"\b(what\s+do\s+you\s+mean|do\s+you\s+mean|could\s+you\s+(clarify|repeat|rephrase|explain\s+the\s+question)|"
    r"can\s+you\s+(clarify|repeat|rephrase)|what\s+exactly\s+(do|are|is)|should\s+i\s+(focus|talk|explain|answer|cover)|"
    r"are\s+you\s+asking|is\s+(this|the\s+question)\s+about|in\s+which\s+context\s+do\s+you|"
    r"could\s+you\s+be\s+more\s+specific)\b"
    r"|무슨\s*뜻|무슨\s*의미|말씀이신가요|뜻인가요|의미인가요|다시\s*(말씀|설명)해|질문을\s*다시|어떤\s*(걸|것을|부분을)\s*말씀|"
    r"얘기인가요|이야기인가요|말씀하시는\s*건가요|말씀하시는\s*건지|기준으로\s*답하면",
    re.IGNORECASE,
)
# Candidate text that tries to instruct the interviewer or set its own score (imperatives, not nouns:
# an answer may well talk about "the system prompt" of a RAG pipeline or 프롬프트 엔지니어링).
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(of\s+)?(your|the|previous|prior|above|these|my)?\s*"
    r"(instructions|rules|prompt|guidelines)\b"
    r"|\b(print|reveal|show|repeat|tell\s+me)\s+(me\s+)?(your|the)\s+(system\s+)?(prompt|instructions)\b"
    r"|\byou\s+are\s+now\s+(a|an|my|the)\b|\bfrom\s+now\s+on,?\s+you\b"
    r"|\bgive\s+me\s+(full|max(imum)?|perfect|top|the\s+highest)\s+(marks|score|scores|points)\b"
    r"|\b(give|grade|score|rate)\s+(me|this(\s+answer)?)\s+(a\s+)?(5|10|five|ten|full)\b|\b5\s*/\s*5\b|\b10\s*/\s*10\b"
    r"|지시(를|사항을)?\s*무시|규칙(을)?\s*무시|프롬프트(를|을)?\s*(무시|보여|출력|알려)|만점(을)?\s*(주|줘)|"
    r"점수(를)?\s*(최고|만점|5점)(으로|을)?\s*(주|줘)",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^\s*(tell\s+me|give\s+me|show\s+me|write|can\s+you|could\s+you|will\s+you|please|let'?s\s+talk|"
    r"what'?s|what\s+is|how\s+is|who|where|when)\b",
    re.IGNORECASE,
)
# Words that show reasoning rather than naming things.
_REASONING = (
    "because", "so that", "therefore", "which means", "for example", "for instance", "e.g", "trade-off", "tradeoff",
    "however", "whereas", "instead", "depends on", "in practice", "the downside", "the cost",
    "때문", "따라서", "그래서", "예를 들어", "예를 들면", "반면", "대신", "트레이드오프", "단점", "장점",
    "실무에서", "경우에는",
)  # fmt: skip


def looks_like_injection(text: str) -> bool:
    """Candidate text that tries to instruct the interviewer or set its own score."""
    return bool(_INJECTION.search(text))


def judge(context: TurnContext) -> Judgement:
    """Judge the candidate's last message (`context.history[-1]`) against `context.current`."""
    message = context.history[-1].content if context.history else ""
    written_in = language_of(message) or context.language
    asked = context.current
    text = Text.of(message)
    content_words = _content_words(text.words)

    if looks_like_injection(message):
        return Judgement(kind=OFF_TOPIC, language=written_in, judge="practice", feedback=_feedback_off_topic(context))
    covered = _covered(text, asked, message)
    if _NON_ANSWER.search(message) and len(content_words) < 12:
        # What is left once "I don't know" is taken out: a question whose point is to allow "I don't
        # know" (LLM hallucination) is not answered by the phrase itself.
        rest = _NON_ANSWER.sub(" ", message)
        if not _covered(Text.of(rest), asked, rest):
            return _non_answer(context, asked, written_in)
    clarifying = bool(_CLARIFYING.search(message))
    if clarifying and len(content_words) <= MAX_CLARIFICATION_WORDS and len(text.words) >= 2:
        # "Do you mean a unique constraint on the column?" asks, even when it names a point: unscored,
        # and the question stands (a guess put as a question earns nothing either way).
        return Judgement(kind=CLARIFICATION, language=written_in, judge="practice")
    question_shaped = message.rstrip().endswith(("?", "\uff1f")) or clarifying
    if question_shaped and not covered and len(content_words) <= 40 and len(text.words) >= 2:
        if clarifying or _shares_vocabulary(content_words, context):
            return Judgement(kind=CLARIFICATION, language=written_in, judge="practice")
        return Judgement(kind=OFF_TOPIC, language=written_in, judge="practice", feedback=_feedback_off_topic(context))
    if not covered and not _shares_vocabulary(content_words, context) and _REQUEST.search(message):
        return Judgement(kind=OFF_TOPIC, language=written_in, judge="practice", feedback=_feedback_off_topic(context))
    if len(content_words) < 2 and not covered:  # "ok", "...", "hmm": says nothing
        return _non_answer(context, asked, written_in)

    if asked is not None and asked.follow_up and asked.bank is not None:
        # A follow-up probes what the answer before it missed: the two are judged together, so that
        # answering the probe adds to what was already said rather than standing alone.
        earlier = Text.of("\n".join(_earlier_answers(context, asked.bank.id)))
        covered = sorted(set(covered) | _covered_in(earlier, asked.bank, asked.bank.question))
    own_share = len(covered) / len(asked.key_points) if asked and asked.key_points else 0.0

    # Only a bank question can be confused with another bank question: a personal question cannot.
    other_question, other_share = _best_other(text, context) if asked and asked.bank else (None, 0.0)
    mismatched = other_share >= MISMATCH_MIN_SHARE and other_share >= own_share + MISMATCH_MARGIN
    points = asked.key_points if asked else []
    if mismatched:
        covered = []
    correctness = _correctness(len(covered) / len(points) if points else _topical_share(content_words, context))
    depth = min(_depth(message, content_words, correctness), correctness + 1)
    communication = min(_communication(message, text), correctness + 2)
    if mismatched:
        correctness, depth = 1, 1
    covered_texts = [points[i]["text"] for i in covered]
    missed_texts = [p["text"] for i, p in enumerate(points) if i not in covered]
    return Judgement(
        kind=ANSWER,
        correctness=correctness,
        depth=depth,
        communication=communication,
        feedback=_feedback_answer(covered_texts, missed_texts, other_question if mismatched else None, context),
        covered=covered_texts,
        missed=missed_texts,
        language=written_in,
        judge="practice",
        mismatched=mismatched,
    )


def verdict_sentence(judgement: Judgement, language: str) -> str:
    """One short spoken sentence about a judged message: no key points, no model answer."""
    ko = language == "ko"
    if judgement.kind == NON_ANSWER:
        return "괜찮습니다. 다음으로 넘어가겠습니다." if ko else "That's all right; let's move on."
    if judgement.kind != ANSWER:
        return ""
    if judgement.mismatched:
        return "다른 질문에 대한 답변처럼 들립니다." if ko else "That sounds like an answer to a different question."
    lines = {
        5: ("훌륭한 답변입니다. 핵심을 빠짐없이 짚으셨습니다.", "Excellent answer: complete and clearly explained."),
        4: ("좋은 답변입니다. 중요한 부분을 잘 짚으셨습니다.", "Good answer; you covered the main points."),
        3: (
            "괜찮은 답변이지만, 빠진 중요한 부분이 있습니다.",
            "A fair answer, though some important points were missing.",
        ),
        2: ("일부만 다룬 답변입니다.", "That covers only part of what I was looking for."),
        1: ("질문에 대한 답이 되지 못한 것 같습니다.", "That doesn't really answer the question."),
    }
    korean, english = lines[judgement.correctness or 1]
    return korean if ko else english


def clarification_reply(context: TurnContext) -> str:
    """What the practice interviewer says to a clarifying question: the scope, never the solution."""
    asked = context.current
    topic = topic_label(asked.bank.topic if asked and asked.bank else context.topic, context.language)
    if context.language == "ko":
        about = f"{with_particle(topic, '에')} 관한 질문입니다. " if topic else ""
        return f"좋은 질문입니다. {about}동료에게 설명하듯 본인의 말로 답해 주시고, 가능하면 실제 예시를 들어 주세요."
    about = f"The question is about {topic}. " if topic else ""
    return (
        f"Good question. {about}Answer in your own words, as you would explain it to a colleague, "
        "with a real example if you have one."
    )


def follow_up_probe(judgement: Judgement, asked: Asked | None, language: str) -> str:
    """A question after the most important missed point, without naming it (the bank's probe)."""
    if asked is None:
        return ""
    for point in asked.key_points:
        if point["text"] in judgement.missed and point.get("probe"):
            return point["probe"]
    return (
        "조금 더 깊이 들어가 보겠습니다. 내부적으로 어떻게 동작하고, 어떤 트레이드오프를 고려하시겠어요?"
        if language == "ko"
        else "Let's go one level deeper: how does it work under the hood, and what trade-offs would you weigh?"
    )


def _non_answer(context: TurnContext, asked: Asked | None, written_in: str) -> Judgement:
    missed = [p["text"] for p in asked.key_points] if asked else []
    feedback = (
        "모른다고 솔직하게 말하는 것도 괜찮습니다. 아래 모범 답안을 참고해 보세요."
        if context.language == "ko"
        else "Saying you don't know is fine in an interview; the model answer below shows what was expected."
    )
    return Judgement(kind=NON_ANSWER, feedback=feedback, missed=missed, language=written_in, judge="practice")


def _covered_in(text: Text, question: BankQuestion, asked_text: str = "") -> set[int]:
    """Key points of a bank question the text makes, in the question's language or its twin's; for the
    question asked (`asked_text`, as the candidate heard it), no credit for the words they heard,
    whichever language's points they would match."""
    given = Text.of(asked_text) if asked_text else None
    covered = set(covered_points(text, question.key_points, given))
    if question.twin is not None and len(question.twin.key_points) == len(question.key_points):
        covered.update(covered_points(text, question.twin.key_points, given))
    return covered


def _covered(text: Text, asked: Asked | None, message: str = "") -> list[int]:
    """Indexes of the asked question's key points the text makes. A point may also carry a `pattern`
    (a regular expression over the message), for what no list of phrases can hold: "I" and any verb."""
    if asked is None or not asked.key_points:
        return []
    if asked.bank is not None and asked.bank.key_points == asked.key_points:
        return sorted(_covered_in(text, asked.bank, asked.text or asked.bank.question))
    # A personal question names the project it asks about, and mentioning it is the point: no echo rule.
    covered = set(covered_points(text, asked.key_points))
    for index, point in enumerate(asked.key_points):
        if index not in covered and point.get("pattern") and re.search(point["pattern"], message, re.IGNORECASE):
            covered.add(index)
    return sorted(covered)


def _earlier_answers(context: TurnContext, question_id: int) -> list[str]:
    """The candidate's messages on the question in play before the last one: those after the first of
    the interviewer's messages at the end of the history that are all about this question."""
    start = None
    for index in range(len(context.history) - 2, -1, -1):
        turn = context.history[index]
        if turn.role == "assistant":
            if turn.question_id != question_id:
                break
            start = index
    if start is None:
        return []
    return [turn.content for turn in context.history[start + 1 : -1] if turn.role == "user"]


def _best_other(text: Text, context: TurnContext) -> tuple[BankQuestion | None, float]:
    """The bank question, other than the one asked, whose key points the text makes best, and the share."""
    asked_id = context.current.bank.id if context.current and context.current.bank else None
    best, best_share = None, 0.0
    for question in context.bank:
        if question.id == asked_id or not question.key_points:
            continue
        share = len(_covered_in(text, question)) / len(question.key_points)
        if share > best_share:
            best, best_share = question, share
    return best, best_share


def _content_words(words: tuple[str, ...]) -> list[str]:
    return [w for w in words if w not in _STOP_STEMS and (len(w) >= 3 or not w.isascii())]


_STOP_STEMS = frozenset(tokens(" ".join(STOPWORDS))) | frozenset(
    tokens(
        "i me my we our it its is am be a an the of in on to at as or if so not no yes ok okay um uh well like "
        "today now really think know mean"
    )
)


def _reference_words(context: TurnContext) -> set[str]:
    asked = context.current
    parts = [context.topic]
    if asked is not None:
        parts += [asked.text, asked.model_answer, asked.focus]
        for point in asked.key_points:
            parts += [point["text"], *point.get("keywords", []), *point.get("synonyms", [])]
        if asked.bank and asked.bank.twin:
            parts += [asked.bank.twin.question, asked.bank.twin.model_answer]
    return set(_content_words(tuple(tokens(" ".join(parts)))))


def _shares_vocabulary(content_words: list[str], context: TurnContext) -> bool:
    """Whether the message is about the question's subject: two of its words are the question's, or
    half of them. One shared word is chance ("by the *way*, what's the weather?")."""
    reference = _reference_words(context)
    distinct = set(content_words)
    shared = sum(w in reference for w in distinct)
    return shared >= 2 or (shared >= 1 and 2 * shared >= len(distinct))


def _topical_share(content_words: list[str], context: TurnContext) -> float:
    # A question without key points (a bank row imported without any): judge by shared vocabulary.
    reference = _reference_words(context)
    if not content_words or not reference:
        return 0.0
    return min(1.0, 3 * sum(w in reference for w in set(content_words)) / max(len(reference), 1))


def _correctness(share: float) -> int:
    return next((score for threshold, score in CORRECTNESS_STEPS if share >= threshold), 1)


def _depth(message: str, content_words: list[str], correctness: int) -> int:
    lowered = message.lower()
    reasons = sum(marker in lowered for marker in _REASONING)
    substance = len(set(content_words))
    score = 1 + (substance >= 12) + (substance >= 30) + (reasons >= 1) + (reasons >= 2 or correctness >= 4)
    return max(1, min(5, score))


_SENTENCE_END = re.compile(r"[.!?\u3002\uff1f\uff01]+|(?<=[다요죠])\s|\n+")


def _communication(message: str, text: Text) -> int:
    sentences = [s for s in _SENTENCE_END.split(message) if s.strip()]
    words = len(text.words)
    if words < 8:
        return 2
    average = words / max(len(sentences), 1)
    score = 3
    if 6 <= average <= 30:
        score += 1
    if len(sentences) >= 3:
        score += 1
    distinct = len(set(text.words)) / words
    if distinct < 0.35:  # the same words over and over
        score -= 2
    if average > 60:  # one endless sentence
        score -= 1
    return max(1, min(5, score))


def _feedback_off_topic(context: TurnContext) -> str:
    if context.language == "ko":
        return "면접 질문과 관련 없는 메시지여서 평가하지 않았습니다."
    return "This message was not about the interview question, so it was not scored."


def _feedback_answer(covered: list[str], missed: list[str], other: BankQuestion | None, context: TurnContext) -> str:
    ko = context.language == "ko"
    if other is not None:
        if ko:
            return f"이 답변은 다른 질문(“{other.question}”)에 대한 답에 가깝습니다. 질문에 맞춰 다시 연습해 보세요."
        return f"This answers a different question (“{other.question}”); practise answering the one asked."
    parts = []
    if covered:
        parts.append(("다룬 내용: " if ko else "Covered: ") + "; ".join(covered) + ".")
    if missed:
        parts.append(("빠진 내용: " if ko else "Missing: ") + "; ".join(missed) + ".")
    return " ".join(parts)
