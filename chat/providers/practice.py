"""The offline `practice` interviewer: no key, no network, deterministic.

Contract (see base.py): `greeting` welcomes the candidate to the position (and names the CV's first
skills when a CV grounds the interview); `react` judges the candidate's last message with the
deterministic judge (chat.judging: by meaning, in either language, against the question asked and
not another), says one sentence of verdict, answers a clarifying question with the question's scope
(never its solution) and probes the most important missed point with the bank's probe question;
`summarize` words a computed report in two to four sentences. It never raises ProviderError.
"""

from __future__ import annotations

from chat.judging import clarification_reply, follow_up_probe, judge, verdict_sentence
from chat.providers.base import ANSWER, CLARIFICATION, Completion, Reaction, TextSink, TurnContext, Usage
from interviews.vocabulary import indefinite_article, position_label, topic_label, with_particle

# The CV's skills named in the greeting, at most this long together (a long pair is cut to one, or none).
MAX_GREETING_SKILLS_CHARS = 24


class PracticeProvider:
    name = "practice"
    model = "practice-v2"

    def greeting(self, context: TurnContext) -> Completion:
        # Short: the first question follows it in the same spoken message, and the whole should take
        # under 60 words (200 characters in Korean) to listen to.
        skills = context.cv_summary.get("skills", [])[:2] if context.cv_summary else []
        if len(", ".join(skills)) > MAX_GREETING_SKILLS_CHARS:
            skills = skills[:1] if len(skills[0]) <= MAX_GREETING_SKILLS_CHARS else []
        if context.language == "ko":
            role = position_label(context.position, "ko")
            topic = f" ({topic_label(context.topic, 'ko')})" if context.topic else ""
            text = f"안녕하세요! {role}{topic} 모의 면접을 시작합니다."
            if skills:
                text += f" 이력서의 {with_particle(', '.join(skills), '도')} 함께 보겠습니다."
        else:
            role = position_label(context.position)
            topic = f", on {context.topic}" if context.topic else ""
            text = f"Hello! This is your mock interview for {indefinite_article(role)} {role} role{topic}."
            if skills:
                text += f" We'll also talk about {' and '.join(skills)}."
        return Completion(content=text, model=self.model, latency_ms=0)

    def react(self, context: TurnContext, on_text: TextSink | None = None) -> Reaction:
        # Judged at once: nothing to preview (the turn flow streams the composed reply's words).
        judgement = judge(context)
        clarification = clarification_reply(context) if judgement.kind == CLARIFICATION else ""
        weak = judgement.kind == ANSWER and (judgement.correctness or 1) <= 2 and not judgement.mismatched
        follow_up = follow_up_probe(judgement, context.current, context.language) if weak else ""
        return Reaction(
            judgement=judgement,
            verdict=verdict_sentence(judgement, context.language),
            usage=Usage(model=self.model, latency_ms=0),
            clarification=clarification,
            follow_up=follow_up,
        )

    def summarize(self, context: TurnContext, report: dict) -> Completion:
        return Completion(content=summary_text(report, context.language), model=self.model, latency_ms=0)


def summary_text(report: dict, language: str) -> str:
    """Two to four sentences about a computed report, in the interview's language, from its numbers."""
    ko = language == "ko"
    overall = report.get("overall")
    answered, unanswered = report.get("answered", 0), report.get("unanswered", 0)
    if overall is None:
        return (
            "평가할 답변이 없어 점수를 매기지 않았습니다. 다음에는 질문에 답하면서 연습해 보세요."
            if ko
            else "There were no answers to assess, so there is no score. Next time, answer a few questions."
        )
    if ko:
        band = "훌륭합니다" if overall >= 75 else "좋은 출발입니다" if overall >= 50 else "더 준비가 필요합니다"
        lines = [f"답변 {answered}개를 평가했고 종합 점수는 {overall}점으로, {band}."]
        if unanswered:
            lines.append(f"답하지 못한 질문이 {unanswered}개 있었습니다.")
        strengths, improvements = report.get("strengths", []), report.get("improvements", [])
        if strengths:
            lines.append(f"{with_particle(strengths[0], '을')} 잘 설명하셨습니다.")
        if improvements:
            lines.append(f"{with_particle(improvements[0], '을')} 보완하면 더 좋아집니다.")
        return " ".join(lines)
    band = "strong" if overall >= 75 else "a solid start" if overall >= 50 else "in need of more preparation"
    lines = [
        f"You answered {answered} question{'s' if answered != 1 else ''} for an overall score of {overall}: {band}."
    ]
    if unanswered:
        lines.append(f"{unanswered} question{'s were' if unanswered != 1 else ' was'} left unanswered.")
    strengths, improvements = report.get("strengths", []), report.get("improvements", [])
    if strengths:
        lines.append(f"You explained {_mid_sentence(strengths[0])} well.")
    if improvements:
        lines.append(f"Work next on {_mid_sentence(improvements[0])}.")
    return " ".join(lines)


def _mid_sentence(point: str) -> str:
    """A key point as it reads inside a sentence: "Joins and ..." -> "joins and ...", "ACID ..." stays."""
    if len(point) > 1 and point[0].isupper() and point[1].islower():
        return point[0].lower() + point[1:]
    return point
