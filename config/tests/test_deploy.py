"""Production settings: what README's deployment section documents passes `check --deploy` with
no warnings, HSTS comes from the environment, and a weak SECRET_KEY stops the app from starting."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(50)


def readme_production_environment() -> dict[str, str]:
    """The variables of README's "Production environment" block, as an operator would copy them."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n# Production environment[^\n]*\n(.*?)```", readme, re.DOTALL)
    assert block, "README's deployment section lists the production environment in a ```sh block"
    pairs = (line.split("=", 1) for line in block.group(1).splitlines() if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def clean_environment(**variables: str) -> dict[str, str]:
    """Only what a shell gives every process, plus `variables`: nothing of the test run's own settings."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return {**keep, "PYTHONDONTWRITEBYTECODE": "1", **variables}


def django(code: str, **variables: str) -> subprocess.CompletedProcess:
    script = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup(); {code}"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean_environment(**variables), capture_output=True, text=True
    )


@pytest.mark.slow
def test_readmes_production_settings_pass_check_deploy_with_no_warnings():
    environment = readme_production_environment()
    assert environment["DEBUG"] == "false"
    environment["SECRET_KEY"] = STRONG_KEY  # README says to generate one; the placeholder is refused
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(**environment),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_readmes_secret_key_placeholder_is_refused():
    environment = readme_production_environment()
    result = django("", **environment)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_hsts_comes_from_the_environment():
    show = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    configured = django(
        show,
        SECRET_KEY=STRONG_KEY,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.split() == ["31536000", "True", "True"]
    default = django(show, SECRET_KEY=STRONG_KEY)
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["0", "False", "False"]


def test_an_https_response_carries_the_configured_hsts_header():
    request = (
        "from django.test import Client; "
        "r = Client().get('/api/health/', secure=True, HTTP_HOST='localhost'); print(r['Strict-Transport-Security'])"
    )
    result = django(
        request,
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="sqlite:///:memory:",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "max-age=3600; includeSubDomains"


@pytest.mark.parametrize(
    "weak",
    [
        "test-only-secret-key-for-the-suite-0123456789",  # 45 characters
        "x" * 64,  # long, one character
        "abcd" * 20,  # long, four different characters
        "django-insecure-" + secrets.token_urlsafe(50),  # startproject's throwaway key
    ],
)
def test_a_weak_secret_key_is_refused_when_debug_is_off(weak):
    result = django("", SECRET_KEY=weak, DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_a_weak_signing_key_set_apart_is_refused_too():
    result = django("", SECRET_KEY=STRONG_KEY, JWT_SIGNING_KEY="short", DEBUG="false")
    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must be at least 50 characters" in result.stderr


def test_a_strong_secret_key_starts_and_debug_accepts_any_key():
    assert django("", SECRET_KEY=STRONG_KEY, DEBUG="false").returncode == 0
    assert django("", SECRET_KEY="short", DEBUG="true").returncode == 0


def test_ssl_redirect_spares_the_health_check():
    request = (
        "from django.test import Client; c = Client(HTTP_HOST='localhost'); "
        "print(c.get('/api/health/').status_code, c.get('/api/auth/me/').status_code)"
    )
    result = django(request, SECRET_KEY=STRONG_KEY, DATABASE_URL="sqlite:///:memory:", SECURE_SSL_REDIRECT="true")
    assert result.returncode == 0, result.stderr
    health, other = result.stdout.split()
    assert health != "301"  # the container's health check speaks plain http to gunicorn
    assert other == "301"
