def test_pages_send_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_health_endpoints_answer_json(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_pages_for_signed_in_people_are_not_cached(clients):
    response = clients["patient"].get("/program/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    response = clients["therapist"].get("/api/v1/me")
    assert "no-store" in response["Cache-Control"]
