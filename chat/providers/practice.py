"""The offline `practice` interviewer: no key, no network, deterministic.

Contract (see base.py): asks bank questions from `context.bank` (already ranked for the interview's
position, topic and language) without repeating one, reacts to each answer with short feedback built
from the key points it covered and missed (noticing empty, very short, "I don't know" and off-topic
answers), asks one follow-up after a weak answer, and writes a closing report from the same
assessments. It never raises ProviderError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.providers.base import BankQuestion, Completion, Turn, TurnContext
from interviews.vocabulary import STOPWORDS, position_label, words

_DONT_KNOW = ("don't know", "dont know", "do not know", "no idea", "not sure", "모르겠", "모릅니다", "잘 모르", "몰라")


@dataclass(frozen=True)
class Assessment:
    verdict: str  # empty | short | unknown | off_topic | weak | good | strong
    covered: list[str]
    missed: list[str]

    @property
    def ratio(self) -> float:
        total = len(self.covered) + len(self.missed)
        return len(self.covered) / total if total else 0.0


def assess(answer: str, question: BankQuestion | None) -> Assessment:
    text = answer.strip().lower()
    points = question.key_points if question else []
    covered = [p["text"] for p in points if any(k.lower() in text for k in p.get("keywords", []))]
    missed = [p["text"] for p in points if p["text"] not in covered]
    said = words(text)
    if not text:
        return Assessment("empty", [], missed)
    if any(phrase in text for phrase in _DONT_KNOW) and len(said) < 12:
        return Assessment("unknown", covered, missed)
    if len(said) < 5 and len(text) < 25:
        return Assessment("short", covered, missed)
    if question and not covered and not _shares_vocabulary(text, question):
        return Assessment("off_topic", [], missed)
    if not points:
        return Assessment("good", [], [])
    ratio = len(covered) / len(points)
    verdict = "strong" if ratio >= 0.75 else "good" if ratio >= 0.4 else "weak"
    return Assessment(verdict, covered, missed)


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOPWORDS and (len(w) >= 4 or not w.isascii())}


def _shares_vocabulary(answer: str, question: BankQuestion) -> bool:
    reference = _content_words(f"{question.question} {question.model_answer} {question.topic}")
    for keyword_list in (p.get("keywords", []) for p in question.key_points):
        reference.update(k.lower() for k in keyword_list)
    answer_words = _content_words(answer)
    # Korean attaches particles to words ("인덱스를"), so compare by shared stems, not equality.
    return any(a.startswith(r) or r.startswith(a) for a in answer_words for r in reference if min(len(a), len(r)) >= 2)


def _join(items: list[str], language: str) -> str:
    items = [i.rstrip(".") for i in items]
    if language == "ko" or len(items) < 2:
        return ", ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class PracticeProvider:
    name = "practice"
    model = "practice-v1"

    def next_turn(self, context: TurnContext) -> Completion:
        by_id = {q.id: q for q in context.bank}
        ko = context.language == "ko"
        if not context.history:
            question = self._next_question(context, asked=set())
            return self._completion(self._opening(context, question), question)

        last_question_turn = _last_assistant(context.history)
        asked_question = by_id.get(last_question_turn.question_id) if last_question_turn else None
        answer = context.history[-1].content if context.history[-1].role == "user" else ""
        assessment = assess(answer, asked_question)
        feedback = self._feedback(assessment, asked_question, context.language)

        weak = asked_question is not None and assessment.verdict in ("weak", "short") and assessment.missed
        if weak and not _already_followed_up(context.history, asked_question.id):
            gap = assessment.missed[0].rstrip(".")
            follow_up = (
                f"후속 질문입니다. '{gap}' 부분을 조금 더 자세히 설명해 주시겠어요?"
                if ko
                else f"Follow-up: could you expand on this part — {gap[0].lower() + gap[1:]}?"
            )
            return self._completion(f"{feedback}\n\n{follow_up}", asked_question)

        asked = {t.question_id for t in context.history if t.question_id is not None}
        question = self._next_question(context, asked=asked)
        if question is None:
            closing = (
                "준비한 질문은 여기까지입니다. 면접을 종료하면 전체 피드백 요약을 받아 보실 수 있습니다."
                if ko
                else "That was my last question for this topic. Finish the interview to get your summary report."
            )
            return self._completion(f"{feedback}\n\n{closing}", None)
        lead = "다음 질문입니다." if ko else "Next question:"
        return self._completion(f"{feedback}\n\n{lead} {question.question}", question)

    def closing_report(self, context: TurnContext) -> Completion:
        by_id = {q.id: q for q in context.bank}
        ko = context.language == "ko"
        assessments: list[Assessment] = []
        current: BankQuestion | None = None
        for turn in context.history:
            if turn.role == "assistant":
                current = by_id.get(turn.question_id) if turn.question_id else None
            elif current is not None:
                assessments.append(assess(turn.content, current))
        if not assessments:
            text = (
                "답변이 없어 평가할 내용이 없습니다. 다음에는 질문에 답하면서 연습해 보세요."
                if ko
                else "No answers were given, so there is nothing to assess yet. Next time, answer a few questions."
            )
            return Completion(content=text, model=self.model, latency_ms=0)
        average = sum(a.ratio for a in assessments) / len(assessments)
        strengths = _unique(p for a in assessments for p in a.covered)[:4]
        gaps = _unique(p for a in assessments for p in a.missed)[:4]
        score = round(average * 100)
        if ko:
            verdict = (
                "훌륭합니다" if average >= 0.7 else "좋은 출발입니다" if average >= 0.4 else "더 준비가 필요합니다"
            )
            lines = [f"면접 요약: 답변 {len(assessments)}개, 핵심 포인트 평균 {score}% 언급. 종합: {verdict}."]
            if strengths:
                lines.append("잘한 점: " + _join(strengths, "ko") + ".")
            if gaps:
                lines.append("보완할 점: " + _join(gaps, "ko") + ".")
            lines.append("답변은 결론부터 말하고, 구체적인 예시와 트레이드오프를 덧붙이면 더 좋아집니다.")
        else:
            verdict = "strong" if average >= 0.7 else "a solid start" if average >= 0.4 else "needs more preparation"
            lines = [
                f"Interview summary: {len(assessments)} answers, covering on average {score}% of the key points. "
                f"Overall: {verdict}."
            ]
            if strengths:
                lines.append("Strengths: " + _join(strengths, "en") + ".")
            if gaps:
                lines.append("To improve: " + _join(gaps, "en") + ".")
            lines.append("Tip: lead with the conclusion, then support it with a concrete example and its trade-offs.")
        return Completion(content="\n".join(lines), model=self.model, latency_ms=0)

    def _opening(self, context: TurnContext, question: BankQuestion | None) -> str:
        if context.language == "ko":
            role = position_label(context.position, "ko")
            topic = f" ({context.topic})" if context.topic else ""
            first = question.question if question else "자기소개를 간단히 부탁드립니다."
            return (
                f"안녕하세요! {role}{topic} 모의 면접을 시작하겠습니다. 한 번에 한 질문씩 드리겠습니다."
                f"\n\n첫 번째 질문입니다. {first}"
            )
        role = position_label(context.position)
        topic = f", focusing on {context.topic}" if context.topic else ""
        first = question.question if question else "Please introduce yourself briefly."
        return (
            f"Hello and welcome to your mock interview for a {role} position{topic}. "
            f"I'll ask one question at a time.\n\nFirst question: {first}"
        )

    def _feedback(self, a: Assessment, question: BankQuestion | None, language: str) -> str:
        if not question:
            return "답변 감사합니다." if language == "ko" else "Thank you for your answer."
        missed = _join(a.missed[:3], language)
        covered = _join(a.covered, language)
        if language == "ko":
            templates = {
                "empty": "답변이 비어 있습니다.",
                "short": "답변이 너무 짧습니다. 면접에서는 몇 문장으로 설명해 주세요. "
                f"좋은 답변에는 {missed} 내용이 들어갑니다.",
                "unknown": "모른다고 솔직하게 말하는 것도 괜찮습니다. 참고로, " + _first_sentence(question),
                "off_topic": f"질문과 관련이 적은 답변으로 보입니다. 좋은 답변에는 {missed} 내용이 들어갑니다.",
                "weak": (f"{covered}은(는) 언급하셨지만, " if a.covered else "")
                + f"핵심 포인트가 빠졌습니다: {missed}.",
                "good": f"좋은 답변입니다. {covered}을(를) 잘 짚으셨습니다."
                + (f" {missed}까지 언급하면 더 좋습니다." if a.missed else ""),
                "strong": f"훌륭한 답변입니다. {covered}을(를) 모두 잘 설명하셨습니다."
                + (f" 덧붙이자면 {missed}도 있습니다." if a.missed else ""),
            }
        else:
            templates = {
                "empty": "The answer was empty.",
                "short": "That answer is very short; in an interview, aim for a few sentences. "
                f"A strong answer covers: {missed}.",
                "unknown": "It's fine to say you don't know. For reference: " + _first_sentence(question),
                "off_topic": f"That doesn't seem to address the question. A strong answer covers: {missed}.",
                "weak": f"You touched on {covered}, but the answer misses key points: {missed}."
                if a.covered
                else f"Your answer misses the key points: {missed}.",
                "good": f"Good answer: you covered {covered}."
                + (f" To make it stronger, also mention {missed}." if a.missed else ""),
                "strong": f"Excellent answer: you covered {covered}."
                + (f" One more point worth adding: {missed}." if a.missed else ""),
            }
        return templates[a.verdict]

    @staticmethod
    def _next_question(context: TurnContext, *, asked: set[int | None]) -> BankQuestion | None:
        return next((q for q in context.bank if q.id not in asked), None)

    def _completion(self, text: str, question: BankQuestion | None) -> Completion:
        return Completion(content=text, model=self.model, latency_ms=0, question_id=question.id if question else None)


def _last_assistant(history: list[Turn]) -> Turn | None:
    return next((t for t in reversed(history) if t.role == "assistant"), None)


def _already_followed_up(history: list[Turn], question_id: int) -> bool:
    asked = [t for t in history if t.role == "assistant" and t.question_id == question_id]
    return len(asked) >= 2


def _first_sentence(question: BankQuestion) -> str:
    answer = question.model_answer.strip()
    match = re.search(r"(.+?[.!?。])(\s|$)", answer)
    return match.group(1) if match else answer


def _unique(items) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
