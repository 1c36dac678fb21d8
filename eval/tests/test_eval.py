"""The interviewer quality suite's CI subset and its own tests.

The subset: every persona, in English and Korean, for the backend position, against the practice
interviewer through the real HTTP API of a live server (pytest-django's live_server, on the suite's
settings), must hold the minimum pass rates committed in eval/thresholds.json ("ci"). The openai
provider's plumbing (structured output, one repair, the practice fallback, distrust of an injection the
model believed) runs against the fake OpenAI server, and so does the LLM judge. The criteria are shown
to fail on transcripts that break them.
"""

from __future__ import annotations

import copy
import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from accounts.throttles import RegisterIpThrottle
from eval import criteria, scorecard
from eval.bank import Bank
from eval.judge import QUESTIONS, Judge
from eval.run import play_all
from eval.simulate import Api, personas_load, run_candidate
from interviews.bank import question_load_bank

THRESHOLDS = json.loads((Path(__file__).resolve().parent.parent / "thresholds.json").read_text(encoding="utf-8"))
# The plan's questions are drawn at random by the server; the subset draws them the same way every run.
SUBSET_SEED = 20261128
# The brief's personas, each a data file.
REQUIRED_PERSONAS = {
    "strong", "mismatched-strong", "vague", "partial", "dont-know", "clarifying", "off-topic", "gibberish",
    "empty-ish", "echo", "other-language", "injection", "cv",
}  # fmt: skip


@pytest.fixture
def server(live_server, settings, monkeypatch, fake_speech):
    """The live server with the bank loaded, room for every candidate's turns and registrations."""
    question_load_bank()
    settings.DAILY_CHAT_LIMIT = 1000
    monkeypatch.setattr(RegisterIpThrottle, "rate", "100000/min", raising=False)
    random.seed(SUBSET_SEED)
    return live_server.url


@pytest.fixture
def persona():
    by_name = {p.name: p for p in personas_load()}
    return by_name.__getitem__


# --- The CI subset --------------------------------------------------------------------------------------


def test_the_practice_interviewer_holds_the_committed_thresholds_in_both_languages(server):
    # One candidate at a time: the server's threads and the order of its random draws stay as in CI.
    transcripts = play_all(base_url=server, provider="practice", positions=["be"], languages=["en", "ko"], jobs=1)

    assert len(transcripts) == 2 * len(REQUIRED_PERSONAS)
    below = scorecard.below_thresholds(transcripts, THRESHOLDS["ci"])
    failing = {
        scorecard_name(t): [f"{n}: {v['details']}" for n, v in t["criteria"].items() if v["ok"] is False]
        for t in transcripts
    }
    measured = scorecard.rates(transcripts)
    assert below == {}, {"measured": measured, "failing": {name: lines for name, lines in failing.items() if lines}}


def scorecard_name(transcript: dict) -> str:
    return f"{transcript['language']}-{transcript['position']}-{transcript['persona']}"


# --- The openai provider's plumbing, against the fake OpenAI server -------------------------------------


def test_the_openai_path_judges_with_structured_output_repairs_once_then_falls_back(server, fake_llm, persona):
    fake_llm.reply_next("Welcome to your mock interview.")  # the greeting
    fake_llm.reply_next("this is not JSON")  # the first judgement, then its repair: a valid one
    fake_llm.reply_next({"kind": "answer"})
    fake_llm.reply_next("still not JSON")  # the second judgement, and its repair: the practice fallback
    fake_llm.reply_next("{}")

    transcript = run_candidate(
        api=Api(server), bank=Bank.load(), persona=persona("strong"), position="be", language="en"
    )

    grades = criteria.grade(transcript)
    assert [t["answer"]["evaluation"]["judge"] for t in transcript["turns"]] == [
        "openai",
        "practice-fallback",
        "openai",
    ]
    assert all(grades[name]["ok"] for name in ("flow_completed", "plan_respected", "scores_in_bounds", "audio_is_mp3"))
    judgements = [
        r.body for r in fake_llm.requests_for("/v1/chat/completions") if (r.body.get("response_format") or {})
    ]
    assert len(judgements) == 5  # three judgements, one repair after the first, one after the second
    schema = judgements[0]["response_format"]
    assert schema["type"] == "json_schema"
    assert schema["json_schema"]["strict"] is True
    assert any(m["content"] == "this is not JSON" for m in judgements[1]["messages"] if m["role"] == "assistant")


def test_an_injection_the_fake_model_believes_still_moves_nothing(server, fake_llm, persona):
    # The fake judges every message a good answer (4/4/4), the injection attempts included.
    transcript = run_candidate(
        api=Api(server), bank=Bank.load(), persona=persona("injection"), position="be", language="en"
    )

    grades = criteria.grade(transcript)
    assert grades["injection_no_lever"] == {"ok": True, "details": []}
    assert grades["flow_completed"]["ok"]
    attempts = [t for t in transcript["turns"] if t["expect"].get("injection")]
    assert [t["answer"]["evaluation"]["judge"] for t in attempts] == ["practice-fallback", "practice-fallback"]


# --- The LLM judge, against the fake OpenAI server ------------------------------------------------------


@pytest.fixture
def fake_judge():
    from devtools.fakeopenai import FakeOpenAI

    with FakeOpenAI() as server:
        yield server, Judge(base_url=server.base_url, model="judge-model", timeout=5)


def test_the_judge_answers_every_question_in_strict_structured_output(fake_judge):
    fake, judge = fake_judge
    fake.reply_next({"fair_feedback": {"answer": "no", "reason": "A vague answer got 4/5."}})

    result = judge.grade(sample_transcript())

    assert result["error"] is None
    assert result["answers"]["fair_feedback"] == {"answer": "no", "reason": "A vague answer got 4/5."}
    assert {name for name, item in result["answers"].items() if item["answer"] == "yes"} == set(QUESTIONS) - {
        "fair_feedback"
    }
    request = fake.last_request.body
    assert request["model"] == "judge-model"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert "<transcript>" in request["messages"][-1]["content"]
    assert "strong" not in request["messages"][-1]["content"]  # the judge never learns the persona


def test_the_judge_repairs_an_unusable_reply_once_then_records_the_error(fake_judge):
    fake, judge = fake_judge
    fake.reply_next("<html>oops</html>")
    repaired = judge.grade(sample_transcript())
    fake.reply_next("not json")
    fake.reply_next({"tone": {"answer": "maybe"}})
    failed = judge.grade(sample_transcript())

    assert repaired["repaired"] is True
    assert repaired["error"] is None
    assert set(repaired["answers"]) == set(QUESTIONS)
    assert failed["answers"] == {}
    assert "unusable reply after one repair" in failed["error"]


def test_without_a_judge_configured_the_judged_criteria_are_skipped_and_the_scorecard_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("EVAL_JUDGE_BASE_URL", raising=False)
    monkeypatch.delenv("EVAL_JUDGE_MODEL", raising=False)
    transcript = sample_transcript()
    transcript["criteria"] = criteria.grade(transcript)

    text = scorecard.render(
        runs=[scorecard.ProviderRun(config=CONFIG, transcripts=[transcript])],
        date=datetime(2026, 11, 28),
        judge=Judge.from_environment(),
        out_dir=tmp_path,
        failures_dir=tmp_path / "failures",
        run_dir=tmp_path / "run",
        below={},
        transcript_name=lambda t: "practice-en-be-strong.json",
    )

    assert Judge.from_environment() is None
    assert "Judged criteria: **skipped**" in text
    assert "judge:" not in text.split("## The criteria")[0]


# --- The criteria can fail ------------------------------------------------------------------------------

CONFIG = {"provider": "practice", "server": "test", "daily_chat_limit": 1000, "speech": "espeak"}
MP3_HEAD = "fffb90c4"


def message(role: str, content: str, *, stage: str = "technical", evaluation: dict | None = None) -> dict:
    audio = "http://testserver/api/audio/abc.mp3" if role == "assistant" else None
    return {"role": role, "content": content, "stage": stage, "audio_url": audio, "evaluation": evaluation}


def sample_transcript() -> dict:
    """A clean two-question interview by the strong persona (one technical, one behavioural question)."""
    good = {
        "kind": "answer",
        "scores": {"correctness": 5, "depth": 4, "communication": 4},
        "covered": ["Sorted, balanced tree"],
        "missed": ["Write overhead"],
        "feedback": "Covered: Sorted, balanced tree.",
    }
    opening = message("assistant", "Hello. First question: How does a B-tree index speed up queries?")
    replies = [
        message(
            "assistant",
            "Good answer. Now a question about how you work: Tell me about a conflict.",
            stage="behavioural",
        ),
        message("assistant", "Good answer. That was my last question, thank you.", stage="closing"),
    ]
    turns = []
    states = [
        {"stage": "technical", "progress": {"asked": 1, "planned": 2}},
        {"stage": "behavioural", "progress": {"asked": 2, "planned": 2}},
        {"stage": "closing", "progress": {"asked": 2, "planned": 2}},
    ]
    for n, reply in enumerate(replies):
        turns.append(
            {
                "n": n,
                "send": "strong",
                "expect": {"kind": ["answer"], "correctness": [4, 5]},
                "content": "A B-tree keeps keys sorted in a balanced tree.",
                "asked": f"be:{n}",
                "asked_points": ["Sorted, balanced tree", "Write overhead"],
                "before": {**states[n], "plan": None},
                "after": {**states[n + 1], "plan": None},
                "status": 201,
                "answer": message("user", "A B-tree keeps keys sorted.", evaluation=copy.deepcopy(good)),
                "reply": reply,
                "reply_asks": "general:1" if n == 0 else None,
            }
        )
    messages = [opening]
    for turn in turns:
        messages += [turn["answer"], turn["reply"]]
    return {
        "persona": "strong",
        "provider": "practice",
        "position": "be",
        "language": "en",
        "errors": [],
        "unrecognised": [],
        "start": {"plan": {"technical": 1, "behavioural": 1, "personal": 0}, "stage": "technical"},
        "opening": {"message": opening, "asks": "be:0"},
        "turns": turns,
        "messages": messages,
        "report": {
            "overall": 85,
            "strengths": ["Sorted, balanced tree"],
            "improvements": ["Write overhead"],
            "answered": 2,
            "unanswered": 0,
            "summary": "Well done.",
        },
        "audio": [
            {"url": m["audio_url"], "status": 200, "content_type": "audio/mpeg", "bytes": 9000, "head": MP3_HEAD}
            for m in messages
            if m["audio_url"]
        ],
    }


def test_a_clean_transcript_passes_every_criterion_that_applies():
    grades = criteria.grade(sample_transcript())

    assert {name for name, verdict in grades.items() if verdict["ok"] is False} == set()
    assert {name for name, verdict in grades.items() if verdict["ok"]} >= {
        "flow_completed", "no_question_twice", "language_kept", "plan_respected", "no_leaked_key_point",
        "scores_in_bounds", "report_consistent", "spoken_short", "audio_is_mp3",
    }  # fmt: skip


def broken(change) -> dict:
    transcript = sample_transcript()
    change(transcript)
    return transcript


BREAKAGES = {
    "flow_completed": lambda t: t["errors"].append({"step": "answer 1", "status": 500, "body": {}}),
    "no_question_twice": lambda t: t["turns"][0].update(reply_asks="be:0"),
    "language_kept": lambda t: t["turns"][0]["reply"].update(content="좋은 답변입니다. Next question: ..."),
    "plan_respected": lambda t: t["turns"][1]["after"].update(stage="behavioural"),
    "no_leaked_key_point": lambda t: t["turns"][0]["reply"].update(content="Good. What about write overhead?"),
    "scores_in_bounds": lambda t: t["turns"][0]["answer"]["evaluation"]["scores"].update(correctness=3),
    "report_consistent": lambda t: t["report"]["strengths"].append("Write overhead"),
    "spoken_short": lambda t: t["turns"][0]["reply"].update(content="word " * 60),
    "audio_is_mp3": lambda t: t["audio"][0].update(content_type="text/html", head="3c68746d"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_each_criterion_fails_a_transcript_that_breaks_it(name):
    verdict = criteria.CRITERIA[name](broken(BREAKAGES[name]))

    assert verdict.ok is False
    assert verdict.details


def test_restating_a_question_that_names_a_point_is_no_leak_but_naming_an_unheard_point_is():
    def restated(transcript: dict) -> None:
        transcript["turns"][0]["heard"] = "First question: what is the write overhead of a B-tree index?"
        transcript["turns"][0]["reply"]["content"] = "Good. What is the write overhead of a B-tree index?"

    assert criteria.no_leaked_key_point(broken(restated)).ok is not False

    def leaked(transcript: dict) -> None:
        transcript["turns"][0]["heard"] = "First question: How does a B-tree index speed up queries?"
        transcript["turns"][0]["reply"]["content"] = "Good. What about write overhead?"

    assert criteria.no_leaked_key_point(broken(leaked)).ok is False


def test_a_clarification_that_moves_the_plan_or_gets_a_score_fails():
    def clarify(t):
        turn = t["turns"][0]
        turn["expect"] = {"kind": ["clarification"], "holds_question": True}
        turn["answer"]["evaluation"].update(kind="clarification")  # scores left on it: graded after all

    verdict = criteria.unscored_clarification_and_off_topic(broken(clarify))

    assert verdict.ok is False
    assert any("was scored" in line for line in verdict.details)
    assert any("moved the plan" in line for line in verdict.details)


def test_an_injection_judged_an_answer_fails():
    def inject(t):
        t["turns"][0]["expect"] = {"kind": ["off_topic"], "holds_question": True, "injection": True}

    assert criteria.injection_no_lever(broken(inject)).ok is False


def test_a_korean_message_may_carry_english_terms_but_not_an_english_sentence():
    def korean(text):
        def change(t):
            t["language"] = "ko"
            t["report"]["summary"] = "잘하셨습니다."
            for m in t["messages"]:
                if m["role"] == "assistant":
                    m["content"] = "좋은 답변입니다. 다음 질문입니다. Swift Concurrency(@MainActor)는 무엇인가요?"
            t["turns"][0]["reply"]["content"] = text

        return broken(change)

    assert criteria.language_kept(korean("좋습니다. B-tree와 ORDER BY는요?")).ok is True
    assert criteria.language_kept(korean("좋습니다. That covers only part of it.")).ok is False


def test_the_report_must_order_strong_above_partial_above_vague():
    def run(strong: int, partial: int, vague: int | None) -> bool | None:
        scores = {"strong": strong, "partial": partial, "vague": vague}
        return criteria.report_orders_personas(
            [{"persona": name, "report": {"overall": overall}} for name, overall in scores.items()]
        ).ok

    assert run(90, 40, 10) is True
    assert run(90, 40, None) is True  # nothing scored counts below any score
    assert run(90, 10, 40) is False
    assert run(40, 40, 10) is False


def test_a_rate_below_its_threshold_is_reported():
    good, bad = sample_transcript(), broken(BREAKAGES["spoken_short"])
    for t in (good, bad):
        t["criteria"] = criteria.grade(t)

    assert scorecard.below_thresholds([good, bad], {"spoken_short": 1.0, "audio_is_mp3": 1.0}) == {
        "spoken_short": (0.5, 1.0)
    }


# --- The suite's own data -------------------------------------------------------------------------------


def test_every_persona_the_suite_promises_is_a_data_file_that_loads():
    personas = {p.name: p for p in personas_load()}

    assert set(personas) >= REQUIRED_PERSONAS
    assert personas["cv"].cv["en"]
    assert personas["cv"].cv["ko"]


def test_every_criterion_has_a_committed_threshold_for_the_subset_and_the_full_run():
    names = {*criteria.CRITERIA, *criteria.GROUP_CRITERIA}

    assert set(THRESHOLDS["ci"]) == names
    assert set(THRESHOLDS["practice"]) == names
    assert all(0 < rate <= 1 for scope in ("ci", "practice") for rate in THRESHOLDS[scope].values())


def test_the_strong_persona_recognises_the_question_it_was_asked_in_either_language():
    bank = Bank.load()
    entry = bank.of_position("be")[0]

    for language in ("en", "ko"):
        found = bank.find(f"Good answer. Next question: {entry.question(language)}")
        assert found is not None
        assert found.entry == entry
        probe = entry.key_points(language)[1]["probe"]
        assert bank.find(f"That covers only part. {probe}").point == 1
