"""The OpenAPI schema and docs: staff only, the real session cookie name, every error documented."""

from __future__ import annotations

import pytest
import yaml


def _schema(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
@pytest.mark.parametrize("who", ["anonymous", "patient", "stranger"])
def test_it_refuses_the_schema_and_docs_to_anyone_but_signed_in_staff(clients, path, who):
    assert clients[who].get(path).status_code == 403


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_it_serves_the_schema_and_docs_to_staff(clients, path, who):
    assert clients[who].get(path).status_code == 200


def test_it_names_the_session_cookie_the_server_uses(clients, settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"  # production's name
    client = clients["admin"]
    client.cookies["__Host-sessionid"] = client.cookies["sessionid"].value
    scheme = _schema(client)["components"]["securitySchemes"]["cookieAuth"]
    assert scheme == {"type": "apiKey", "in": "cookie", "name": "__Host-sessionid"}


def test_it_documents_400_403_404_and_429(clients):
    paths = _schema(clients["therapist"])["paths"]
    operations = [(path, method, op) for path, item in paths.items() for method, op in item.items()]
    assert len(operations) >= 10
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"400", "403"} <= codes, (path, method, codes)
        if "{" in path:
            assert "404" in codes, (path, method, codes)
    messages = paths["/api/v1/conversations/{patient_id}/messages"]["post"]["responses"]
    assert {"201", "400", "403", "404", "429"} <= set(messages)
