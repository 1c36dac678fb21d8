# ruff: noqa: RUF001, RUF003 -- look-alike letters are what this file is about
"""One username per person: case, compatibility forms and look-alike letters do not make a new name.

accounts.usernames.username_key is the one definition; registration, login, the admin's forms and
the database's unique constraint all go through it.
"""

import threading

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.usernames import username_key
from config.testing import assert_error, run_in_threads

STRONG = "an interview-ready passphrase"


def register(client, username: str, email: str | None = None):
    body = {"username": username, "email": email or f"{abs(hash(username))}@example.com", "password": STRONG}
    return client.post("/api/auth/register/", body, format="json")


# --- the key ---


@pytest.mark.parametrize(
    ("typed", "existing"),
    [
        ("kıwi1", "kiwi1"),  # dotless ı (Turkish)
        ("KİWİ1", "kiwi1"),  # dotted capital İ folds to i + a combining dot
        ("KIWI1", "kiwi1"),
        ("ｋｉｗｉ１", "kiwi1"),  # fullwidth: NFKC
        ("𝐤𝐢𝐰𝐢𝟏", "kiwi1"),  # mathematical bold: NFKC
        ("\u212aiwi1", "kiwi1"),  # Kelvin sign
        ("Straße", "strasse"),  # full case folding, not lower()
        ("аlice", "alice"),  # Cyrillic а
        ("АLICE", "alice"),  # Cyrillic А
        ("сосо", "coco"),  # all Cyrillic, a whole-script look-alike
        ("ραγρal", "paypal"),  # Greek ρ α γ
        ("νονα", "vova"),  # Greek ν ο α
        ("рауре", "paype"),  # Cyrillic р а у р е
        ("jоhn\u200d", "john"),  # a zero-width joiner is invisible
        ("ёлка", "ëлка"),  # Cyrillic ё meets Latin ë, accents and all
    ],
)
def test_look_alike_names_share_one_key(typed, existing):
    assert username_key(typed) == username_key(existing)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("kiwi1", "kiwil"),  # digits and letters stay apart
        ("modern", "modem"),  # so do rn and m
        ("josé", "jose"),  # an accent is a different letter
        ("민수", "minsu"),
        ("민수", "민서"),
        ("иван", "ivan"),  # Cyrillic letters that do not look Latin stay themselves
    ],
)
def test_different_names_keep_different_keys(one, other):
    assert username_key(one) != username_key(other)


def test_hangul_passes_through_and_conjoining_jamo_are_the_same_name():
    assert username_key("김민수") == "김민수"
    assert username_key("\u1100\u1175\u11b7\u1106\u1175\u11ab\u1109\u116e") == "김민수"


# --- registration ---


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("kiwi1", "kıwi1"),
        ("kiwi1", "ｋｉｗｉ１"),
        ("alice", "аlice"),
        ("alice", "ΑLΙCE"),
        ("paypal", "рауpal"),
        ("strasse", "STRAẞE"),
    ],
)
def test_register_refuses_a_name_that_looks_like_an_existing_one(api_client, existing, typed):
    UserFactory(username=existing)
    error = assert_error(register(api_client, typed), 400, "validation_error")
    assert list(error["details"]) == ["username"]
    assert list(User.objects.values_list("username", flat=True)) == [existing]


@pytest.mark.django_db
def test_register_stores_a_fullwidth_name_in_its_plain_form(api_client):
    assert register(api_client, "ｍｉｎａ").status_code == 201
    user = User.objects.get()
    assert (user.username, user.username_key) == ("mina", "mina")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["김민수", "민수_dev", "이서연.kim"])
def test_korean_usernames_register_and_log_in(api_client, name):
    assert register(api_client, name).status_code == 201
    response = api_client.post("/api/auth/login/", {"username": name, "password": STRONG}, format="json")
    assert response.status_code == 200
    assert User.objects.get().username == name


@pytest.mark.django_db
def test_a_korean_name_does_not_block_its_romanization_or_another_korean_name(api_client):
    UserFactory(username="민수")
    assert register(api_client, "minsu").status_code == 201
    assert register(api_client, "민서").status_code == 201
    assert User.objects.count() == 3


@pytest.mark.django_db
def test_a_name_whose_normal_form_is_too_long_is_a_400_not_a_500(api_client):
    # U+FDFA is one letter that NFKC spells out in 18: within 150 letters as typed, not once normalized.
    error = assert_error(register(api_client, "\ufdfa" * 40), 400, "validation_error")
    assert "username" in error["details"]
    assert not User.objects.exists()


# --- login ---


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["KIWI1", "kıwi1", "ｋｉｗｉ１", " kiwi1 "])
def test_login_finds_the_one_account_a_look_alike_name_designates(api_client, typed):
    owner = UserFactory(username="kiwi1")
    UserFactory(username="kiwi2")
    response = api_client.post("/api/auth/login/", {"username": typed, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get("/api/auth/me/").json()["id"] == owner.id


# --- the database decides races ---


@pytest.mark.django_db
def test_the_database_refuses_a_look_alike_that_skips_the_checks():
    UserFactory(username="kiwi1")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="kıwi1", email="other@example.com", password=STRONG)
    assert list(User.objects.values_list("username", flat=True)) == ["kiwi1"]


@pytest.mark.django_db
def test_losing_the_race_after_the_check_is_the_same_400(api_client, monkeypatch):
    """The duplicate check passed, then a concurrent registration took the name: the constraint
    answers, and the loser gets the validation error, not a 500."""
    UserFactory(username="kiwi1")
    monkeypatch.setattr(User, "clean", lambda self: None)  # as if the check ran before kiwi1 existed
    error = assert_error(register(api_client, "kıwi1"), 400, "validation_error")
    assert list(error["details"]) == ["username"]
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_look_alikes_make_one_account(api_client):
    names = iter(enumerate(["kiwi1", "kıwi1", "KIWI1", "ｋｉｗｉ１", "kiwi1", "kıwi1"]))
    lock = threading.Lock()
    responses = []

    def attempt() -> None:
        from rest_framework.test import APIClient

        with lock:
            n, name = next(names)
        response = register(APIClient(), name, email=f"racer{n}@example.com")
        with lock:
            responses.append(response)

    run_in_threads(attempt, 6)
    assert sorted(r.status_code for r in responses) == [201, 400, 400, 400, 400, 400]
    for refused in (r for r in responses if r.status_code == 400):
        assert list(assert_error(refused, 400, "validation_error")["details"]) == ["username"]
    owner = User.objects.get()
    assert owner.username_key == "kiwi1"
    for typed in ("kiwi1", "kıwi1"):
        response = api_client.post("/api/auth/login/", {"username": typed, "password": STRONG}, format="json")
        assert response.status_code == 200
