"""The finished interview's report and the candidate's progress, computed from the evaluation rows.

Reads only: `report_build` turns an interview's evaluations (one per candidate message, see
`Evaluation`) into the report's figures and lists, and whoever finishes the interview stores it with
its prose summary and score columns; `progress_for` reads those stored columns across interviews.

Scores are judged on 1-5 and reported on 0-100: a score s is (s - 1) * 25. Only answers and
non-answers are scored; a non-answer counts as 1 ("could not answer"), while clarifications and
off-topic messages never count. Figures are rounded half up to integers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction

from django.db.models import Avg, Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from interviews.models import Evaluation, Interview, Message, Question, Stage
from interviews.vocabulary import FILLER_WORDS, FILLERS_ONLY_BEFORE_A_PAUSE, words

# The report's lists stay short enough to read.
MAX_STRENGTHS = 5
MAX_IMPROVEMENTS = 5
MAX_PRACTICE = 3
# Weights of the overall score (API.md): correctness counts most.
OVERALL_WEIGHTS = {"correctness": 5, "depth": 3, "communication": 2}  # tenths
# Progress: the interviews listed (the latest ones), and how many of a position's latest make its trend.
PROGRESS_MAX_INTERVIEWS = 200
TREND_WINDOW = 10

_SCORED = (Evaluation.Kind.ANSWER, Evaluation.Kind.NON_ANSWER)
_STAGE_ORDER = [str(stage) for stage in Stage]


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _percent(mean: Fraction) -> int:
    """A mean 1-5 score on the 0-100 scale."""
    return _half_up((mean - 1) * 25)


def _mean(values: Sequence[Fraction | int]) -> Fraction:
    return Fraction(sum(values)) / len(values)


def _score(evaluation: Evaluation, dimension: str) -> int:
    """A dimension's 1-5 score; a non-answer is a question the candidate could not answer: 1."""
    return getattr(evaluation, dimension) if evaluation.kind == Evaluation.Kind.ANSWER else 1


def _evaluation_mean(evaluation: Evaluation) -> Fraction:
    if evaluation.kind != Evaluation.Kind.ANSWER:
        return Fraction(1)
    return Fraction(evaluation.correctness + evaluation.depth + evaluation.communication, 3)


def _point_key(text: str) -> str:
    # The same point written with other spacing or case is the same point.
    return " ".join(text.split()).casefold()


def _unique_points(texts: Iterable[str], *, limit: int, excluded: Iterable[str] = ()) -> list[str]:
    kept: list[str] = []
    seen = set(excluded)
    for text in texts:
        key = _point_key(text)
        if key and key not in seen:
            seen.add(key)
            kept.append(text.strip())
            if len(kept) == limit:
                break
    return kept


def _dimensions(scored: list[Evaluation]) -> dict[str, int | None]:
    answers = [e for e in scored if e.kind == Evaluation.Kind.ANSWER]
    if not scored:
        return {"correctness": None, "depth": None, "communication": None}
    return {
        "correctness": _percent(_mean([_score(e, "correctness") for e in scored])),
        "depth": _percent(_mean([_score(e, "depth") for e in scored])),
        # How the candidate expressed an answer says nothing when there was no answer.
        "communication": _percent(_mean([e.communication for e in answers])) if answers else None,
    }


def _overall(dimensions: dict[str, int | None]) -> int | None:
    """The weighted mean of the dimensions there are (only non-answers: correctness and depth)."""
    present = {name: value for name, value in dimensions.items() if value is not None}
    if not present:
        return None
    weights = sum(OVERALL_WEIGHTS[name] for name in present)
    return _half_up(Fraction(sum(OVERALL_WEIGHTS[name] * value for name, value in present.items()), weights))


def _stages(scored: list[Evaluation]) -> dict[str, int]:
    means: dict[str, list[Fraction]] = {}
    for evaluation in scored:
        stage = evaluation.stage or evaluation.message_stage
        if stage:
            means.setdefault(stage, []).append(_evaluation_mean(evaluation))
    ordered = sorted(means, key=lambda s: _STAGE_ORDER.index(s) if s in _STAGE_ORDER else len(_STAGE_ORDER))
    return {stage: _percent(_mean(means[stage])) for stage in ordered}


def _questions_of(*, interview: Interview, evaluations: list[Evaluation]) -> dict[int, Question]:
    """The bank question each evaluation (by id) judged an answer to. An evaluation that names none
    (a follow-up, say) belongs to its plan slot's bank question: one more query, only then."""
    found = {e.pk: e.question for e in evaluations if e.question is not None}
    by_slot: dict[int, int] = {}
    for evaluation in evaluations:
        if evaluation.question_id is not None or evaluation.slot is None or evaluation.slot >= interview.planned:
            continue
        if question_id := interview.plan_items[evaluation.slot].get("question_id"):
            by_slot[evaluation.pk] = question_id
    if by_slot:
        bank = Question.objects.in_bulk(set(by_slot.values()))
        found.update({pk: bank[question_id] for pk, question_id in by_slot.items() if question_id in bank})
    return found


def _weak_areas(scored: list[Evaluation], question_of: dict[int, Question]) -> list[tuple[str, str]]:
    """(position, topic) of the scored evaluations' questions, the lowest-scoring first (ties: transcript
    order). A behavioural question's area is a topic of the "general" position, where it comes from."""
    ranked = sorted(enumerate(scored), key=lambda item: (_evaluation_mean(item[1]), item[0]))
    areas: list[tuple[str, str]] = []
    for _, evaluation in ranked:
        question = question_of.get(evaluation.pk)
        if question is not None and (question.position, question.topic) not in areas:
            areas.append((question.position, question.topic))
    return areas


def _practice(
    *, interview: Interview, areas: list[tuple[str, str]], evaluated_ids: set[int]
) -> list[dict[str, int | str]]:
    """Up to MAX_PRACTICE bank questions in the interview's language that it did not ask: the weakest
    areas' first (a behavioural question's area is the "general" position's topic), then the position's."""
    asked = Message.objects.filter(interview=interview, question__isnull=False).values("question_id")
    in_area = Q(position=interview.position)
    for position, topic in areas:
        in_area |= Q(position=position, topic=topic)
    candidates = (
        Question.objects.filter(in_area, language=interview.language)
        .exclude(id__in=asked)
        .exclude(id__in=evaluated_ids)
    )
    # Without areas a CASE would compile to a bare constant, which PostgreSQL reads as a column number.
    if areas:
        priority = Case(
            *(When(position=position, topic=topic, then=Value(rank)) for rank, (position, topic) in enumerate(areas)),
            default=Value(len(areas)),
            output_field=IntegerField(),
        )
        candidates = candidates.annotate(priority=priority).order_by("priority", "id")
    else:
        candidates = candidates.order_by("id")
    rows = candidates.values_list("id", "question")[:MAX_PRACTICE]
    return [{"question_id": question_id, "question": text} for question_id, text in rows]


_FILLERS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (filler, tuple(filler.split())) for language in FILLER_WORDS.values() for filler in language
)


_BEFORE_A_PAUSE = {
    filler: re.compile(rf"\b{re.escape(filler)}\s*[,.;!?…]", re.IGNORECASE) for filler in FILLERS_ONLY_BEFORE_A_PAUSE
}


def _count_fillers(content: str, spoken_words: list[str], counts: dict[str, int]) -> None:
    for start in range(len(spoken_words)):
        for filler, parts in _FILLERS:
            if filler not in _BEFORE_A_PAUSE and tuple(spoken_words[start : start + len(parts)]) == parts:
                counts[filler] = counts.get(filler, 0) + 1
    for filler, pattern in _BEFORE_A_PAUSE.items():
        if found := len(pattern.findall(content)):
            counts[filler] = counts.get(filler, 0) + found


def _delivery(*, interview: Interview) -> dict | None:
    """Pace and fillers over the candidate's spoken messages; None when nothing was spoken.

    Both languages' fillers are counted in every message: they never collide (Hangul against Latin
    letters), and a candidate may well say "um" in a Korean interview.
    """
    spoken = list(
        Message.objects.filter(interview=interview, role=Message.Role.USER, spoken_seconds__gt=0).values_list(
            "content", "spoken_seconds"
        )
    )
    if not spoken:
        return None
    total_words, total_seconds, found = 0, 0.0, {}
    for content, seconds in spoken:
        message_words = words(content)
        total_words += len(message_words)
        total_seconds += seconds
        _count_fillers(content, message_words, found)
    fillers = {filler: found[filler] for filler, _ in _FILLERS if filler in found}
    filler_total = sum(fillers.values())
    return {
        "words_per_minute": math.floor(total_words * 60 / total_seconds + 0.5),
        "filler_rate": round(filler_total / total_words, 3) if total_words else 0.0,
        "fillers": fillers,
    }


def report_build(*, interview: Interview) -> dict:
    """The report of `interview` as API.md describes it, without `summary` (the caller adds it), plus
    `answered` (answers scored), `unanswered` (non-answers), `asked` and `planned` (slots).

    A pure read of the database, in a fixed number of queries whatever the interview's length (three,
    four when an evaluation names no question and its plan slot has to say which). When nothing was
    answered or declined, every score is None: there is nothing to score. Strengths are key points
    covered in answers; improvements are points missed (in answers and non-answers) that the candidate
    covered nowhere in the interview, so a point missed and then made after a follow-up is a strength.
    """
    evaluations = list(
        Evaluation.objects.filter(message__interview=interview)
        .select_related("question")
        .annotate(message_stage=F("message__stage"))
        .order_by("message__created_at", "message_id")
    )
    scored = [e for e in evaluations if e.kind in _SCORED]
    answers = [e for e in scored if e.kind == Evaluation.Kind.ANSWER]

    dimensions = _dimensions(scored)
    covered = [text for e in answers for text in e.covered]
    missed = [text for e in scored for text in e.missed]

    question_of = _questions_of(interview=interview, evaluations=scored)
    return {
        "overall": _overall(dimensions),
        "dimensions": dimensions,
        "stages": _stages(scored),
        "strengths": _unique_points(covered, limit=MAX_STRENGTHS),
        "improvements": _unique_points(missed, limit=MAX_IMPROVEMENTS, excluded={_point_key(text) for text in covered}),
        "practice": _practice(
            interview=interview,
            areas=_weak_areas(scored, question_of),
            evaluated_ids={question.pk for question in question_of.values()},
        ),
        "delivery": _delivery(interview=interview),
        "answered": len(answers),
        "unanswered": len(scored) - len(answers),
        "asked": interview.asked,
        "planned": interview.planned,
    }


# --- Progress across interviews ------------------------------------------------------------------


def _slope(values: Sequence[int]) -> float | None:
    """Least-squares slope of `values` against their index (points per interview), 1 decimal."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = Fraction(n - 1, 2), _mean(values)
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    denominator = sum((x - mean_x) ** 2 for x in range(n))
    return round(float(numerator / denominator), 1)


def progress_for(*, user: User) -> dict:
    """The caller's scores over time: their finished, scored interviews oldest first (the latest
    PROGRESS_MAX_INTERVIEWS of them), and per position the count and average overall score of all of
    them with the trend, the least-squares slope of the overall score over that position's latest
    TREND_WINDOW interviews in points per interview (None with fewer than two). Three queries."""
    scored = Interview.objects.filter(owner=user, status=Interview.Status.FINISHED, score_overall__isnull=False)
    newest_first = [F("finished_at").desc(nulls_last=True), F("id").desc()]
    latest = list(
        scored.order_by(*newest_first).values(
            "id",
            "position",
            "language",
            "finished_at",
            "score_overall",
            "score_correctness",
            "score_depth",
            "score_communication",
        )[:PROGRESS_MAX_INTERVIEWS]
    )
    latest.reverse()
    totals = scored.order_by().values("position").annotate(count=Count("id"), average=Avg("score_overall"))
    recent = (
        scored.annotate(rank=Window(RowNumber(), partition_by=[F("position")], order_by=newest_first))
        .filter(rank__lte=TREND_WINDOW)
        .values_list("position", "rank", "score_overall")
    )
    series: dict[str, list[tuple[int, int]]] = {}
    for position, rank, overall in recent:
        series.setdefault(position, []).append((rank, overall))
    return {
        "interviews": [
            {
                "id": row["id"],
                "position": row["position"],
                "language": row["language"],
                "finished_at": row["finished_at"],
                "overall": row["score_overall"],
                "dimensions": {
                    "correctness": row["score_correctness"],
                    "depth": row["score_depth"],
                    "communication": row["score_communication"],
                },
            }
            for row in latest
        ],
        "positions": {
            row["position"]: {
                "count": row["count"],
                "average": round(row["average"], 1),
                # Oldest first: the highest rank is the oldest of the window.
                "trend": _slope([overall for _, overall in sorted(series.get(row["position"], []), reverse=True)]),
            }
            for row in sorted(totals, key=lambda row: row["position"])
        },
    }
