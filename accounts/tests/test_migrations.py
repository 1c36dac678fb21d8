# ruff: noqa: RUF001 -- look-alike letters are what this file is about
"""Migration 0003 gives existing users their canonical keys, then makes the key unique, without
failing on look-alikes registered before it (they keep logging in by their exact names)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from accounts.models import User

BEFORE = [("accounts", "0002_compat_token_username_key_tokens_valid_after")]
AFTER = [("accounts", "0003_username_key_unique")]
PASSWORD = "an interview-ready passphrase"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0002(transactional_db):
    old_apps = migrate(BEFORE)
    yield old_apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_0003_fills_keys_and_keeps_old_look_alikes_apart(at_0002):
    from django.contrib.auth.hashers import make_password

    old_user_model = at_0002.get_model("accounts", "User")
    names = ["kiwi1", "kıwi1", "Alice", "аlice", "김민수", "Bob"]  # registered before keys existed
    for n, name in enumerate(names):
        old_user_model.objects.create(username=name, email=f"user{n}@example.com", password=make_password(PASSWORD))

    migrate(AFTER)

    keys = dict(User.objects.values_list("username", "username_key"))
    kiwi, dotless, alice, cyrillic = (User.objects.get(username=n) for n in ("kiwi1", "kıwi1", "Alice", "аlice"))
    assert keys["kiwi1"] == "kiwi1"
    assert keys["kıwi1"] == f"kiwi1#{dotless.pk}"
    assert keys["Alice"] == "alice"
    assert keys["аlice"] == f"alice#{cyrillic.pk}"
    assert keys["김민수"] == "김민수"
    assert keys["Bob"] == "bob"

    client = APIClient()
    for typed, owner in [("kıwi1", dotless), ("kiwi1", kiwi), ("KIWI1", kiwi), ("аlice", cyrillic), ("alice", alice)]:
        response = client.post("/api/auth/login/", {"username": typed, "password": PASSWORD}, format="json")
        assert response.status_code == 200, (typed, response.content)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        assert client.get("/api/auth/me/").json()["id"] == owner.pk
        client.credentials()

    dotless.first_name = "Still me"
    dotless.save()  # an unchanged name keeps 0003's key: no collision with kiwi1
    assert User.objects.get(pk=dotless.pk).username_key == f"kiwi1#{dotless.pk}"
    body = {"username": "KIWI1", "email": "new@example.com", "password": PASSWORD}
    assert client.post("/api/auth/register/", body, format="json").status_code == 400
