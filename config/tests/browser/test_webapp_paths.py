"""The web app's other paths in headless Chromium: the quota spent, an upstream failure then retry,
dictation through the browser's own speech recognition (hands-free), a phone-sized screen, the
session (refresh on 401, log-out), and a copy hosted as plain files on another origin (CORS)."""

from __future__ import annotations

import json

from config.tests.browser.helpers import PASSWORD, Api, wait_ready

PHONE = {"width": 390, "height": 844}


def tokens_of(body: dict) -> dict:
    return {"access": body["access"], "refresh": body["refresh"]}


def test_with_the_quota_spent_the_answer_box_is_disabled_until_the_reset_time(
    app_server, new_page, axe_check, shot, username
):
    api = Api(app_server.url)
    session = api.register(username)
    status, long_one = api.call("POST", "/api/interviews/", {"position": "be", "plan": {"technical": 2}})
    assert status == 201, long_one
    status, short_one = api.call("POST", "/api/interviews/", {"position": "fe", "plan": {"technical": 1}})
    assert status == 201, short_one
    api.call("POST", f"/api/interviews/{short_one['id']}/answers/", {"content": "I would memoise the list."})
    api.call("POST", f"/api/interviews/{short_one['id']}/finish/")
    status, turn = api.call("POST", f"/api/interviews/{long_one['id']}/answers/", {"content": "Use bcrypt."})
    assert status == 201, turn
    assert turn["quota"]["remaining"] == 0

    page = new_page(tokens=tokens_of(session))
    page.goto(f"{app_server.url}/#/interviews/{long_one['id']}")
    wait_ready(page)
    page.wait_for_selector(".alert-warning")
    assert page.locator("#answer").is_disabled()
    assert page.locator("[data-testid=send]").is_disabled()
    assert page.locator("[data-testid=mic]").is_disabled()
    assert "5" in page.locator(".alert-warning").inner_text()  # "today's 5 turns ... after <time>"
    assert page.locator("[data-testid=quota]").inner_text().startswith("0/5")
    axe_check(page, "interview, quota spent")
    shot(page, "quota-en")

    # Starting another one is refused with the reason, not a bare error.
    page.goto(f"{app_server.url}/#/start")
    page.wait_for_selector("[data-testid=cost].cost-over")
    page.click("form.start-form button[type=submit]")
    alert = page.locator(".form-status .alert-error")
    alert.wait_for()
    assert "3" in alert.inner_text()  # needs 3 turns...
    assert "0" in alert.inner_text()  # ...and has 0 left


def test_after_an_upstream_failure_the_answer_stays_and_retry_gets_the_reply(
    llm_server, fake_openai, new_page, axe_check, username
):
    api = Api(llm_server.url)
    session = api.register(username)
    page = new_page(tokens=tokens_of(session))
    page.goto(f"{llm_server.url}/#/start")
    wait_ready(page)
    page.click("form.start-form button[type=submit]")
    page.wait_for_selector("[data-testid=send]")

    # Every LLM call of this answer fails: the page says so, keeps the answer, and offers a retry.
    for _ in range(4):
        fake_openai.fail_next("503")
    page.fill("#answer", "I would hash passwords with bcrypt and a per-user salt.")
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=retry]")
    assert "try again" in page.locator(".notices .alert-error").inner_text().lower()
    assert page.locator(".msg-user").count() == 1  # the answer is still on screen
    assert page.locator("#answer").is_disabled()
    axe_check(page, "interview, upstream failure")

    with fake_openai._lock:
        fake_openai._failures.clear()
    with page.expect_response(lambda r: r.url.endswith("/retry/")) as retried:
        page.click("[data-testid=retry]")
    assert retried.value.status == 201
    page.wait_for_function("() => document.querySelectorAll('.msg-assistant:not(.thinking)').length === 2")
    page.wait_for_selector("[data-testid=evaluation]")
    assert page.locator("[data-testid=retry]").count() == 0
    assert not page.locator("#answer").is_disabled()


FAKE_RECOGNITION = """
// The Web Speech API as Chrome offers it, hearing one sentence: interim words, then the final text.
window.__recognitions = 0;
class FakeRecognition {
  start() {
    window.__recognitions += 1;
    const said = (text, isFinal) => ({ resultIndex: 0, results: [Object.assign([{ transcript: text }], { isFinal })] });
    setTimeout(() => this.onresult && this.onresult(said("I would put a queue", false)), 150);
    setTimeout(() => this.onresult && this.onresult(said("I would put a queue between the services.", true)), 400);
  }
  stop() { setTimeout(() => this.onend && this.onend(), 20); }
  abort() { this.stop(); }
}
window.SpeechRecognition = FakeRecognition;
window.webkitSpeechRecognition = FakeRecognition;
"""


def test_hands_free_dictation_with_the_browsers_recognition_sends_after_a_pause(app_server, new_page, username):
    api = Api(app_server.url)
    session = api.register(username)
    status, started = api.call("POST", "/api/interviews/", {"position": "be"})
    assert status == 201
    page = new_page(tokens=tokens_of(session))
    page.add_init_script(FAKE_RECOGNITION)
    transcriptions = []
    page.on("request", lambda r: "/api/transcriptions/" in r.url and transcriptions.append(r))
    page.goto(f"{app_server.url}/#/interviews/{started['id']}")
    wait_ready(page)

    # Dictating by button: the words appear as they are recognised and wait, editable, to be sent.
    page.click("[data-testid=mic]")
    page.wait_for_function("() => document.querySelector('#answer').value === 'I would put a queue'")
    page.wait_for_function(
        "() => document.querySelector('#answer').value === 'I would put a queue between the services.'"
        " && document.querySelector('[data-testid=mic]').dataset.state === 'idle'",
        timeout=8000,
    )
    assert not page.locator("[data-testid=send]").is_disabled()
    page.fill("#answer", "")

    # Hands-free: the microphone opens by itself and, after the pause, the answer goes on its own.
    with page.expect_request(lambda r: r.method == "POST" and "/answers/" in r.url, timeout=15000) as sent:
        page.check("input[name=handsfree]")
        page.wait_for_selector(".voice-status button")  # "Sending in 3s" with a way to stop it
    body = json.loads(sent.value.post_data)
    assert body["content"] == "I would put a queue between the services."
    assert body["spoken_seconds"] > 0
    page.wait_for_selector("[data-testid=evaluation]")
    assert not transcriptions  # the browser recognised the speech: no audio went to the server


def test_on_a_phone_the_menu_folds_and_nothing_scrolls_sideways(app_server, new_page, axe_check, shot, username):
    api = Api(app_server.url)
    session = api.register(username)
    status, started = api.call("POST", "/api/interviews/", {"position": "fe", "language": "ko"})
    assert status == 201
    api.call(
        "POST", f"/api/interviews/{started['id']}/answers/", {"content": "가상 DOM은 변경을 모아서 한 번에 반영합니다."}
    )
    for language in ("en", "ko"):
        page = new_page(
            viewport=PHONE,
            locale="ko-KR" if language == "ko" else "en-US",
            is_mobile=True,
            has_touch=True,
            tokens=tokens_of(session),
        )
        page.goto(f"{app_server.url}/#/interviews/{started['id']}")
        wait_ready(page)
        page.wait_for_selector("[data-testid=evaluation]")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert not page.locator("nav.nav").is_visible()
        shot(page, f"phone-interview-{language}")
        page.click("button.nav-toggle")
        assert page.locator("button.nav-toggle").get_attribute("aria-expanded") == "true"
        page.locator("nav.nav a[href='#/start']").click()
        page.wait_for_selector("select[name=position]")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        axe_check(page, f"start on a phone ({language})")
        shot(page, f"phone-start-{language}")


def test_an_expired_access_token_is_refreshed_without_the_candidate_noticing(app_server, new_page, username):
    api = Api(app_server.url)
    session = api.register(username)
    page = new_page(tokens={"access": "expired.or.garbage", "refresh": session["refresh"]})
    page.goto(f"{app_server.url}/#/interviews")
    wait_ready(page)
    page.wait_for_selector("h1")
    assert page.url.endswith("#/interviews")  # not sent to the log-in page
    stored = json.loads(page.evaluate("() => localStorage.getItem('mi.tokens')"))
    assert stored["access"] != "expired.or.garbage"


def test_log_out_forgets_the_tokens_and_revokes_the_session(app_server, new_page, username):
    api = Api(app_server.url)
    session = api.register(username)
    page = new_page(tokens=tokens_of(session))
    page.goto(f"{app_server.url}/#/interviews")
    wait_ready(page)
    page.click("[data-testid=logout]")
    page.wait_for_selector("a[href='#/register']")
    assert page.evaluate("() => localStorage.getItem('mi.tokens')") is None
    status, _ = api.call("POST", "/api/auth/refresh/", {"refresh": session["refresh"]}, token="-")
    assert status == 401
    page.goto(f"{app_server.url}/#/progress")
    page.wait_for_selector("input[name=password]")  # a private screen asks to log in


def test_log_in_takes_the_candidate_back_to_where_they_were_going(app_server, new_page, username):
    Api(app_server.url).register(username)
    page = new_page()
    page.goto(f"{app_server.url}/#/cvs")
    wait_ready(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "wrong-password-123")
    page.click("button[type=submit]")
    page.wait_for_selector(".form-status .alert-error")
    assert "do not match" in page.locator(".form-status").inner_text()
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#cv-upload")
    assert page.url.endswith("#/cvs")


def test_a_copy_hosted_as_plain_files_on_another_origin_works_against_the_api(
    static_site, app_server, new_page, username
):
    page = new_page()
    page.goto(f"{static_site}/index.html#/register")
    wait_ready(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("select[name=position]")
    page.click("form.start-form button[type=submit]")
    page.wait_for_selector("[data-testid=send]")
    page.fill("#answer", "I would use parameterized queries.")
    with page.expect_response(lambda r: "/answers/" in r.url and r.request.method == "POST") as answered:
        page.click("[data-testid=send]")
    # Cross-origin, with the Authorization and Idempotency-Key headers, as an event stream.
    assert answered.value.url.startswith(app_server.url)
    assert answered.value.headers["content-type"].startswith("text/event-stream")
    page.wait_for_selector("[data-testid=evaluation]")
