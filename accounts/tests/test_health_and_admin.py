import pytest
from django.db import OperationalError

from accounts.models import DailyUsage
from accounts.services import quota_reserve
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_health_reports_ok_with_the_database(api_client):
    response = api_client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_unreachable(api_client, monkeypatch):
    from config import views

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", refuse)
    response = api_client.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "unreachable"
    assert body["error"]["code"] == "database_unavailable"


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_admin_user_list_shows_limit_and_todays_usage(staff_client, settings):
    settings.DAILY_CHAT_LIMIT = 5
    heavy = UserFactory(username="heavyuser", daily_chat_limit=9)
    for _ in range(3):
        quota_reserve(user=heavy)
    html = staff_client.get("/admin/accounts/user/").content.decode()
    assert "heavyuser" in html
    assert "5 (default)" in html
    assert '<td class="field-used_today">3</td>' in html
    assert '<td class="field-daily_limit">9</td>' in html


def test_admin_can_change_a_users_daily_limit(staff_client):
    target = UserFactory()
    page = staff_client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    assert 'name="daily_chat_limit"' in page


def test_admin_ledger_is_readable_but_not_editable(staff_client, user):
    quota_reserve(user=user)
    row = DailyUsage.objects.get(user=user)
    assert user.username in staff_client.get("/admin/accounts/dailyusage/").content.decode()
    assert staff_client.get(f"/admin/accounts/dailyusage/{row.pk}/change/").status_code == 200
    assert staff_client.get("/admin/accounts/dailyusage/add/").status_code == 403


def test_admin_is_closed_to_non_staff(client, user):
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 302
