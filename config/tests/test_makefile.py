"""A newcomer's path through the Makefile: `make superuser` exists and uses `make run`'s database,
and the Python lookup stays quiet where pyenv shims of uninstalled versions sit on PATH."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args: str, path: str | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": path or os.environ["PATH"]}
    environment.pop("PYTHON", None)
    environment.pop("MAKEFLAGS", None)
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_make_superuser_creates_an_admin_on_the_database_make_run_uses():
    superuser, run = make("-n", "superuser"), make("-n", "run")
    assert superuser.returncode == 0, superuser.stderr
    lines = superuser.stdout.splitlines()
    assert any("manage.py createsuperuser" in line for line in lines)
    assert any("manage.py migrate" in line for line in lines)  # works before the first `make run`
    environment = next(line for line in run.stdout.splitlines() if "manage.py runserver" in line).split()[0]
    assert all(line.startswith(environment) for line in lines if "manage.py" in line)


def test_readme_names_make_superuser_and_says_make_run_holds_the_terminal():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make superuser" in quick_start
    assert "createsuperuser" not in quick_start
    assert "holds the terminal" in quick_start


def test_python_lookup_skips_failing_pyenv_shims_quietly(tmp_path):
    for version in ("3.13", "3.12"):
        shim = tmp_path / f"python{version}"
        shim.write_text(
            "#!/bin/sh\n"
            f'echo "pyenv: python{version}: command not found" >&2\n'
            f'echo "The `python{version}\' command exists in these Python versions:" >&2\n'
            "exit 127\n"
        )
        shim.chmod(0o755)
    working = tmp_path / "python3.11"
    working.symlink_to(sys.executable)
    result = make("-n", "lock", path=f"{tmp_path}:{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "python3.11 -m venv" in result.stdout
