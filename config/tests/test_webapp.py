"""The web app's server side: the HTML shell at /, CORS for a copy hosted elsewhere, the static export
and the vendored libraries. The app itself is tested in a real browser (config/tests/browser)."""

from __future__ import annotations

import json
import re

import pytest

from config.testing import ROOT
from devtools.webapp_export import export

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.example.com"


def test_the_shell_is_served_at_the_root_with_its_api_base_url(client, settings):
    settings.WEBAPP_API_BASE_URL = "https://api.example.com"
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    config = re.search(r'<script id="webapp-config" type="application/json">(.*?)</script>', html)
    assert json.loads(config.group(1)) == {"apiBaseUrl": "https://api.example.com"}
    for asset in ("app/config.js", "app/main.js", "app/app.css", "vendor/chartjs/chart.umd.js"):
        assert f"/static/{asset}" in html
        assert (ROOT / "static" / asset).is_file()
    assert "axe" not in html  # the accessibility engine is for the tests only


def test_every_asset_the_shell_names_is_served(client):
    html = client.get("/").content.decode()
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert (ROOT / "static" / url.removeprefix("/static/")).is_file(), url


def test_an_unknown_page_is_still_a_json_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_configured_origin_may_post_answers_with_a_token_and_an_idempotency_key(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    response = client.options(
        "/api/interviews/1/answers/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "accept"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_another_origin_gets_no_cors_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    response = client.options(
        "/api/interviews/1/answers/",
        HTTP_ORIGIN="https://evil.example.net",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert "Access-Control-Allow-Origin" not in response


def test_a_cross_origin_answer_can_read_retry_after_and_replay_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    response = client.get("/api/health/", HTTP_ORIGIN=ORIGIN)
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "idempotent-replayed"} <= exposed


def test_the_export_is_plain_files_with_relative_links_and_the_api_base_url(tmp_path):
    target = export(tmp_path / "site", api_base_url="https://api.example.com")
    html = (target / "index.html").read_text()
    links = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert links
    assert all(link.startswith("static/") for link in links)
    for link in links:
        assert (target / link).is_file(), link
    assert "{%" not in html
    assert "webapp-config" not in html
    assert 'apiBaseUrl: "https://api.example.com"' in (target / "static/app/config.js").read_text()
    assert not (target / "static/vendor/axe-core").exists()


@pytest.mark.parametrize(("library", "licence"), [("chartjs", "LICENSE.md"), ("axe-core", "LICENSE")])
def test_vendored_libraries_ship_with_their_licence_and_version(library, licence):
    folder = ROOT / "static" / "vendor" / library
    assert (folder / licence).is_file()
    version = (folder / "VERSION").read_text()
    pinned = re.search(
        rf"{'CHARTJS' if library == 'chartjs' else 'AXE_CORE'}_VERSION=(\S+)",
        (ROOT / "devtools/vendor_refresh.sh").read_text(),
    )
    assert pinned.group(1) in version  # refreshed at the version the script pins
