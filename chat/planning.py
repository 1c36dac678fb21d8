"""The interview plan: how many questions per stage, and which ones, decided by the server at start.

Stages come in a fixed order: technical (the position's bank), behavioural (the bank's general
questions), personal (built from the candidate's CV or the job description), then closing. Each
planned question is one slot; a follow-up after a weak answer takes the stage's next slot, so the
cost of an interview is known at start: the opening, one reply per slot, and the report
(`turns_for`). Nothing the candidate writes changes the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from chat.providers.base import Asked, BankQuestion
from interviews.models import Stage
from interviews.selectors import question_list_ranked
from interviews.vocabulary import STOPWORDS, with_particle

PLANNED_STAGES = (Stage.TECHNICAL, Stage.BEHAVIOURAL, Stage.PERSONAL)
# Fits the default daily limit (5): the opening, three replies and the report.
DEFAULT_PLAN = {Stage.TECHNICAL: 2, Stage.BEHAVIOURAL: 1, Stage.PERSONAL: 0}
# With a CV or a job description one technical question makes room for a personal one.
DEFAULT_GROUNDED_PLAN = {Stage.TECHNICAL: 1, Stage.BEHAVIOURAL: 1, Stage.PERSONAL: 1}
# A behavioural interview (position "general") has no technical stage.
DEFAULT_GENERAL_PLAN = {Stage.TECHNICAL: 0, Stage.BEHAVIOURAL: 3, Stage.PERSONAL: 0}
DEFAULT_GENERAL_GROUNDED_PLAN = {Stage.TECHNICAL: 0, Stage.BEHAVIOURAL: 2, Stage.PERSONAL: 1}
MAX_PER_STAGE = 5
MAX_QUESTIONS = 8


def turns_for(questions: int) -> int:
    """Quota units a whole interview of `questions` slots costs: the opening, a reply each, the report."""
    return questions + 2


def default_plan(*, position: str, grounded: bool) -> dict[str, int]:
    if position == "general":
        plan = DEFAULT_GENERAL_GROUNDED_PLAN if grounded else DEFAULT_GENERAL_PLAN
    else:
        plan = DEFAULT_GROUNDED_PLAN if grounded else DEFAULT_PLAN
    return {str(stage): count for stage, count in plan.items()}


def plan_shrunk(plan: dict[str, int], *, questions: int) -> dict[str, int]:
    """The plan cut to `questions` slots, dropping from the last stages first (personal, behavioural)."""
    shrunk = dict(plan)
    excess = sum(shrunk.values()) - questions
    for stage in reversed(PLANNED_STAGES):
        cut = min(excess, shrunk[stage])
        shrunk[stage] -= cut
        excess -= cut
    return shrunk


@dataclass(frozen=True)
class Grounding:
    """What the personal stage is built from."""

    skills: list[str]
    projects: list[str]
    job_skills: list[str]


def plan_items(
    *, position: str, topic: str, language: str, plan: dict[str, int], grounding: Grounding, seed: int
) -> tuple[dict[str, int], list[dict]]:
    """The planned questions, one per slot in stage order, and the plan as it could be filled (a
    stage asks for more questions than the bank holds: it gets what there is)."""
    items: list[dict] = []
    filled: dict[str, int] = {}
    for stage in PLANNED_STAGES:
        wanted = plan.get(stage, 0)
        if stage == Stage.TECHNICAL:
            picked = [] if position == "general" else _bank_items(position, topic, language, seed, wanted, stage)
        elif stage == Stage.BEHAVIOURAL:
            behavioural_topic = topic if position == "general" else ""
            picked = _bank_items("general", behavioural_topic, language, seed, wanted, stage)
        else:
            picked = personal_items(grounding=grounding, language=language, count=wanted)
        filled[str(stage)] = len(picked)
        items += picked
    return filled, items


def _bank_items(position: str, topic: str, language: str, seed: int, count: int, stage: str) -> list[dict]:
    if count <= 0:
        return []
    questions = question_list_ranked(position=position, topic=topic, language=language, seed=seed)[:count]
    return [{"stage": str(stage), "question_id": q.pk} for q in questions]


def personal_items(*, grounding: Grounding, language: str, count: int) -> list[dict]:
    """Personal questions built from the CV's projects and skills and the job description's skills,
    each with a rubric of what a good answer to such a question shows (a situation, the candidate's
    own actions, a result, and the thing asked about)."""
    ko = language == "ko"
    questions: list[tuple[str, str]] = []
    for project in grounding.projects:
        if ko:
            text = (
                f"이력서에 “{project}” 경험이 있습니다. "
                "이 프로젝트에서 직접 맡은 역할과 가장 어려웠던 결정은 무엇이었나요?"
            )
        else:
            text = (
                f"Your CV mentions “{project}”. "
                "What was your own part in it, and what was the hardest decision you made?"
            )
        questions.append((text, project))
    for skill in grounding.skills:
        if ko:
            text = (
                f"보유 기술로 {with_particle(skill, '을')} 적으셨습니다. {with_particle(skill, '으로')} "
                "실제 문제를 해결한 경험을 상황, 본인이 한 일, 결과 순서로 말씀해 주세요."
            )
        else:
            text = (
                f"You list {skill} among your skills. Tell me about a real problem you solved with it: "
                "the situation, what you did, and the result."
            )
        questions.append((text, skill))
    for skill in grounding.job_skills:
        if skill in grounding.skills:
            continue
        if ko:
            text = (
                f"채용 공고에서 {with_particle(skill, '을')} 요구합니다. {with_particle(skill, '을')} 써 본 경험이 "
                "있다면, 무엇을 만들었고 무엇을 배웠는지 말씀해 주세요."
            )
        else:
            text = (
                f"The job description asks for {skill}. "
                "Where have you used it, what did you build, and what did you learn?"
            )
        questions.append((text, skill))
    if not questions:
        if ko:
            text = (
                "가장 자랑스러운 프로젝트 하나를 소개해 주세요. 본인의 역할, 어려웠던 결정, 그리고 결과를 중심으로요."
            )
        else:
            text = "Tell me about a project you are proud of: your role, a hard decision you made, and the result."
        questions.append((text, ""))
    # Alternate projects and skills so two personal questions are not both about projects.
    ordered = questions[::2] + questions[1::2] if len(grounding.projects) > 1 else questions
    return [
        {"stage": str(Stage.PERSONAL), "question": text, "focus": focus, "key_points": personal_rubric(focus, language)}
        for text, focus in ordered[:count]
    ]


def personal_rubric(focus: str, language: str) -> list[dict]:
    """What a good answer to a personal question shows, as key points the judge can find."""
    ko = language == "ko"
    points = [
        {
            "text": "구체적인 상황이나 프로젝트" if ko else "A concrete situation or project",
            "keywords": ["project", "at my company", "in my previous", "at my last", "last year", "our team",
                         "프로젝트", "당시", "회사에서", "팀에서", "이전 직장", "서비스를"],
            "synonyms": ["when i was", "we were building", "in one project", "작년에", "재직"],
            "probe": "그 일이 있었던 때와 상황을 조금 더 구체적으로 말씀해 주시겠어요?"
            if ko
            else "Can you set the scene a little more: when and where did this happen?",
        },
        {
            "text": "본인이 직접 한 일과 결정" if ko else "Your own actions and decisions",
            "keywords": ["i built", "i implemented", "i designed", "i decided", "i led", "i wrote", "i chose",
                         "my role", "제가", "저는", "담당", "맡아", "직접"],
            "synonyms": ["i was responsible", "i proposed", "i took", "i refactored", "i introduced", "주도"],
            # "I" or "we" and a verb in the past: what the candidate did, whatever the verb.
            "pattern": r"\b(i|we)\s+(\w+ed|built|led|wrote|made|chose|took|ran|set|did|found|drove|got|began|"
            r"brought|cut|rewrote|kept|put|split|thought|knew|sent|spent|taught|understood|won)\b|제가|저희가|직접",
            "probe": "그중 지원자님이 직접 하신 일은 정확히 무엇이었나요?"
            if ko
            else "Which part of that did you do yourself, and why that way?",
        },
        {
            "text": "결과와 그 크기" if ko else "The result, ideally measured",
            "keywords": ["result", "reduced", "improved", "increased", "percent", "faster", "saved", "launched",
                         "결과", "개선", "줄였", "단축", "향상", "증가", "절감"],
            "synonyms": ["as a result", "in the end", "which cut", "went down", "went up", "그 덕분에", "결국"],
            "probe": "그 일로 무엇이 달라졌나요? 숫자로 말씀하실 수 있을까요?"
            if ko
            else "What changed because of it, and can you put a number on it?",
        },
    ]  # fmt: skip
    if focus:
        # A project is named by its telling words ("payments ledger"), a skill by its name.
        telling = [w for w in focus.split() if len(w) >= 4 and w.lower().strip(".,()") not in STOPWORDS]
        points.append(
            {
                "text": "프로젝트와 기술 이야기" if ko else "The project or skill asked about",
                "keywords": [focus, *telling[:6]],
                "synonyms": [],
                "probe": "그때 사용한 기술은 구체적으로 어떤 역할을 했나요?"
                if ko
                else "What role did the technology itself play in the solution?",
            }
        )
    return points


def asked_for_item(*, item: dict, slot: int, bank: dict[int, BankQuestion]) -> Asked:
    """A planned slot as the question in play."""
    if "question_id" in item:
        question = bank.get(item["question_id"])
        if question is not None:
            return Asked(
                stage=item["stage"], slot=slot, text=question.question, bank=question, key_points=question.key_points
            )
        # Staff deleted the bank question after the plan was made: ask nothing about its content.
        return Asked(stage=item["stage"], slot=slot, text="", key_points=[])
    return Asked(
        stage=item["stage"],
        slot=slot,
        text=item["question"],
        key_points=item.get("key_points", []),
        focus=item.get("focus", ""),
    )
