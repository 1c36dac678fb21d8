"""The caller's progress across interviews: progress_for and GET /api/progress/."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from config.testing import assert_error
from config.tests.test_schema import response_schema, validator
from interviews.models import Interview
from interviews.reports import PROGRESS_MAX_INTERVIEWS, progress_for
from interviews.tests.factories import InterviewFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def finished(owner, *, overall: int | None, day: int, position: str = "be", **fields) -> Interview:
    """A finished interview of `owner`, scored `overall` (each dimension too unless given), `day` days
    after START."""
    return InterviewFactory(
        owner=owner,
        position=position,
        status=Interview.Status.FINISHED,
        finished_at=START + dt.timedelta(days=day),
        score_overall=overall,
        **{f"score_{name}": fields.get(name, overall) for name in ("correctness", "depth", "communication")},
    )


def test_it_lists_the_callers_finished_scored_interviews_oldest_first(user):
    newer = finished(user, overall=70, day=5, correctness=80, depth=60, communication=None)
    older = finished(user, overall=40, day=1, position="fe")  # created later, finished earlier
    InterviewFactory(owner=user, status=Interview.Status.ACTIVE, score_overall=None)
    finished(user, overall=None, day=3)  # finished without anything scored

    progress = progress_for(user=user)

    assert [item["id"] for item in progress["interviews"]] == [older.pk, newer.pk]
    assert progress["interviews"][1] == {
        "id": newer.pk,
        "position": "be",
        "language": "en",
        "finished_at": newer.finished_at,
        "overall": 70,
        "dimensions": {"correctness": 80, "depth": 60, "communication": None},
    }


def test_each_position_has_its_count_average_and_trend(user):
    for day, overall in enumerate([50, 60, 75]):
        finished(user, overall=overall, day=day, position="be")
    for day, overall in enumerate([90, 70, 40]):
        finished(user, overall=overall, day=10 + day, position="ai")
    finished(user, overall=80, day=20, position="fe")

    positions = progress_for(user=user)["positions"]

    assert positions == {
        "ai": {"count": 3, "average": 66.7, "trend": -25.0},
        "be": {"count": 3, "average": 61.7, "trend": 12.5},  # a rising series has a positive slope
        "fe": {"count": 1, "average": 80.0, "trend": None},
    }


def test_the_trend_follows_only_the_positions_latest_ten_interviews(user):
    finished(user, overall=100, day=0)
    finished(user, overall=100, day=1)
    for day in range(10):
        finished(user, overall=40 + 5 * day, day=2 + day)

    positions = progress_for(user=user)["positions"]

    assert positions["be"]["count"] == 12
    assert positions["be"]["trend"] == 5.0


def test_it_lists_only_the_latest_interviews_but_counts_them_all(user):
    Interview.objects.bulk_create(
        Interview(
            owner=user,
            position="be",
            status=Interview.Status.FINISHED,
            finished_at=START + dt.timedelta(hours=hour),
            score_overall=hour % 101,
        )
        for hour in range(PROGRESS_MAX_INTERVIEWS + 5)
    )

    progress = progress_for(user=user)

    listed = [item["finished_at"] for item in progress["interviews"]]
    assert len(listed) == PROGRESS_MAX_INTERVIEWS
    assert listed == sorted(listed)
    assert listed[0] == START + dt.timedelta(hours=5)  # the five oldest are left out
    assert progress["positions"]["be"]["count"] == PROGRESS_MAX_INTERVIEWS + 5


def test_someone_elses_interviews_never_count(user, other_user):
    mine = finished(user, overall=60, day=1)
    finished(other_user, overall=10, day=2)
    finished(other_user, overall=20, day=3, position="fe")

    progress = progress_for(user=user)

    assert [item["id"] for item in progress["interviews"]] == [mine.pk]
    assert progress["positions"] == {"be": {"count": 1, "average": 60.0, "trend": None}}


@pytest.mark.parametrize("interviews", [1, 30])
def test_it_reads_in_three_queries_however_many_interviews(user, interviews, django_assert_num_queries):
    for day in range(interviews):
        finished(user, overall=50, day=day, position=["be", "fe", "ai"][day % 3])

    with django_assert_num_queries(3):
        progress_for(user=user)


# --- GET /api/progress/ ---------------------------------------------------------------------------


def test_get_progress_answers_the_callers_figures(auth_client, user, api_client):
    older = finished(user, overall=50, day=1)
    newer = finished(user, overall=70, day=2, communication=None)

    response = auth_client.get("/api/progress/")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["interviews"]] == [older.pk, newer.pk]
    assert body["interviews"][1]["dimensions"] == {"correctness": 70, "depth": 70, "communication": None}
    assert dt.datetime.fromisoformat(body["interviews"][0]["finished_at"]) == older.finished_at
    assert body["positions"] == {"be": {"count": 2, "average": 60.0, "trend": 20.0}}
    # The body is what the OpenAPI schema says it is.
    schema = json.loads(api_client.get("/api/schema/?format=json").content)
    validator(schema, response_schema(schema, "/api/progress/", "get", "200")).validate(body)


def test_get_progress_shows_someone_else_nothing_of_the_callers(client_for, user, other_user):
    finished(user, overall=50, day=1)

    response = client_for(other_user).get("/api/progress/")

    assert response.status_code == 200
    assert response.json() == {"interviews": [], "positions": {}}


def test_get_progress_needs_authentication(api_client, user):
    finished(user, overall=50, day=1)

    assert_error(api_client.get("/api/progress/"), 401, "not_authenticated")


def test_get_progress_is_read_only(auth_client, user):
    interview = finished(user, overall=50, day=1)

    assert_error(auth_client.post("/api/progress/", {}, format="json"), 405, "method_not_allowed")
    interview.refresh_from_db()
    assert (interview.score_overall, interview.status) == (50, Interview.Status.FINISHED)


def test_finished_at_is_rendered_with_its_offset(auth_client, user):
    finished(user, overall=50, day=1)

    stamp = auth_client.get("/api/progress/").json()["interviews"][0]["finished_at"]

    assert timezone.is_aware(dt.datetime.fromisoformat(stamp))
