"""The original Mock-Interviewer frontend, replayed request for request against this backend.

`OriginalFrontend` sends exactly what that static frontend sends (sungbinlee/Mock-Interviewer-FE:
js/app.js, js/login.js, js/register.js, js/logout.js), from another origin as it is hosted:
- every fetch carries `Content-Type: application/json`, GETs included; the chat and logout calls add
  `Authorization: Token ${localStorage.token}`, which reads `Token null` when nobody is logged in;
- register.js compares the two passwords itself and posts `{username, email, password}`;
- login.js stores `data.Token`; logout.js POSTs with no body, then forgets the token;
- a page load runs `checkChatRequestCount()` (a GET, even logged out) and then, with a token,
  `loadChatHistory()` (the same GET): the history skips `conversations[0]` and shows the start box
  only when `conversations` is empty; the input is disabled when `count >= limit`;
- `startInterview()` posts `{interview_topic}`, `sendMessage()` posts `{user_input}`; both show
  `data.response` and play `data.audio_url`.
Before each cross-origin request the browser sends a CORS preflight, replayed too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import CompatToken, DailyUsage, User
from interviews.models import Interview, Message

pytestmark = pytest.mark.django_db
ORIGIN = "https://mock-interviewer.example"
PASSWORD = "an interview-ready passphrase"


@dataclass
class Page:
    """What index.html shows after a page load."""

    status: int
    conversations: list[dict] | None  # None when logged out (no history request)
    shown: list[tuple[str, str]]  # (role, content) bubbles, conversations[1:]
    start_box: bool
    input_disabled: bool


class OriginalFrontend:
    def __init__(self) -> None:
        self.http = Client()
        self.token: str | None = None  # localStorage.getItem('token')

    def fetch(self, method: str, path: str, body: dict | None = None, *, auth: bool = True):
        headers = {"Origin": ORIGIN}
        if auth:
            headers["Authorization"] = f"Token {self.token if self.token is not None else 'null'}"
        self._preflight(method, path, sorted(h.lower() for h in [*headers, "Content-Type"] if h != "Origin"))
        data = json.dumps(body) if body is not None else ""
        response = self.http.generic(method, path, data, content_type="application/json", headers=headers)
        assert response["Access-Control-Allow-Origin"] == ORIGIN  # or the browser hides the answer
        assert response["Content-Type"] == "application/json"
        return response

    def _preflight(self, method: str, path: str, request_headers: list[str]) -> None:
        response = self.http.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": ",".join(request_headers),
            },
        )
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == ORIGIN
        allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
        assert set(request_headers) <= allowed
        assert method in response["Access-Control-Allow-Methods"]

    # register.js
    def register(self, username: str, email: str, password: str, confirm: str):
        assert password == confirm  # checked in the page; only `password` is sent
        return self.fetch(
            "POST", "/api/user/register/", {"username": username, "email": email, "password": password}, auth=False
        )

    # login.js
    def login(self, username: str, password: str):
        response = self.fetch("POST", "/api/user/login/", {"username": username, "password": password}, auth=False)
        if response.status_code == 200:
            self.token = response.json()["Token"]
        return response

    # logout.js
    def logout(self):
        response = self.fetch("POST", "/api/user/logout/")
        self.token = None  # whatever the answer, the page forgets the token
        return response

    # app.js, on `load`
    def load_page(self) -> Page:
        count = self.fetch("GET", "/api/chat/gpt/")  # checkChatRequestCount(), logged in or not
        disabled = count.status_code == 200 and count.json()["count"] >= count.json()["limit"]
        if self.token is None:
            return Page(count.status_code, None, [], start_box=False, input_disabled=disabled)
        history = self.fetch("GET", "/api/chat/gpt/")  # loadChatHistory()
        conversations = history.json()["conversations"] if history.status_code == 200 else []
        shown = [(c["role"], c["content"]) for c in conversations[1:]]
        return Page(history.status_code, conversations, shown, start_box=not conversations, input_disabled=disabled)

    # app.js startInterview() / sendMessage(): the answer's `response` becomes a bubble, its audio plays
    def start_interview(self, topic: str):
        return self.fetch("POST", "/api/chat/gpt/", {"interview_topic": topic.strip()})

    def send_message(self, text: str):
        return self.fetch("POST", "/api/chat/gpt/", {"user_input": text.strip()})

    def play(self, audio_url: str):
        assert audio_url.startswith("http://testserver/")
        return self.http.get(audio_url.removeprefix("http://testserver"))


@pytest.fixture
def frontend(settings, bank, fake_speech) -> OriginalFrontend:
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    return OriginalFrontend()


def used(user: User) -> int:
    return sum(DailyUsage.objects.filter(user=user).values_list("used", flat=True))


def test_a_new_user_goes_through_a_whole_korean_interview(frontend):
    # Logged out: the page's first GET says `Token null`; a flat 401, no history request.
    page = frontend.load_page()
    assert (page.status, page.conversations) == (401, None)

    assert frontend.register("minji", "minji@example.com", PASSWORD, PASSWORD).json() == {
        "message": "User registered successfully."
    }
    assert frontend.login("minji", PASSWORD).json()["message"] == "User logged in successfully."
    user = User.objects.get(username="minji")

    # A new user sees the start box (this was the bug: `[system entry]` hid it).
    page = frontend.load_page()
    assert page.conversations == []
    assert page.start_box
    assert not page.input_disabled

    started = frontend.start_interview("백엔드 개발자")
    assert started.status_code == 200
    opening = started.json()["response"]
    assert "백엔드" in opening  # Korean, for the backend position
    played = frontend.play(started.json()["audio_url"])
    assert (played.status_code, played["Content-Type"]) == (200, "audio/mpeg")
    interview = Interview.objects.get(owner=user)
    assert (interview.position, interview.language, interview.is_public) == ("be", "ko", False)

    replies = []
    for answer in ("인덱스는 B-tree로 조회를 빠르게 합니다.", "트랜잭션은 ACID를 보장합니다."):
        reply = frontend.send_message(answer)
        assert reply.status_code == 200
        assert reply.json()["response"]
        assert frontend.play(reply.json()["audio_url"]).status_code == 200
        replies.append(reply.json()["response"])

    # The day's limit is reached: the next message is the original 429, nothing stored or charged.
    User.objects.filter(pk=user.pk).update(daily_chat_limit=used(user))
    stored = Message.objects.count()
    refused = frontend.send_message("세 번째 답변입니다.")
    assert refused.status_code == 429
    assert refused.json() == {"error": "You have exceeded the chat request limit for today."}
    assert (Message.objects.count(), used(user)) == (stored, 3)
    page = frontend.load_page()
    assert page.input_disabled

    old_token = frontend.token
    assert frontend.logout().json() == {"message": "User logged out successfully."}
    frontend.token = old_token  # a copy of the token kept elsewhere no longer works
    assert frontend.load_page().status == 401
    frontend.token = None

    # Logging in again brings the history back, as the page renders it.
    assert frontend.login("minji", PASSWORD).status_code == 200
    assert frontend.token != old_token
    page = frontend.load_page()
    assert page.conversations[0]["role"] == "system"
    assert page.shown == [
        ("assistant", opening),
        ("user", "인덱스는 B-tree로 조회를 빠르게 합니다."),
        ("assistant", replies[0]),
        ("user", "트랜잭션은 ACID를 보장합니다."),
        ("assistant", replies[1]),
    ]
    assert not page.start_box


def test_typing_instead_of_using_the_start_box_starts_an_interview(frontend):
    frontend.register("jun", "jun@example.com", PASSWORD, PASSWORD)
    frontend.login("jun", PASSWORD)
    assert frontend.load_page().start_box

    reply = frontend.send_message("프론트엔드 면접 보고 싶어요")

    assert reply.status_code == 200
    assert reply.json()["response"]  # no empty bubble
    interview = Interview.objects.get()
    assert (interview.position, interview.language) == ("fe", "ko")
    page = frontend.load_page()
    assert [role for role, _ in page.shown] == ["assistant"]
    assert not page.start_box


def test_a_plain_english_topic_gets_an_english_interview(frontend):
    frontend.register("sam", "sam@example.com", PASSWORD, PASSWORD)
    frontend.login("sam", PASSWORD)
    opening = frontend.start_interview("frontend developer").json()["response"]
    assert opening.startswith("Hello")
    assert Interview.objects.values_list("position", "language").get() == ("fe", "en")


def test_another_user_cannot_read_a_compat_interview(frontend, other_user, client_for):
    frontend.register("minji", "minji@example.com", PASSWORD, PASSWORD)
    frontend.login("minji", PASSWORD)
    frontend.start_interview("인성 면접")
    interview_id = Interview.objects.get().pk
    assert Client().get(f"/api/interviews/{interview_id}/").status_code == 404
    assert client_for(other_user).get(f"/api/interviews/{interview_id}/messages/").status_code == 404


class TestTokenLifetime:
    """The page keeps one token and cannot refresh it: it must outlive a JWT's 30 minutes."""

    @pytest.fixture
    def logged_in(self, frontend) -> OriginalFrontend:
        frontend.register("minji", "minji@example.com", PASSWORD, PASSWORD)
        frontend.login("minji", PASSWORD)
        return frontend

    def test_it_works_hours_later(self, logged_in):
        with time_machine.travel(timezone.now() + dt.timedelta(hours=5)):
            assert logged_in.load_page().status == 200

    def test_31_days_unused_kill_it(self, logged_in, settings):
        assert settings.COMPAT_TOKEN_DAYS == 30
        with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
            page = logged_in.load_page()
        assert page.status == 401
        assert not CompatToken.objects.exists()

    def test_use_within_30_days_keeps_it_alive(self, logged_in):
        start = timezone.now()
        for days in (20, 45, 70):  # never 30 days apart, 70 days in all
            with time_machine.travel(start + dt.timedelta(days=days)):
                assert logged_in.load_page().status == 200
        with time_machine.travel(start + dt.timedelta(days=101)):
            assert logged_in.load_page().status == 401

    def test_logout_kills_exactly_that_token(self, logged_in):
        other_browser = OriginalFrontend()
        other_browser.login("minji", PASSWORD)
        kept = logged_in.token
        logged_in.logout()
        logged_in.token = kept
        assert logged_in.load_page().status == 401
        assert other_browser.load_page().status == 200

    def test_a_password_change_kills_it(self, logged_in):
        user = User.objects.get(username="minji")
        user.set_password("another interview-ready passphrase")
        user.tokens_valid_after = timezone.now()
        user.save()
        assert logged_in.load_page().status == 401
        assert logged_in.login("minji", "another interview-ready passphrase").status_code == 200
        assert logged_in.load_page().status == 200

    def test_a_deactivated_user_is_refused(self, logged_in):
        User.objects.filter(username="minji").update(is_active=False)
        assert logged_in.load_page().status == 401
