"""The OpenAPI document says exactly what the API accepts, and the API accepts exactly that."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.api.schemas import MOMENT_PATTERN, VISIBLE, timezone_names
from service.domain.rules import NAME_MAX_LENGTH, clean_text, is_known_timezone
from tests.test_api import GROUP, api, token  # noqa: F401 - fixtures
from tests.test_scheduling import next_weekday


def violations(response) -> list[tuple[str, str]]:
    return [(v["field"], v["code"]) for v in response.get_json()["error"]["violations"]]


@pytest.mark.parametrize("path", ["/groups", "/groups/validate"])
@pytest.mark.parametrize("change, field, code", [
    ({"size_exception_confirmed": 0}, "size_exception_confirmed", "bool_type"),
    ({"neutral_invite_title": "true"}, "neutral_invite_title", "bool_type"),
    ({"external_moderator_sessions": 1.0}, "external_moderator_sessions", "int_type"),
    ({"name": " \u00a0\u3000\t"}, "name", "string_pattern_mismatch"),
    ({"name": ""}, "name", "string_too_short"),
    ({"name": "x" * (NAME_MAX_LENGTH + 1)}, "name", "string_too_long"),
    ({"timezone": "Mars/Olympus"}, "timezone", "timezone_unknown"),
    ({"timezone": "america/toronto"}, "timezone", "timezone_unknown"),
])
def test_what_the_document_forbids_is_refused_before_the_rules(api, path, change, field, code):
    response = api.post(path, json={**GROUP, **change})
    assert response.status_code == 422
    assert violations(response) == [(field, code)]


def test_schema_violations_speak_the_callers_language(api):
    body = {**GROUP, "name": "", "size_exception_confirmed": 0, "timezone": "Mars/Olympus", "extra": 1}
    french = api.post("/groups", json=body).get_json()["error"]["violations"]
    english = api.post("/groups", json=body, headers={"Accept-Language": "en"}).get_json()["error"]["violations"]
    assert {v["field"]: v["message"] for v in french} == {
        "name": "Ce texte ne peut pas être vide.", "size_exception_confirmed": "Indiquez true ou false.",
        "timezone": "Ce fuseau horaire n’existe pas. Choisissez-en un dans la liste, par exemple America/Toronto.",
        "extra": "Ce champ n’existe pas."}
    assert {v["field"]: v["message"] for v in english} == {
        "name": "This text cannot be empty.", "size_exception_confirmed": "Give true or false.",
        "timezone": "This time zone does not exist. Choose one from the list, for example America/Toronto.",
        "extra": "This field does not exist."}
    too_long = api.post("/groups", json={**GROUP, "name": "x" * 121}, headers={"Accept-Language": "en"})
    assert too_long.get_json()["error"]["violations"][0]["message"] == "At most 120 characters."


@pytest.mark.parametrize("starts_at, accepted", [
    ("T19:00:00", True), ("T19:00", True), ("T19:00:00-04:00", True), ("T23:00:00Z", True),
    (" 19:00:00", False), ("T19h00", False), ("T19:00:00 EST", False), ("T25:00:00", False),
])
def test_a_session_time_is_taken_in_one_written_form(api, starts_at, accepted):
    group = api.post("/groups", json=GROUP).get_json()
    response = api.post(f"/groups/{group['id']}/sessions",
                        json={"kind": "kickoff", "starts_at": next_weekday(1).isoformat() + starts_at})
    assert (response.status_code == 201) is accepted, response.get_json()
    if not accepted:
        assert response.status_code == 422 and violations(response)[0][0] == "starts_at"


def test_the_document_declares_every_answer_an_operation_can_give(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401"} <= declared
            assert ("404" in declared) is ("{" in path), (method, path)
            assert ("415" in declared) is ("requestBody" in operation), (method, path)
            assert ("422" in declared) is (method != "get"), (method, path)
    schemas = document["components"]["schemas"]
    for model in ("GroupIn", "GroupSettingsIn"):
        assert schemas[model]["properties"]["timezone"]["enum"] == list(timezone_names())
        assert schemas[model]["properties"]["name"]["maxLength"] == NAME_MAX_LENGTH
    assert schemas["GroupIn"]["properties"]["size_exception_confirmed"]["type"] == "boolean"
    assert schemas["SessionIn"]["properties"]["starts_at"]["pattern"] == MOMENT_PATTERN


def test_the_zone_list_is_what_the_rules_know():
    names = timezone_names()
    assert "America/Toronto" in names and "America/St_Johns" in names
    assert all(is_known_timezone(name) for name in names)


def test_the_visible_text_pattern_is_what_clean_text_keeps():
    """Over every code point: the document's pattern finds one exactly when the rules' cleaning keeps it."""
    pattern = re.compile(VISIBLE)
    disagreements = [code for code in range(sys.maxunicode + 1)
                     if 0xD800 > code or code > 0xDFFF
                     if bool(pattern.search(chr(code))) != bool(clean_text(chr(code)))]
    assert disagreements == []


@given(st.text(max_size=20))
def test_a_name_has_a_visible_character_exactly_when_the_rules_keep_something(text):
    assert bool(re.search(VISIBLE, text)) == bool(clean_text(text))
