"""What no route should have to think about: ids beyond the database's range, JSON nested beyond reason."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.coordinators import create_coordinator
from service.routing import ID_MAXIMUM, digits_up_to
from tests.coordinator_helpers import log_in
from tests.factories import make_group

# Beyond any database (SQLite overflows past 2**63), just beyond PostgreSQL's INTEGER, and zero.
OUT_OF_RANGE = ["99999999999999999999", str(ID_MAXIMUM + 1), "0"]
CONVERTED = re.compile(r"<int:\w+>")


def rules_with_ids(app, prefix: str):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(prefix) and CONVERTED.search(rule.rule)]


def with_id(rule, value: str, real_ids: dict[str, int]) -> str:
    """The rule's path with ``value`` in its last id and real ids before it (so only the last one is wrong)."""
    names = CONVERTED.findall(rule.rule)
    path = rule.rule
    for position, placeholder in enumerate(names):
        name = placeholder[5:-1]
        path = path.replace(placeholder, value if position == len(names) - 1 else str(real_ids.get(name, 1)), 1)
    return path


@pytest.fixture
def group(actor):
    return make_group(actor, members=5, trained=1)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_every_api_operation_answers_404_for_an_id_out_of_range(app, client, coordinator, group, value):
    token = create_coordinator(app.extensions["settings"], coordinator.email).token
    rules = rules_with_ids(app, "/api/")
    assert len(rules) >= 10
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = with_id(rule, value, {"group_id": group.id})
            response = client.open(path, method=method, json={} if method in ("POST", "PUT", "PATCH") else None,
                                   headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 404, (method, path, response.status_code)
            assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_every_coordinator_page_answers_404_for_an_id_out_of_range(app, client, group, value):
    log_in(client)
    rules = rules_with_ids(app, "/coordination/")
    assert len(rules) >= 10
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = with_id(rule, value, {"group_id": group.id})
            response = client.open(path, method=method)
            assert response.status_code == 404, (method, path, response.status_code)


def test_the_largest_id_is_looked_up_and_simply_not_found(client, app, group):
    log_in(client)
    assert client.get(f"/coordination/groupes/{ID_MAXIMUM}").status_code == 404
    assert client.get(f"/coordination/groupes/{group.id}").status_code == 200


def test_the_openapi_document_bounds_every_id(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = [parameter for operations in document["paths"].values() for operation in operations.values()
                  for parameter in operation["parameters"] if parameter["in"] == "path"]
    assert len(parameters) >= 20
    for parameter in parameters:
        assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def deeply_nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path, language, expected", [
    ("/api/v1/groups", "fr", "imbriqué trop profondément"),
    ("/api/v1/groups", "en", "nested too deeply"),
    ("/api/v1/groups/validate", "en", "nested too deeply"),
    ("/webhooks/zoom", "fr", "imbriqué trop profondément"),
    ("/coordination/connexion/locale", "fr", "imbriqué trop profondément"),
])
def test_a_json_body_nested_100000_deep_is_a_clear_400(app, client, coordinator, path, language, expected):
    token = create_coordinator(app.extensions["settings"], coordinator.email).token
    response = client.post(path, data=deeply_nested(100_000), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Accept-Language": language,
        "Accept": "application/json"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "json_too_deep" and expected in error["message"]


def test_a_json_body_nested_deep_but_parseable_is_an_ordinary_refusal(app, client, coordinator):
    token = create_coordinator(app.extensions["settings"], coordinator.email).token
    response = client.post("/api/v1/groups", data=deeply_nested(500), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert response.status_code == 422


@given(maximum=st.integers(1, 10**12), number=st.integers(0, 10**13))
def test_the_id_pattern_matches_exactly_one_to_its_maximum(maximum, number):
    assert bool(re.fullmatch(digits_up_to(maximum), str(number))) == (1 <= number <= maximum)
