"""The web app, used as a candidate and a visitor would, in real headless Chromium against the
production server (see conftest.py)."""

from __future__ import annotations

import json
import re

import pytest

from config.tests.browser.helpers import PASSWORD, wait_ready
from devtools.fakeopenai import DEFAULT_TRANSCRIPT

ANSWERS = {
    "en": [
        "I would never build SQL by formatting strings: parameterized queries keep user input as data, "
        "and the ORM does this by default.",
        None,  # dictated through the faked microphone
        "I would measure first, then add an index, cache the hot reads in Redis and keep the API stateless.",
    ],
    "ko": [
        "사용자 입력은 항상 파라미터 바인딩으로 넘기고, 문자열로 SQL을 만들지 않습니다. "
        "ORM도 기본적으로 그렇게 합니다.",
        None,
        "먼저 병목을 측정하고, 인덱스를 추가하고, 자주 읽는 데이터는 Redis에 캐시하겠습니다.",
    ],
}
HOME_TITLE = {"en": "Rehearse the interview before it counts", "ko": "실전 전에, 면접을 미리 연습하세요"}
LOCALES = {"en": "en-US", "ko": "ko-KR"}


def answers_posted(page):
    return page.expect_request(lambda r: r.method == "POST" and re.search(r"/api/interviews/\d+/answers/$", r.url))


def send_typed(page, text: str, evaluations: int) -> None:
    page.fill("#answer", text)
    with page.expect_response(lambda r: r.request.method == "POST" and "/answers/" in r.url) as response:
        page.click("[data-testid=send]")
    assert response.value.headers["content-type"].startswith("text/event-stream")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=evaluation]').length === n"
        " && !document.querySelector('.streaming')",
        arg=evaluations,
    )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_candidate_practises_by_typing_and_voice_then_publishes_to_the_feed(
    app_server, new_page, axe_check, shot, cv_file, username, language
):
    page = new_page(locale=LOCALES[language])
    page.goto(app_server.url + "/")
    wait_ready(page)
    # The UI speaks the browser's language by default.
    assert page.locator("h1").inner_text() == HOME_TITLE[language]
    assert page.evaluate("() => document.documentElement.lang") == language
    axe_check(page, "home")
    shot(page, f"home-{language}")

    # Register.
    page.click("a[href='#/register']")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=password]", PASSWORD)
    axe_check(page, "register")
    page.click("button[type=submit]")

    # Start, with a CV.
    page.wait_for_selector("select[name=position]")
    page.set_input_files("input[name=cv_file]", str(cv_file))
    page.wait_for_selector(".cv-status .alert-success")
    assert page.locator("select[name=cv_id] option:checked").inner_text() == "cv.txt"
    page.select_option("select[name=position]", "be")
    page.check(f"input[name=language][value={language}]")
    assert "5" in page.locator("[data-testid=cost]").inner_text()  # 3 questions: 5 turns of 5
    axe_check(page, "start")
    shot(page, f"start-{language}")
    page.click("form.start-form button[type=submit]")
    page.wait_for_selector("[data-testid=send], .form-status .alert")
    assert page.locator(".form-status .alert").count() == 0, page.locator(".form-status").inner_text()
    assert re.search(r"#/interviews/\d+$", page.url)
    interview_id = int(page.url.rsplit("/", 1)[1])

    # The interviewer's first message plays: a real MP3 with a length, and time passes as it plays.
    first = page.locator(".msg-assistant").first
    first.locator("button.play").click()
    audio = first.locator("audio").element_handle()
    page.wait_for_function("a => a.duration > 0 && a.currentTime > 0.2", arg=audio)
    assert page.evaluate("a => a.currentSrc", audio).endswith(".mp3")
    first.locator("button.play").click()  # pause

    # A typed answer: the reply arrives as an event stream; the evaluation shows under the answer.
    send_typed(page, ANSWERS[language][0], evaluations=1)
    assert page.locator(".msg-assistant").count() == 2
    axe_check(page, "interview")

    # A dictated answer: the faked microphone is recorded and transcribed by the server.
    page.select_option("select[name=dictation]", "server")
    page.click("[data-testid=mic]")
    page.wait_for_selector("[data-testid=mic][data-state=listening]")
    page.wait_for_timeout(1200)
    with page.expect_response(lambda r: "/api/transcriptions/" in r.url) as transcription:
        page.click("[data-testid=mic]")  # stop: the answer lands in the text box, editable
    assert transcription.value.status == 200
    page.wait_for_function("t => document.querySelector('#answer').value === t", arg=DEFAULT_TRANSCRIPT)
    with answers_posted(page) as sent:
        page.click("[data-testid=send]")
    body = json.loads(sent.value.post_data)
    assert body["content"] == DEFAULT_TRANSCRIPT
    assert body["spoken_seconds"] >= 1
    page.wait_for_function("() => document.querySelectorAll('[data-testid=evaluation]').length === 2")
    page.wait_for_selector(".streaming", state="detached")
    shot(page, f"interview-{language}")

    # The last planned answer, then the report.
    send_typed(page, ANSWERS[language][2], evaluations=3)
    page.wait_for_selector("[data-testid=finish].primary")
    assert page.locator("#answer").count() == 0  # every planned question is answered
    page.click("[data-testid=finish]")
    page.wait_for_selector("[data-testid=overall]")
    assert page.url.endswith(f"#/interviews/{interview_id}/report")
    page.wait_for_function("() => [...document.querySelectorAll('canvas')].some(c => window.Chart.getChart(c))")
    assert int(page.locator("[data-testid=overall] strong").inner_text()) >= 0
    axe_check(page, "report")
    shot(page, f"report-{language}")

    # Publish; a logged-out visitor then finds it in the public feed, with its transcript and audio.
    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        page.check("[data-testid=public]")
    assert patched.value.status == 200

    visitor = new_page(locale=LOCALES[language])
    visitor.goto(app_server.url + "/#/feed")
    wait_ready(visitor)
    card = visitor.locator(f"a[href='#/feed/{interview_id}']")
    card.wait_for()
    axe_check(visitor, "feed")
    shot(visitor, f"feed-{language}")
    card.click()
    visitor.wait_for_selector(".transcript .msg")
    assert visitor.locator(".transcript .msg-user").count() == 3
    # The question built from the CV, and its answer, are withheld from the public: two evaluations show.
    assert visitor.locator(".transcript [data-testid=evaluation]").count() == 2
    assert visitor.locator(".transcript audio").count() >= 2  # withheld messages have none
    visitor.locator(".transcript button.play").first.click()
    visitor.wait_for_function(
        "a => a.duration > 0 && a.currentTime > 0", arg=visitor.locator(".transcript audio").first.element_handle()
    )
    assert username in visitor.locator(".page-wide").inner_text()
    axe_check(visitor, "feed transcript")


def test_every_string_exists_in_both_languages(app_server, new_page):
    page = new_page()
    page.goto(app_server.url + "/")
    wait_ready(page)
    missing = page.evaluate("async () => (await import('/static/app/i18n.js')).missingKeys()")
    assert missing == {"ko": [], "en": []}


def test_the_language_can_be_switched_and_is_remembered(app_server, new_page):
    page = new_page(locale="en-US")
    page.goto(app_server.url + "/#/feed")
    wait_ready(page)
    page.select_option("select.lang-select", "ko")
    page.wait_for_selector("h1:has-text('공개 면접')")
    page.reload()
    wait_ready(page)
    assert page.locator("h1").inner_text() == "공개 면접"
    assert page.evaluate("() => document.documentElement.lang") == "ko"
