import pytest
from django.core.management import call_command


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    # Warnings mean the schema and the code disagree (e.g. two bodies sharing one component).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for path in ("/api/auth/register/", "/api/interviews/{interview_id}/answers/", "/api/chat/gpt/", "/api/health/"):
        assert f"  {path}:" in text
    assert "#/components/schemas/Error" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # assets are served locally: works offline
