import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from interviews.bank import BANK_DIR, derive_key_points, question_import_csv, question_load_bank
from interviews.matching import tokens
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
                    # Terms are words or phrases the matcher can read (interviews.matching).
                    assert all(tokens(k) for k in point["keywords"]), point["keywords"]


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


# --- bank edits survive deploys (load_questions runs on every `make run` and release) ---


def a_bank_question() -> Question:
    return Question.objects.filter(source=Question.Source.BANK, language="en").order_by("id").first()


def test_reloading_the_bank_keeps_a_question_staff_edited_in_the_admin(admin_client):
    question_load_bank()
    question = a_bank_question()
    form = {
        "position": question.position,
        "topic": question.topic,
        "language": question.language,
        "question": question.question,
        "model_answer": "Our team's own model answer.",
        "key_points": "Our point | ours",
        "source": question.source,
        "created_at_0": question.created_at.strftime("%Y-%m-%d"),
        "created_at_1": question.created_at.strftime("%H:%M:%S"),
    }
    response = admin_client.post(f"/admin/interviews/question/{question.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]

    report = question_load_bank()
    call_command("load_questions", stdout=StringIO())

    question.refresh_from_db()
    assert question.model_answer == "Our team's own model answer."
    assert question.key_points == [{"text": "Our point", "keywords": ["ours"]}]
    assert report.kept == 1
    assert report.imported == 0


def test_reloading_the_bank_keeps_imported_and_admin_added_questions_with_the_same_text():
    question_load_bank()
    bank = a_bank_question()
    text, position = bank.question, bank.position
    bank.delete()
    Question.objects.create(
        position=position, language="en", question=text, model_answer="Imported.", source=Question.Source.IMPORT
    )
    report = question_load_bank()
    kept = Question.objects.get(position=position, language="en", question=text)
    assert (kept.model_answer, kept.source) == ("Imported.", "import")
    assert report.kept == 1


def test_reloading_the_bank_refreshes_untouched_questions_and_adds_new_ones(tmp_path):
    entry = {
        "position": "be",
        "topic": "databases",
        "en": {"question": "What is MVCC?", "answer": "Old answer.", "key_points": [{"text": "A", "keywords": ["a"]}]},
        "ko": {"question": "MVCC란?", "answer": "예전 답.", "key_points": [{"text": "가", "keywords": ["가"]}]},
    }
    (tmp_path / "bank.json").write_text(json.dumps([entry]), encoding="utf-8")
    assert question_load_bank(directory=tmp_path).imported == 2
    entry["en"]["answer"] = "A better answer from the next release."
    second = {**entry, "en": {**entry["en"], "question": "What is WAL?"}, "ko": {**entry["ko"], "question": "WAL이란?"}}
    (tmp_path / "bank.json").write_text(json.dumps([entry, second]), encoding="utf-8")
    report = question_load_bank(directory=tmp_path)
    assert (report.imported, report.duplicates, report.kept) == (2, 2, 0)
    assert Question.objects.get(question="What is MVCC?").model_answer == "A better answer from the next release."


def test_load_questions_says_what_it_kept():
    out = StringIO()
    call_command("load_questions", stdout=out)
    Question.objects.filter(pk=a_bank_question().pk).update(model_answer="Edited in the shell.")
    out = StringIO()
    call_command("load_questions", stdout=out)
    assert "0 added" in out.getvalue()
    assert "1 kept as edited by staff or imported" in out.getvalue()


def test_the_question_admin_shows_which_questions_a_reload_keeps(admin_client):
    question_load_bank()
    Question.objects.filter(pk=a_bank_question().pk).update(model_answer="Edited.")
    page = admin_client.get("/admin/interviews/question/?source__exact=bank")
    assert page.status_code == 200
    assert page.content.decode().count('alt="True"') == 1  # the edited one; the rest are refreshed
