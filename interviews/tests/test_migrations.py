"""Interviews finished before reports were data keep their prose report: 0007 moves it to `summary`
and 0009 wraps it in a report object, so GET still returns it as `report.summary`."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.tests.factories import UserFactory

BEFORE = [("interviews", "0006_feed_search_indexes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_interview_finished_before_reports_were_data_keeps_its_report(client_for):
    old_apps = migrate(BEFORE)
    try:
        user = UserFactory()
        old_interview = old_apps.get_model("interviews", "Interview")
        finished = old_interview.objects.create(
            owner_id=user.pk, position="be", language="en", status="finished", report="Solid on indexes."
        )
        running = old_interview.objects.create(owner_id=user.pk, position="be", language="en")
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    body = client_for(user).get(f"/api/interviews/{finished.pk}/").json()
    assert body["report"]["summary"] == "Solid on indexes."
    assert body["report"]["overall"] is None
    assert client_for(user).get(f"/api/interviews/{running.pk}/").json()["report"] is None
