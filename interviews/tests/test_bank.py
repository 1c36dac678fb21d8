import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from interviews.bank import BANK_DIR, derive_key_points, question_import_csv, question_load_bank
from interviews.models import Question

pytestmark = pytest.mark.django_db


def test_the_bank_has_enough_questions_in_both_languages():
    question_load_bank()
    counts = Counter(Question.objects.values_list("position", "language"))
    for position in ("ai", "be", "fe", "mobile"):
        assert counts[(position, "en")] >= 30
        assert counts[(position, "ko")] >= 30
    assert counts[("general", "en")] >= 20
    assert counts[("general", "ko")] >= 20


def test_every_bank_question_has_a_model_answer_and_3_to_6_key_points_with_keywords():
    for path in BANK_DIR.glob("*.json"):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            for language in ("en", "ko"):
                body = entry[language]
                assert body["question"].strip()
                assert body["answer"].strip()
                assert 3 <= len(body["key_points"]) <= 6, body["question"]
                for point in body["key_points"]:
                    assert point["text"]
                    assert point["keywords"]
                    assert all(k == k.lower() for k in point["keywords"])


def test_loading_the_bank_twice_changes_nothing():
    first = question_load_bank()
    total = Question.objects.count()
    second = question_load_bank()
    assert second.imported == 0
    assert second.duplicates == first.imported == total


MESSY_CSV = (
    "\ufeffposition,question,topic,example_answer\r\n"
    'be,"What is an index?",databases,"An index is a sorted structure.\nIt speeds up reads, slows writes."\r\n'
    "Backend,What is a deadlock?,concurrency,Two transactions wait on each other's locks forever.\r\n"
    "chef,How do you cook rice?,food,With water.\r\n"
    "fe,,react,An empty question.\r\n"
    'be,"What is an index?",databases,"A duplicate of line 2."\r\n'
    "ai,데이터 누수란 무엇인가요?,ml,학습 데이터에 테스트 정보가 섞이는 현상입니다. 검증 점수가 부풀려집니다.\r\n"
    "fe,What is a closure?,javascript,A function with its scope,extra cell\r\n"
)


def test_csv_import_takes_valid_rows_skips_duplicates_and_reports_bad_lines():
    report = question_import_csv(data=MESSY_CSV.encode("utf-8"))
    assert report.imported == 3
    assert report.duplicates == 1
    assert [line for line, _ in report.errors] == [5, 6, 9]
    assert "unknown position 'chef'" in report.errors[0][1]
    index = Question.objects.get(question="What is an index?")
    assert index.model_answer.startswith("An index is a sorted structure.\nIt speeds")
    assert index.source == "import"
    assert len(index.key_points) >= 1
    assert Question.objects.get(question="What is a deadlock?").position == "be"
    assert Question.objects.get(question="데이터 누수란 무엇인가요?").language == "ko"


def test_csv_import_honours_a_language_column():
    data = (
        "position,question,topic,example_answer,language\n"
        "fe,Qu'est-ce que le DOM?,dom,Un arbre.,fr\n"
        "fe,What is CSS?,css,Style sheets.,en\n"
    )
    report = question_import_csv(data=data.encode())
    assert report.imported == 1
    assert report.errors == [(2, "unknown language 'fr' (expected en or ko)")]


def test_csv_import_refuses_a_file_without_the_required_columns():
    report = question_import_csv(data=b"question,answer\nWhat?,That.\n")
    assert report.imported == 0
    assert "missing column(s): position, topic, example_answer" in report.errors[0][1]


def test_csv_import_refuses_a_non_utf8_file():
    report = question_import_csv(data="position,question,topic,example_answer\nbe,Qué?,x,y\n".encode("latin-1"))
    assert report.errors
    assert "not UTF-8" in report.errors[0][1]


def test_import_questions_command_reports_bad_lines(tmp_path: Path, capsys):
    path = tmp_path / "questions.csv"
    path.write_text(MESSY_CSV, encoding="utf-8")
    call_command("import_questions", str(path))
    out, err = capsys.readouterr()
    assert "Imported 3 question(s); skipped 1 duplicate(s) and 3 bad row(s)." in out
    assert f"{path}:5: unknown position" in err
    call_command("import_questions", str(path))
    assert "Imported 0 question(s); skipped 4 duplicate(s)" in capsys.readouterr().out


def test_import_questions_command_fails_on_a_missing_file(tmp_path: Path):
    with pytest.raises(CommandError):
        call_command("import_questions", str(tmp_path / "nope.csv"))


def test_derived_key_points_come_from_the_answers_sentences():
    points = derive_key_points("Indexes use balanced trees. They accelerate lookups but penalise inserts.")
    assert [p["text"] for p in points] == [
        "Indexes use balanced trees.",
        "They accelerate lookups but penalise inserts.",
    ]
    assert "balanced" in points[0]["keywords"]
