"""Loading questions into the bank: our own JSON files and CSV imports in the common format."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from interviews.models import Language, Position, Question
from interviews.vocabulary import POSITION_ALIASES, STOPWORDS, words

BANK_DIR = Path(__file__).resolve().parent / "questions"
REQUIRED_COLUMNS = ("position", "question", "topic", "example_answer")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0  # already present
    kept: int = 0  # of those, left as they are: edited by staff, or imported or added in the admin
    errors: list[tuple[int, str]] = field(default_factory=list)


def bank_fingerprint(*, topic: str, model_answer: str, key_points: list) -> str:
    """What our bank wrote into a question row, as a hash: a row that no longer matches was edited."""
    content = json.dumps([topic, model_answer, key_points], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()


def bank_key(*, position: str, english_question: str) -> str:
    """What an entry's English and Korean rows share: the same question in the bank's two languages."""
    digest = hashlib.sha256(english_question.strip().encode()).hexdigest()[:24]
    return f"{position}:{digest}"


def question_is_untouched_bank_row(question: Question) -> bool:
    """Whether `load_questions` may refresh this row: ours, and nobody changed it since we wrote it.

    Rows written before fingerprints existed (empty fingerprint) cannot tell an edit from an old
    bank text, so they are kept too: a lost staff edit is worse than a stale bank answer.
    """
    current = bank_fingerprint(topic=question.topic, model_answer=question.model_answer, key_points=question.key_points)
    return question.source == Question.Source.BANK and question.bank_fingerprint == current


def question_load_bank(*, directory: Path = BANK_DIR) -> ImportReport:
    """Upsert our own bank (interviews/questions/*.json): one row per question per language.

    Idempotent: a new question is added; an existing one (same position, language and text) is
    refreshed in place only if it is still exactly what the bank last wrote, so an edit by staff in
    the admin, or a question imported from CSV or added in the admin, survives every deploy.
    Three queries whatever the bank's size, so `make run` and test fixtures stay fast.
    """
    report = ImportReport()
    existing = {(q.position, q.language, q.question): q for q in Question.objects.all()}
    to_create: dict[tuple[str, str, str], Question] = {}
    to_update: list[Question] = []
    keyed: list[Question] = []
    for path in sorted(directory.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            pair = bank_key(position=entry["position"], english_question=entry["en"]["question"])
            for language in (Language.ENGLISH, Language.KOREAN):
                body = entry[language]
                key = (entry["position"], language.value, body["question"].strip())
                content = {
                    "topic": entry["topic"],
                    "model_answer": body["answer"].strip(),
                    "key_points": body["key_points"],
                }
                fields = {**content, "source": Question.Source.BANK, "bank_fingerprint": bank_fingerprint(**content)}
                if key in existing:
                    question = existing[key]
                    report.duplicates += 1
                    if not question_is_untouched_bank_row(question):
                        report.kept += 1
                        # Its content is staff's, but it is still this bank question in this language.
                        if question.bank_key != pair:
                            question.bank_key = pair
                            keyed.append(question)
                        continue
                    question.bank_key = pair
                    for name, value in fields.items():
                        setattr(question, name, value)
                    to_update.append(question)
                elif key not in to_create:
                    to_create[key] = Question(
                        position=key[0], language=key[1], question=key[2], bank_key=pair, **fields
                    )
    now = timezone.now()
    for question in [*to_update, *keyed]:
        question.updated_at = now
    with transaction.atomic():
        Question.objects.bulk_create(to_create.values(), batch_size=200)
        Question.objects.bulk_update(
            to_update,
            ["topic", "model_answer", "key_points", "source", "bank_fingerprint", "bank_key", "updated_at"],
            batch_size=200,
        )
        Question.objects.bulk_update(keyed, ["bank_key", "updated_at"], batch_size=200)
    report.imported = len(to_create)
    return report


def question_import_csv(*, data: bytes, default_language: str | None = None) -> ImportReport:
    """Import `position,question,topic,example_answer[,language]` rows (header required).

    UTF-8 with or without BOM; quoted multi-line fields. Valid rows are imported, duplicates (in the
    bank or earlier in the file) skipped, and bad rows reported by their starting line number
    without aborting the import. Key points are derived from the example answer.
    """
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.errors.append((0, f"the file is not UTF-8 ({exc.reason} at byte {exc.start})"))
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append((1, "missing column(s): " + ", ".join(missing)))
        return report
    reader.fieldnames = header
    line = reader.line_num + 1
    for row in _rows(reader):
        start, line = line, reader.line_num + 1
        if row is None:
            report.errors.append((start, "malformed CSV row"))
            continue
        problem, values = _clean(row, default_language)
        if problem:
            report.errors.append((start, problem))
            continue
        try:
            with transaction.atomic():
                _, created = Question.objects.get_or_create(
                    position=values["position"],
                    language=values["language"],
                    question=values["question"],
                    defaults={
                        "topic": values["topic"],
                        "model_answer": values["example_answer"],
                        "key_points": derive_key_points(values["example_answer"]),
                        "source": Question.Source.IMPORT,
                    },
                )
        except IntegrityError:
            created = False
        report.imported += created
        report.duplicates += not created
    return report


def _rows(reader: csv.DictReader) -> Iterable[dict | None]:
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None


def _clean(row: dict, default_language: str | None) -> tuple[str | None, dict[str, str]]:
    if None in row:  # more cells than header columns
        return "more cells than the header has columns", {}
    values = {k: (v or "").strip() for k, v in row.items() if k}
    position = POSITION_ALIASES.get(values.get("position", "").lower())
    if not position:
        choices = ", ".join(Position.values)
        return f"unknown position {values.get('position', '')!r} (expected one of {choices})", {}
    if not values.get("question"):
        return "the question is empty", {}
    if len(values["question"]) > 2000:
        return "the question is longer than 2000 characters", {}
    language = (values.get("language") or default_language or "").lower()
    if not language:
        language = "ko" if _HANGUL.search(values["question"]) else "en"
    if language not in Language.values:
        return f"unknown language {language!r} (expected en or ko)", {}
    values.update(position=position, language=language, topic=values.get("topic", "")[:100])
    return None, values


def derive_key_points(answer: str, *, limit: int = 5) -> list[dict]:
    """Key points from an example answer: its sentences, each with its most telling words."""
    points = []
    for sentence in (s.strip() for s in _SENTENCE.split(answer)):
        unique = dict.fromkeys(words(sentence))
        keywords = [w for w in unique if (len(w) >= 5 or not w.isascii()) and w not in STOPWORDS]
        keywords.sort(key=len, reverse=True)
        if len(keywords) >= 2:
            text = sentence if len(sentence) <= 90 else sentence[:87].rsplit(" ", 1)[0] + "..."
            points.append({"text": text, "keywords": keywords[:4]})
        if len(points) == limit:
            break
    return points
