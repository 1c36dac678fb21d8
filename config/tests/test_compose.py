"""The container stack puts a buffering reverse proxy in front of gunicorn (slow clients)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def stack() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def nginx_conf() -> str:
    # Compose interpolates $VAR in config content; $$ is a literal $ for nginx.
    return stack()["configs"]["nginx"]["content"].replace("$$", "$")


def test_only_the_proxy_is_published_and_gunicorn_is_reached_through_it():
    services = stack()["services"]
    assert services["proxy"]["image"].startswith("nginx:")
    assert "ports" not in services["web"], "gunicorn must not be reachable around the proxy"
    assert services["proxy"]["ports"] == ["8000:8080"]
    assert services["web"]["environment"]["NUM_PROXIES"] == "1"
    assert {"source": "nginx", "target": "/etc/nginx/conf.d/default.conf"} in services["proxy"]["configs"]


def test_the_proxy_buffers_whole_requests_and_drops_slow_ones():
    conf = nginx_conf()
    for directive in (
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "client_header_timeout 10s;",
        "client_body_timeout 15s;",
        "proxy_pass http://app;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ):
        assert directive in conf
    upload_limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert upload_limit is not None
    assert int(upload_limit.group(1)) >= 25  # transcriptions take up to 25 MB


def test_every_nginx_variable_is_escaped_from_compose_interpolation():
    raw = stack()["configs"]["nginx"]["content"]
    assert not re.search(r"(?<!\$)\$(?!\$)", raw), "a single $ would be replaced by compose, not passed to nginx"


def test_the_braces_of_the_nginx_config_balance():
    conf = nginx_conf()
    assert conf.count("{") == conf.count("}")
