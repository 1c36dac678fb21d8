"""The benchmark's reliability runs, small and fast, in the suite (`make bench` runs them at full size).

They start real servers (gunicorn, the fake LLM in its own process) on a database of their own, of the
suite's kind (PostgreSQL when the suite runs on it, else SQLite), and check over HTTP and in that database.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings

from bench import reliability, stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench_database() -> Iterator[tuple[stack.Database, object]]:
    workdir = stack.workdir()
    kind = "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
    database = stack.create_database(kind, "suite", workdir)
    try:
        with stack.fake_llm(latency=0.3) as llm:
            stack.prepare_database(stack.app_environment(database, llm, stack.ServerConfig(), workdir))
        yield database, workdir
    finally:
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)


def test_only_the_daily_limit_gets_through_when_one_user_races_two_servers(bench_database) -> None:
    database, workdir = bench_database
    with stack.fake_llm(latency=0.3) as llm:
        result = reliability.quota_race(database, llm, workdir, turns=30, limit=5)
    assert result["statuses"] == {"201": 5, "429 quota_exceeded": 25}, result
    assert result["passed"], result["checks"]


def test_a_failing_llm_and_speech_engine_lose_nothing_and_charge_only_delivered_turns(bench_database) -> None:
    database, workdir = bench_database
    result = reliability.flaky_upstream(database, workdir, candidates=4, answers=3, latency=0.1)
    assert not result["undocumented"], result["statuses"]
    assert result["passed"], result
    assert sum(result["upstream_failures"].values()) > 0, "the fake injected no failure: nothing was tested"
