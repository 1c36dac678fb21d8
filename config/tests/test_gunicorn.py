import urllib.request

import pytest

from config.testing import production_server


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_health_with_the_production_config():
    with production_server() as server, urllib.request.urlopen(f"{server.url}/api/health/", timeout=2) as response:
        assert response.status == 200
        assert response.read() == b'{"status":"ok","database":"ok"}'
