import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    code = (ROOT / "config/settings.py").read_text() + (ROOT / "gunicorn.conf.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', code))
    names |= set(re.findall(r'_int\("([A-Z0-9_]+)"', code))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', code))
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    assert len(names) > 40
    assert sorted(n for n in names if f"`{n}`" not in table) == []


def default_storage_module(**env: str) -> str:
    """The module of the default storage a fresh process builds from these environment variables."""
    script = (
        "import django; django.setup(); from django.core.files.storage import storages; "
        "print(type(storages['default']).__module__)"
    )
    key = "storage-test-secret-key-0123456789-abcdefghijklmnop"  # 50+ characters: DEBUG is off
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": key, **env}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_audio_goes_to_s3_by_settings_alone():
    assert default_storage_module(S3_BUCKET="clips", S3_ENDPOINT_URL="http://127.0.0.1:9000") == "storages.backends.s3"
    assert default_storage_module(S3_BUCKET="").startswith("django.core.files.storage")


def test_secret_key_is_required_when_debug_is_off():
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
