"""The OpenAPI 3.1 document of the JSON API, built from the operations list and the pydantic schemas."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import jsonify
from pydantic.json_schema import models_json_schema

from service import routing
from service.api import representations, schemas

PARAMETER = re.compile(r"<int:(\w+)>")


@lru_cache(maxsize=1)
def _request_schemas() -> dict:
    _, definitions = models_json_schema([(model, "validation") for model in schemas.REQUEST_MODELS],
                                        ref_template="#/components/schemas/{model}")
    return definitions.get("$defs", {})


def _response(operation) -> dict:
    status = str(operation.status)
    if operation.status == 204:
        return {status: {"description": "Done"}}
    if operation.response is None:
        content_schema = {"type": "object"}
    elif operation.response.startswith("list:"):
        name = operation.response.split(":", 1)[1]
        key = {"Group": "groups", "Session": "sessions", "Volunteer": "volunteers", "PollSummary": "polls"}[name]
        content_schema = {"type": "object", "properties": {
            key: {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}}}
    else:
        content_schema = {"$ref": f"#/components/schemas/{operation.response}"}
    return {status: {"description": "Success", "content": {"application/json": {"schema": content_schema}}}}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _errors(operation) -> dict:
    """Every error the operation can answer, from what it is: every operation that may (and only those)."""
    answers = {"400": _error("A JSON body that cannot be read: malformed, empty, or nested too deeply"),
               "401": _error("Missing or unknown bearer token")}
    if PARAMETER.search(operation.rule):
        answers["404"] = _error("No such resource among yours (an id out of range included)")
    if operation.request is not None:
        answers["415"] = _error("The body is not sent as application/json")
    if operation.method != "GET":
        answers["422"] = _error("The request breaks a rule; each violation names its field")
    return answers


def build_document(operations) -> dict:
    paths: dict[str, dict] = {}
    for operation in operations:
        path = PARAMETER.sub(r"{\1}", operation.rule)
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer", "minimum": routing.ID_MINIMUM, "maximum": routing.ID_MAXIMUM}}
                      for name in PARAMETER.findall(operation.rule)]
        parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string", "maxLength": 64}}
                       for name in getattr(operation, "query", ())]
        entry = {
            "operationId": operation.view.__name__,
            "summary": operation.summary,
            "parameters": parameters,
            "responses": {**_response(operation), **_errors(operation)},
        }
        if operation.request is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{operation.request.__name__}"}}}}
        paths.setdefault("/api/v1" + path, {})[operation.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Entre pairs — coordinators' API", "version": "1",
                 "description": "Form peer-support groups, schedule their sessions and follow what the service did. "
                                "Errors are messages in the language of Accept-Language (fr by default)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token from `flask create-coordinator EMAIL`."}},
            "schemas": {**_request_schemas(), **representations.RESPONSE_SCHEMAS},
        },
    }


def document_response(operations):
    return jsonify(build_document(tuple(operations)))
