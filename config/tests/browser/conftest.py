"""The web app in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python)
against the production server: gunicorn with gunicorn.conf.py, DEBUG off, collectstatic'd files
served by WhiteNoise, a migrated SQLite database of its own with the question bank, the offline
engines (practice interviewer, espeak), and the fake OpenAI server as speech to text. A second server
on the same database uses the fake as its LLM, for the upstream-failure path. A copy of the app
exported as plain files (devtools.webapp_export) is served from another origin, for CORS.

Skipped, with the reason, when Chromium or Playwright is missing (`apt-get install chromium`).
Screenshots go to a temporary folder, or to SCREENSHOTS_DIR when set (`make screenshots`: docs/).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from config.testing import ROOT, free_port, production_server

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    # A microphone that needs no permission prompt and plays a test tone.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"browser tests skipped: {CHROMIUM} not found (apt-get install chromium chromium-driver)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    for item in items:
        if "config/tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# --- Servers -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def webapp_env(tmp_path_factory) -> dict[str, str]:
    """Settings shared by the servers: their own SQLite database (migrated, bank loaded) and static files."""
    workdir = tmp_path_factory.mktemp("webapp")
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'webapp.sqlite3'}",
        "DATA_DIR": str(workdir),
        "STATIC_ROOT": str(workdir / "static"),
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REGISTER_RATE_PER_IP": "10000/min",
        "LOGIN_RATE_PER_IP": "10000/min",
        "DAILY_CHAT_LIMIT": "5",
        "SPEECH_ENGINE": "espeak",
        "LOG_LEVEL": "WARNING",
        # Audio requests may wait for a clip being synthesized: threads to spare for the page's other calls.
        "GUNICORN_THREADS": "8",
    }
    full = {**os.environ, **env}
    for command in (["migrate", "--noinput", "-v0"], ["load_questions"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=full, check=True, stdout=subprocess.DEVNULL
        )
    return env


@pytest.fixture(scope="session")
def fake_openai() -> Iterator:
    from devtools.fakeopenai import FakeOpenAI

    with FakeOpenAI() as server:
        server.hang_seconds = 10
        yield server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def static_site_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def app_server(webapp_env, fake_openai, static_site_port) -> Iterator:
    """The offline production server (practice interviewer, espeak), with speech to text on the fake."""
    with production_server(
        **webapp_env,
        CHAT_PROVIDER="practice",
        STT_MODEL="whisper-1",
        STT_BASE_URL=fake_openai.base_url,
        STT_API_KEY="browser-test-key",
        CORS_ALLOWED_ORIGINS=f"http://127.0.0.1:{static_site_port}",
    ) as server:
        yield server


@pytest.fixture(scope="session")
def llm_server(webapp_env, fake_openai) -> Iterator:
    """The production server with the fake OpenAI server as its LLM (and no speech to text)."""
    with production_server(
        **webapp_env,
        CHAT_PROVIDER="openai",
        OPENAI_API_KEY="browser-test-key",
        OPENAI_BASE_URL=fake_openai.base_url,
        OPENAI_MODEL="primary-model",
        OPENAI_MAX_RETRIES="0",
        OPENAI_TIMEOUT="5",
    ) as server:
        yield server


@pytest.fixture(scope="session")
def static_site(app_server, static_site_port, tmp_path_factory) -> Iterator[str]:
    """The app exported as plain files (pointing at app_server), served from another origin."""
    from devtools.webapp_export import export

    directory = export(tmp_path_factory.mktemp("static-site"), api_base_url=app_server.url)
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", static_site_port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{static_site_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


_counter = iter(range(1, 10_000))


@pytest.fixture
def username(request) -> str:
    return f"cand{os.getpid() % 1000}x{next(_counter)}"


# --- The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser) -> Iterator:
    """new_page(locale=..., viewport=..., tokens=...) -> a page in a fresh context; the test fails on
    any uncaught script error of the app."""
    contexts = []
    errors: list[str] = []

    def make(*, locale: str = "en-US", viewport: dict | None = None, tokens: dict | None = None, **options):
        context = browser.new_context(
            locale=locale, viewport=viewport or {"width": 1280, "height": 900}, device_scale_factor=1, **options
        )
        context.set_default_timeout(15_000)
        if tokens:
            # A candidate who logged in earlier: the app keeps its tokens in localStorage.
            context.add_init_script(f"localStorage.setItem('mi.tokens', {json.dumps(json.dumps(tokens))});")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def axe_check():
    """axe_check(page, name): no serious or critical accessibility violation on the current screen."""

    def check(page, name: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        assert result == [], f"accessibility violations on {name}: {json.dumps(result, indent=1)}"

    return check


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("SCREENSHOTS_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def shot(screenshots_dir):
    """shot(page, name): a full-page PNG of the screen, scrolled to the top first."""

    def take(page, name: str) -> Path:
        page.evaluate(
            "() => { window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();"
            " document.getElementById('toasts').replaceChildren(); }"
        )
        page.wait_for_timeout(150)  # charts and fonts settle
        path = screenshots_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return take


@pytest.fixture
def cv_file(tmp_path) -> Path:
    path = tmp_path / "cv.txt"
    path.write_text(
        "Jamie Doe - Backend engineer\n\nSkills\nPython, Django, PostgreSQL, Redis, Docker, Kubernetes\n\n"
        "Projects\n- Built a payment reconciliation service in Django handling 2M transactions a day\n"
        "- Migrated a monolith's search to Elasticsearch, cutting latency by 60%\n"
    )
    return path
