"""The web shell: French by default, English one click away, errors translated, security headers."""


def test_home_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Des groupes de soutien entre pairs" in page
    assert "9-8-8" in page


def test_english_is_one_click_away_and_remembered(client):
    response = client.get("/language/en?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Peer-support groups, simple and safe" in page


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get(f"/language/fr?next={target}")
        assert response.headers["Location"] == "/"


def test_unknown_language_is_a_404_in_french(client):
    response = client.get("/language/de")
    assert response.status_code == 404
    assert "Cette page n’existe pas" in response.get_data(as_text=True)


def test_not_found_in_json_for_api_clients(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_security_headers(client):
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_agenda_command_json_in_both_languages(runner):
    import json

    for language, q1 in (("fr", "Que trouvez-vous le plus difficile?"), ("en", "What do you find the most difficult?")):
        result = runner.invoke(args=["agenda", "--kind", "regular", "--minutes", "30", "--members", "6", "--lang",
                                     language, "--json"])
        assert result.exit_code == 0, result.output
        steps = json.loads(result.output)
        assert {"key", "offset_seconds", "duration_seconds", "chat_text", "moderator_text"} <= set(steps[0])
        assert steps[1]["key"] == "q1" and q1 in steps[1]["chat_text"]
        assert sum(step["duration_seconds"] for step in steps) == 1800


def test_agenda_command_refuses_bad_durations(runner):
    result = runner.invoke(args=["agenda", "--kind", "kickoff", "--minutes", "20"])
    assert result.exit_code != 0 and "45-90" in result.output


def test_request_log_names_the_route_never_the_path(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="entre_pairs.requests"):
        client.get("/language/fr?next=/secret-token-in-query")
        client.get("/m/a-secret-console-token")
    lines = [record.getMessage() for record in caplog.records if record.name == "entre_pairs.requests"]
    assert any("/language/<language>" in line for line in lines)
    assert all("secret" not in line for line in lines)
