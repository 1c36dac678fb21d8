"""The report computed from an interview's evaluation rows (interviews/reports.py)."""

from __future__ import annotations

import pytest

from interviews.models import Evaluation, Interview, Message, Question
from interviews.reports import report_build
from interviews.tests.factories import EvaluationFactory, InterviewFactory, MessageFactory, QuestionFactory

pytestmark = pytest.mark.django_db

ANSWER = Evaluation.Kind.ANSWER
NON_ANSWER = Evaluation.Kind.NON_ANSWER
CLARIFICATION = Evaluation.Kind.CLARIFICATION
OFF_TOPIC = Evaluation.Kind.OFF_TOPIC


def turn(
    interview: Interview,
    *,
    kind: str = ANSWER,
    scores: tuple[int, int, int] | None = (3, 3, 3),
    question: Question | None = None,
    covered: list[str] | None = None,
    missed: list[str] | None = None,
    stage: str = "technical",
    slot: int | None = 0,
    content: str = "An answer.",
    spoken_seconds: float | None = None,
) -> Evaluation:
    """One exchange of the transcript: the interviewer asks (`question`, if any), the candidate
    writes `content`, and the candidate's message is judged as `kind` with `scores`."""
    MessageFactory(interview=interview, question=question, stage=stage, slot=slot, act="ask")
    answer = MessageFactory(
        interview=interview,
        role=Message.Role.USER,
        content=content,
        stage=stage,
        slot=slot,
        spoken_seconds=spoken_seconds,
    )
    correctness, depth, communication = scores if kind == ANSWER else (None, None, None)
    return EvaluationFactory(
        message=answer,
        kind=kind,
        correctness=correctness,
        depth=depth,
        communication=communication,
        question=question,
        covered=covered or [],
        missed=missed or [],
    )


@pytest.fixture
def interview() -> Interview:
    return InterviewFactory(status=Interview.Status.FINISHED)


# --- Scores ---------------------------------------------------------------------------------------


def test_its_scores_are_the_answers_means_on_a_0_to_100_scale(interview):
    turn(interview, scores=(5, 4, 3))
    turn(interview, scores=(3, 2, 3))

    report = report_build(interview=interview)

    # Means 4, 3 and 3 on 1-5 are 75, 50 and 50; overall 0.5*75 + 0.3*50 + 0.2*50 = 62.5, rounded half up.
    assert report["dimensions"] == {"correctness": 75, "depth": 50, "communication": 50}
    assert report["overall"] == 63
    assert (report["answered"], report["unanswered"]) == (2, 0)


def test_its_scores_round_half_up(interview):
    turn(interview, scores=(4, 4, 4))
    turn(interview, scores=(3, 3, 3))

    report = report_build(interview=interview)

    # A mean of 3.5 is 62.5: 63, not the 62 that rounding half to even would give.
    assert report["dimensions"] == {"correctness": 63, "depth": 63, "communication": 63}
    assert report["overall"] == 63


def test_a_non_answer_counts_as_the_lowest_score_and_as_unanswered(interview):
    turn(interview, scores=(5, 5, 5))
    turn(interview, kind=NON_ANSWER)

    report = report_build(interview=interview)

    # Correctness and depth: (5 + 1) / 2 = 3 -> 50. Communication is judged on answers only.
    assert report["dimensions"] == {"correctness": 50, "depth": 50, "communication": 100}
    assert report["overall"] == 60  # 0.5*50 + 0.3*50 + 0.2*100
    assert (report["answered"], report["unanswered"]) == (1, 1)


def test_clarifications_and_off_topic_messages_change_nothing(interview):
    turn(interview, scores=(4, 3, 2), covered=["indexes speed up reads"], missed=["writes get slower"])
    before = report_build(interview=interview)

    turn(interview, kind=CLARIFICATION, covered=["a point only a question mentioned"], missed=["another point"])
    turn(interview, kind=OFF_TOPIC, missed=["an off-topic point"], stage="behavioural")
    after = report_build(interview=interview)

    assert after == before
    assert after["answered"] == 1
    assert after["stages"] == {"technical": before["stages"]["technical"]}


def test_with_nothing_answered_or_declined_every_score_is_null(interview):
    turn(interview, kind=CLARIFICATION)
    turn(interview, kind=OFF_TOPIC)

    report = report_build(interview=interview)

    assert report["overall"] is None
    assert report["dimensions"] == {"correctness": None, "depth": None, "communication": None}
    assert report["stages"] == {}
    assert (report["answered"], report["unanswered"]) == (0, 0)


def test_an_interview_without_any_evaluation_has_null_scores_and_empty_lists(interview):
    report = report_build(interview=interview)

    assert report["overall"] is None
    assert report["dimensions"] == {"correctness": None, "depth": None, "communication": None}
    assert (report["strengths"], report["improvements"], report["delivery"]) == ([], [], None)


def test_only_non_answers_score_zero_and_leave_communication_unscored(interview):
    turn(interview, kind=NON_ANSWER)
    turn(interview, kind=NON_ANSWER)

    report = report_build(interview=interview)

    assert report["dimensions"] == {"correctness": 0, "depth": 0, "communication": None}
    assert report["overall"] == 0
    assert report["unanswered"] == 2


def test_each_stage_is_scored_from_its_own_evaluations(interview):
    turn(interview, scores=(5, 5, 5), stage="technical")
    turn(interview, scores=(3, 3, 3), stage="technical")
    turn(interview, kind=NON_ANSWER, stage="behavioural")
    turn(interview, scores=(4, 4, 5), stage="personal")
    turn(interview, kind=CLARIFICATION, stage="closing")

    report = report_build(interview=interview)

    # technical: means 5 and 3 -> 4 -> 75; behavioural: 1 -> 0; personal: 13/3 -> 83.3 -> 83.
    assert report["stages"] == {"technical": 75, "behavioural": 0, "personal": 83}
    assert list(report["stages"]) == ["technical", "behavioural", "personal"]


def test_an_evaluation_without_a_stage_takes_its_messages_stage(interview):
    evaluation = turn(interview, scores=(5, 5, 5), stage="behavioural")
    Evaluation.objects.filter(pk=evaluation.pk).update(stage="")

    assert report_build(interview=interview)["stages"] == {"behavioural": 100}


# --- Strengths and improvements -------------------------------------------------------------------


def test_the_report_is_consistent_with_its_transcript(interview):
    turn(interview, covered=["B-tree lookups"], missed=["composite index order", "write cost"], slot=0)
    # The follow-up on the same slot draws out a point the first answer missed.
    turn(interview, covered=["composite index order"], missed=["write cost"], slot=1)
    turn(interview, kind=NON_ANSWER, missed=["cache invalidation", "TTL"], slot=2)
    turn(interview, kind=CLARIFICATION, covered=["only asked about TTL"], slot=3)

    report = report_build(interview=interview)

    evaluations = Evaluation.objects.filter(message__interview=interview)
    covered = {text for e in evaluations.filter(kind=ANSWER) for text in e.covered}
    missed = {text for e in evaluations.filter(kind__in=[ANSWER, NON_ANSWER]) for text in e.missed}
    assert set(report["strengths"]) <= covered
    assert set(report["improvements"]) <= missed
    assert not set(report["strengths"]) & set(report["improvements"])
    assert report["strengths"] == ["B-tree lookups", "composite index order"]
    assert report["improvements"] == ["write cost", "cache invalidation", "TTL"]


def test_a_point_covered_earlier_is_never_an_improvement(interview):
    turn(interview, covered=["Write Cost"])
    turn(interview, missed=["write  cost", "normalisation"])  # the same point, spelt differently

    report = report_build(interview=interview)

    assert report["strengths"] == ["Write Cost"]
    assert report["improvements"] == ["normalisation"]


def test_strengths_and_improvements_are_unique_and_at_most_five(interview):
    turn(interview, covered=["a", "b", "c"], missed=["m1", "m2", "m3"])
    turn(interview, covered=["b", "d", "e", "f", "g"], missed=["m2", "m4", "m5", "m6"])

    report = report_build(interview=interview)

    assert report["strengths"] == ["a", "b", "c", "d", "e"]
    assert report["improvements"] == ["m1", "m2", "m3", "m4", "m5"]


# --- Practice -------------------------------------------------------------------------------------


def test_practice_prefers_the_weakest_topic_and_skips_asked_questions(interview):
    databases_asked = QuestionFactory(topic="databases")
    QuestionFactory(topic="databases")
    caching_asked = QuestionFactory(topic="caching")
    caching_1 = QuestionFactory(topic="caching")
    caching_2 = QuestionFactory(topic="caching")
    teamwork_asked = QuestionFactory(position="general", topic="teamwork")
    QuestionFactory(position="general", topic="teamwork", language="ko", question="팀워크 질문?")
    teamwork = QuestionFactory(position="general", topic="teamwork")
    QuestionFactory(position="fe", topic="caching")  # another position's topic of the same name
    turn(interview, question=databases_asked, scores=(5, 5, 5))
    turn(interview, question=caching_asked, scores=(2, 2, 2))
    turn(interview, question=teamwork_asked, kind=NON_ANSWER, stage="behavioural")

    report = report_build(interview=interview)

    # Weakest first: the declined behavioural question (general/teamwork), then caching (2/5).
    assert report["practice"] == [
        {"question_id": teamwork.pk, "question": teamwork.question},
        {"question_id": caching_1.pk, "question": caching_1.question},
        {"question_id": caching_2.pk, "question": caching_2.question},
    ]


def test_practice_falls_back_to_other_questions_of_the_position_in_the_interviews_language(interview):
    asked = QuestionFactory(topic="caching")
    QuestionFactory(position="be", language="ko", question="한국어 질문?")
    QuestionFactory(position="ai", topic="nlp")
    python_1 = QuestionFactory(topic="python")
    python_2 = QuestionFactory(topic="python")
    databases = QuestionFactory(topic="databases")
    turn(interview, question=asked, scores=(1, 1, 1))

    report = report_build(interview=interview)

    assert [item["question_id"] for item in report["practice"]] == [python_1.pk, python_2.pk, databases.pk]


def test_a_question_asked_without_evaluation_is_never_suggested(interview):
    asked = QuestionFactory(topic="caching")
    other = QuestionFactory(topic="caching")
    MessageFactory(interview=interview, question=asked)  # asked, but the interview ended before an answer

    report = report_build(interview=interview)

    assert [item["question_id"] for item in report["practice"]] == [other.pk]


def test_a_follow_up_without_a_question_belongs_to_its_plan_slots_question(interview):
    databases = QuestionFactory(topic="databases")
    caching = QuestionFactory(topic="caching")
    caching_next = QuestionFactory(topic="caching")
    QuestionFactory(topic="databases")
    interview.plan_items = [
        {"stage": "technical", "question_id": databases.pk},
        {"stage": "technical", "question_id": caching.pk},
    ]
    interview.save()
    turn(interview, question=databases, scores=(4, 4, 4), slot=0)
    turn(interview, question=None, scores=(1, 2, 2), slot=1)  # judged with no question named

    report = report_build(interview=interview)

    assert report["practice"][0] == {"question_id": caching_next.pk, "question": caching_next.question}
    assert caching.pk not in [item["question_id"] for item in report["practice"]]


# --- Delivery -------------------------------------------------------------------------------------


def test_delivery_is_null_when_nothing_was_spoken(interview):
    turn(interview, content="Typed, not spoken.")
    turn(interview, content="Um, spoken in no time.", spoken_seconds=0)

    assert report_build(interview=interview)["delivery"] is None


def test_delivery_measures_pace_and_counts_english_fillers_as_whole_words(interview):
    # 10 words: um, i, think, like, you, know, indexes, are, likely, useful; "likely" is not "like".
    turn(interview, content="Um, I think, like, you know, indexes are likely useful.", spoken_seconds=4)
    turn(interview, content="Hmm. Uh, they cost writes; umbrella err.", spoken_seconds=2)  # 7 words
    turn(interview, content="Typed: um um um um.")  # not spoken: not counted
    MessageFactory(interview=interview, content="Um, like, the interviewer's own words.", spoken_seconds=3)

    delivery = report_build(interview=interview)["delivery"]

    assert delivery["fillers"] == {"um": 1, "uh": 1, "hmm": 1, "like": 1, "you know": 1}
    assert delivery["words_per_minute"] == 170  # 17 words in 6 seconds
    assert delivery["filler_rate"] == 0.294  # 5 / 17


def test_delivery_counts_korean_fillers_only_as_standalone_words(interview):
    interview.language = "ko"
    interview.save()
    # 8 words; "그러니까" and "저는" start like fillers but are not.
    turn(interview, content="음 그러니까 저는 인덱스를 약간 써요 그 뭐", spoken_seconds=4)

    delivery = report_build(interview=interview)["delivery"]

    assert delivery["fillers"] == {"음": 1, "그": 1, "뭐": 1, "약간": 1}
    assert delivery["words_per_minute"] == 120
    assert delivery["filler_rate"] == 0.5


# --- Shape and cost -------------------------------------------------------------------------------


def test_it_has_the_api_report_keys_without_summary_plus_its_counts(interview):
    interview.plan_items = [{"stage": "technical", "question_id": None}] * 3
    interview.asked = 2
    interview.save()

    report = report_build(interview=interview)

    assert set(report) == {
        "overall",
        "dimensions",
        "stages",
        "strengths",
        "improvements",
        "practice",
        "delivery",
        "answered",
        "unanswered",
        "asked",
        "planned",
    }
    assert (report["asked"], report["planned"]) == (2, 3)


def _long_interview(turns: int) -> Interview:
    interview = InterviewFactory(status=Interview.Status.FINISHED)
    questions = [QuestionFactory(topic=f"topic {i % 4}") for i in range(turns)]
    interview.plan_items = [{"stage": "technical", "question_id": q.pk} for q in questions]
    interview.save()
    for slot, question in enumerate(questions):
        kind = NON_ANSWER if slot % 3 == 0 else ANSWER
        turn(
            interview,
            kind=kind,
            question=question,
            slot=slot,
            covered=[f"point {slot}"],
            missed=[f"missed {slot}"],
            spoken_seconds=5,
        )
        if slot % 2:  # no question named: its plan slot says which (the costliest path)
            Evaluation.objects.filter(message__interview=interview, slot=slot).update(question=None)
    return interview


@pytest.mark.parametrize("turns", [2, 12])
def test_it_reads_in_a_fixed_number_of_queries_and_writes_nothing(turns, django_assert_max_num_queries):
    interview = _long_interview(turns)

    with django_assert_max_num_queries(4) as captured:
        report = report_build(interview=interview)

    assert report["answered"] + report["unanswered"] == turns
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in captured.captured_queries)
