import pytest

from chat.providers.base import BankQuestion, Turn, TurnContext
from chat.providers.practice import PracticeProvider, assess
from chat.services import bank_for_interview

INDEX_QUESTION = BankQuestion(
    id=1,
    topic="databases",
    question="How does a database index speed up queries, and what does it cost?",
    model_answer="An index is a sorted B-tree over column values. It speeds up reads but slows writes.",
    key_points=[
        {"text": "B-tree structure", "keywords": ["b-tree", "btree", "balanced tree"]},
        {"text": "Faster reads", "keywords": ["faster read", "speeds up read", "lookup"]},
        {"text": "Slower writes", "keywords": ["slower write", "slows write", "write cost", "insert"]},
        {"text": "Extra storage", "keywords": ["storage", "disk space", "memory"]},
    ],
)
CACHE_QUESTION = BankQuestion(
    id=2,
    topic="caching",
    question="What is cache invalidation and why is it hard?",
    model_answer="Invalidation removes stale entries.",
    key_points=[{"text": "Stale data", "keywords": ["stale"]}, {"text": "TTL", "keywords": ["ttl", "expir"]}],
)
KO_QUESTION = BankQuestion(
    id=3,
    topic="databases",
    question="인덱스는 어떻게 조회 속도를 높이나요?",
    model_answer="인덱스는 정렬된 B-tree 구조입니다. 읽기는 빨라지지만 쓰기는 느려집니다.",
    key_points=[
        {"text": "B-tree 구조", "keywords": ["b-tree", "비트리", "트리"]},
        {"text": "읽기 성능 향상", "keywords": ["읽기", "조회"]},
        {"text": "쓰기 비용 증가", "keywords": ["쓰기", "삽입"]},
    ],
)


def context(history, language="en", bank=(INDEX_QUESTION, CACHE_QUESTION)) -> TurnContext:
    return TurnContext(position="be", topic="databases", language=language, history=list(history), bank=list(bank))


def test_it_opens_with_the_best_matching_bank_question():
    completion = PracticeProvider().next_turn(context([]))
    assert INDEX_QUESTION.question in completion.content
    assert completion.question_id == INDEX_QUESTION.id


def test_it_names_covered_and_missed_key_points():
    history = [
        Turn("assistant", "Q", INDEX_QUESTION.id),
        Turn("user", "An index is a B-tree, so lookups are fast, but every insert pays a write cost."),
    ]
    completion = PracticeProvider().next_turn(context(history))
    assert "B-tree structure" in completion.content
    assert "Slower writes" in completion.content
    assert "Extra storage" in completion.content  # the one point it missed
    assert CACHE_QUESTION.question in completion.content
    assert completion.question_id == CACHE_QUESTION.id


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("", "empty"),
        ("b-tree", "short"),
        ("I don't know, sorry.", "unknown"),
        ("My favourite football team won the league yesterday after a great season.", "off_topic"),
        ("The index is stored as a b-tree on the column so the planner can use it efficiently.", "weak"),
        ("A b-tree index makes lookup faster; each insert has a write cost and it uses storage.", "strong"),
    ],
)
def test_it_tells_apart_kinds_of_answers(answer, verdict):
    assert assess(answer, INDEX_QUESTION).verdict == verdict


def test_a_weak_answer_gets_one_follow_up_then_the_next_question():
    weak = "It is stored as a tree structure on a column to help the database engine."
    history = [Turn("assistant", "Q", INDEX_QUESTION.id), Turn("user", weak)]
    follow_up = PracticeProvider().next_turn(context(history))
    assert "Follow-up" in follow_up.content
    assert follow_up.question_id == INDEX_QUESTION.id
    history += [Turn("assistant", follow_up.content, follow_up.question_id), Turn("user", weak)]
    moved_on = PracticeProvider().next_turn(context(history))
    assert moved_on.question_id == CACHE_QUESTION.id


def test_it_never_repeats_a_question_and_says_when_it_has_run_out():
    provider = PracticeProvider()
    history: list[Turn] = []
    asked = []
    for _ in range(3):
        completion = provider.next_turn(context(history))
        asked.append(completion.question_id)
        good = "A b-tree index: lookup is faster, insert has a write cost, uses storage; stale data and ttl expiry."
        history += [Turn("assistant", completion.content, completion.question_id), Turn("user", good)]
    assert asked[:2] == [INDEX_QUESTION.id, CACHE_QUESTION.id]
    assert asked[2] is None
    assert "last question" in history[-2].content


def test_a_long_interview_over_the_real_bank_has_no_repeats(bank):
    questions = bank_for_interview(position="be", topic="databases", language="en", seed=7)
    provider = PracticeProvider()
    history: list[Turn] = []
    seen = []
    for _ in range(len(questions)):
        completion = provider.next_turn(context(history, bank=questions))
        seen.append(completion.question_id)
        history += [Turn("assistant", completion.content, completion.question_id), Turn("user", "I don't know")]
    assert len(seen) == len(set(seen)) == len(questions) >= 30
    assert questions[0].topic == "databases"


def test_korean_interview_gets_korean_feedback():
    opening = PracticeProvider().next_turn(context([], language="ko", bank=[KO_QUESTION]))
    assert opening.content.startswith("안녕하세요")
    history = [
        Turn("assistant", opening.content, KO_QUESTION.id),
        Turn("user", "인덱스는 B-tree 구조라서 조회가 빨라집니다."),
    ]
    reply = PracticeProvider().next_turn(context(history, language="ko", bank=[KO_QUESTION]))
    assert "B-tree 구조" in reply.content
    assert "쓰기 비용 증가" in reply.content
    assert "준비한 질문은 여기까지" in reply.content


def test_korean_answer_with_particles_still_matches_keywords():
    assert assess("쓰기가 느려지고 조회를 빠르게 하는 트리를 씁니다.", KO_QUESTION).verdict == "strong"


def test_closing_report_summarises_strengths_and_gaps():
    history = [
        Turn("assistant", "Q1", INDEX_QUESTION.id),
        Turn("user", "A b-tree index makes lookup faster but each insert costs."),
        Turn("assistant", "Q2", CACHE_QUESTION.id),
        Turn("user", "I don't know."),
    ]
    report = PracticeProvider().closing_report(context(history)).content
    assert "2 answers" in report
    assert "Strengths: B-tree structure" in report
    assert "Extra storage" in report
    assert "TTL" in report


def test_closing_report_with_no_answers_says_so():
    report = PracticeProvider().closing_report(context([Turn("assistant", "Q", 1)])).content
    assert "No answers" in report
