"""What the interviewer says: the spoken messages, composed by the server from a provider's parts.

A spoken message is made for listening: one sentence of verdict, then the next question (or the
clarification, the way back to the question, the closing). Key-point lists and model answers never
go in it; they live in the evaluation, on screen. Korean particles follow the final consonant.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.providers.base import ANSWER, CLARIFICATION, NON_ANSWER, OFF_TOPIC, Asked, Judgement, Reaction
from interviews.models import Stage

# What an interviewer message does (Message.act).
QUESTION, FOLLOW_UP, CLARIFY, REDIRECT, CLOSING = "question", "follow_up", "clarify", "redirect", "closing"
# The spoken message's length we aim under (words); the verdict is one sentence.
SPOKEN_WORDS_TARGET = 60


@dataclass(frozen=True)
class Move:
    """The server's decision after a candidate message: what the interviewer does next."""

    act: str
    asked: Asked | None  # the question in play after this message (None when closing)
    advances: bool  # whether the message used up its slot (an answer or a non-answer)


def decide(*, judgement: Judgement, current: Asked | None, upcoming: Asked | None, follow_up: str) -> Move:
    """The next move, by the plan and the judgement alone: a clarification or an off-topic message
    keeps the same question; an answer moves on, to a follow-up in the same stage when the answer was
    weak and the stage has a slot left (never two follow-ups in a row), else to the next planned
    question, else to the closing."""
    if judgement.kind in (CLARIFICATION, OFF_TOPIC) and current is not None and current.text:
        return Move(act=CLARIFY if judgement.kind == CLARIFICATION else REDIRECT, asked=current, advances=False)
    weak = judgement.kind == ANSWER and (judgement.correctness or 1) <= 2 and not judgement.mismatched
    same_stage_slot = upcoming is not None and current is not None and upcoming.stage == current.stage
    if weak and follow_up and same_stage_slot and not current.follow_up and current.bank is not None:
        asked = Asked(
            stage=current.stage,
            slot=upcoming.slot,
            text=follow_up,
            bank=current.bank,
            key_points=current.key_points,
            follow_up=True,
        )
        return Move(act=FOLLOW_UP, asked=asked, advances=True)
    if upcoming is not None:
        return Move(act=QUESTION, asked=upcoming, advances=True)
    return Move(act=CLOSING, asked=None, advances=True)


def opening(*, greeting: str, first: Asked | None, language: str) -> str:
    if first is None:
        return greeting
    return f"{greeting}\n\n{_lead(first, previous_stage=None, language=language)} {first.text}"


def reply(
    *,
    reaction: Reaction,
    move: Move,
    previous: Asked | None,
    interview_language: str,
) -> str:
    """The spoken reply to the candidate's message."""
    ko = interview_language == "ko"
    judgement = reaction.judgement
    note = _language_note(judgement, interview_language)
    if move.act == CLARIFY:
        return _join(reaction.clarification, note, move.asked.text if _restate(reaction.clarification) else "")
    if move.act == REDIRECT:
        back = "면접 질문으로 돌아가겠습니다." if ko else "Let's keep to the interview."
        return _join(back, note, move.asked.text)
    verdict = reaction.verdict
    if move.act == FOLLOW_UP:
        return _join(verdict, note, move.asked.text)
    if move.act == QUESTION:
        lead = _lead(move.asked, previous_stage=previous.stage if previous else None, language=interview_language)
        return _join(verdict, note, f"{lead} {move.asked.text}")
    closing = (
        "준비한 질문은 여기까지입니다. 수고하셨습니다. 면접을 마치면 결과 리포트를 보실 수 있습니다."
        if ko
        else "That was my last question, thank you. Finish the interview to see your report."
    )
    return _join(verdict, note, closing)


def _restate(clarification: str) -> bool:
    # The clarification and the question again must stay short enough to listen to.
    return len(clarification.split()) <= 30


def _lead(asked: Asked, *, previous_stage: str | None, language: str) -> str:
    ko = language == "ko"
    if previous_stage is None:
        return "첫 번째 질문입니다." if ko else "First question:"
    if asked.stage == previous_stage:
        return "다음 질문입니다." if ko else "Next question:"
    if asked.stage == Stage.BEHAVIOURAL:
        return "이번에는 경험에 관한 질문입니다." if ko else "Now a question about how you work:"
    if asked.stage == Stage.PERSONAL:
        return "이제 지원자님의 경험에 대해 여쭙겠습니다." if ko else "Now, about your own experience:"
    return "다음 질문입니다." if ko else "Next question:"


def _language_note(judgement: Judgement, interview_language: str) -> str:
    if not judgement.language or judgement.language == interview_language:
        return ""
    if judgement.kind in (ANSWER, NON_ANSWER):
        if interview_language == "ko":
            return "답변은 이해했습니다. 이번 면접은 한국어로 진행하니, 이어서 한국어로 답해 주세요."
        return "I understood your answer; this interview is in English, so please continue in English."
    return "이번 면접은 한국어로 진행합니다." if interview_language == "ko" else "This interview is in English."


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def plan_shrunk_notice(*, questions: int, remaining: int, language: str) -> str:
    """What the start says when the default plan was cut to fit today's remaining turns."""
    if language == "ko":
        return (
            f"오늘 남은 횟수({remaining}회)에 맞춰 질문을 {questions}개로 줄였습니다. "
            "면접과 결과 리포트를 오늘 모두 마칠 수 있습니다."
        )
    return (
        f"The plan was shortened to {questions} question{'s' if questions != 1 else ''} to fit the {remaining} turns "
        "left today, so you can finish the interview and get its report today."
    )
