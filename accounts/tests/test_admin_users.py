# ruff: noqa: RUF001 -- look-alike letters are what this file is about
"""Staff cannot create or rename a user into a look-alike of another: a form error, never a 500."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "an interview-ready passphrase"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def add_user(client, username: str):
    body = {"username": username, "usable_password": "true", "password1": STRONG, "password2": STRONG}
    return client.post("/admin/accounts/user/add/", body)


@pytest.mark.parametrize("look_alike", ["аlice", "ALİCE", "ａｌｉｃｅ", "alıce"])
def test_adding_a_look_alike_is_a_form_error(staff_client, look_alike):
    UserFactory(username="alice")
    response = add_user(staff_client, look_alike)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == ["A user with that username already exists."]
    assert sorted(User.objects.values_list("username", flat=True)) == ["alice", "boss"]


def test_adding_a_korean_user_works(staff_client):
    UserFactory(username="minsu")
    response = add_user(staff_client, "민수")
    assert response.status_code == 302
    created = User.objects.get(username="민수")
    assert created.username_key == "민수"


def test_renaming_a_user_into_a_look_alike_is_a_form_error(staff_client):
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    body = {
        "username": "аlice",
        "email": bob.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    response = staff_client.post(f"/admin/accounts/user/{bob.pk}/change/", body)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == ["A user with that username already exists."]
    bob.refresh_from_db()
    assert (bob.username, bob.username_key) == ("bob", "bob")


def test_renaming_a_user_updates_the_key(staff_client):
    bob = UserFactory(username="bob")
    body = {"username": "Robert", "email": bob.email, "is_active": "on"}
    body.update({"date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"})
    assert staff_client.post(f"/admin/accounts/user/{bob.pk}/change/", body).status_code == 302
    bob.refresh_from_db()
    assert (bob.username, bob.username_key) == ("Robert", "robert")


def test_createsuperuser_refuses_a_look_alike(monkeypatch):
    UserFactory(username="kiwi1")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", interactive=False, username="kıwi1", email="k@example.com", verbosity=0)
    assert User.objects.count() == 1
