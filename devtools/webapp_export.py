"""Writes the web app as plain files for any static host: ``index.html`` (templates/index.html
rendered with relative ``static/`` URLs), the app's own files and the vendored libraries it loads,
with ``static/app/config.js`` pointing at the API.

    python -m devtools.webapp_export DIR --api-base-url https://api.example.com

The API server must then list the static site's origin in CORS_ALLOWED_ORIGINS. Nothing is built:
the files are copied as they are (axe-core, which only the browser tests load, is left out).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("app", "vendor/chartjs")
_API_BASE = re.compile(r'apiBaseUrl: "[^"]*"')
_ROOTED_STATIC = re.compile(r'(href|src)="/static/')


def render_index() -> str:
    """templates/index.html through Django's template engine, with no server-side configuration."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            STATIC_URL="/static/",
            STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
            INSTALLED_APPS=["django.contrib.staticfiles"],
            TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [ROOT / "templates"]}],
        )
        django.setup()
    from django.template.loader import render_to_string
    from django.test.utils import override_settings

    # Plain names, whatever the project's storage (hashed names exist only after collectstatic).
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STATIC_URL="/static/", STORAGES=plain):
        html = render_to_string("index.html", {"webapp_config": None})
    # Django roots STATIC_URL at "/"; relative URLs let the copy live in any folder of any host.
    return _ROOTED_STATIC.sub(r'\1="static/', html)


def export(target: Path, *, api_base_url: str = "") -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in COPIED:
        destination = target / "static" / part
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(ROOT / "static" / part, destination)
    config = target / "static" / "app" / "config.js"
    config.write_text(_API_BASE.sub(f"apiBaseUrl: {json.dumps(api_base_url)}", config.read_text()))
    (target / "index.html").write_text(render_index())
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.webapp_export", description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--api-base-url", default="", help="the API server's origin, e.g. https://api.example.com")
    args = parser.parse_args(argv)
    target = export(args.directory, api_base_url=args.api_base_url.rstrip("/"))
    print(f"Web app written to {target}/ (API: {args.api_base_url or 'same origin'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
