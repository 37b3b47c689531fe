"""The OpenAPI 3.1 document of the JSON API, built from the operations list and the pydantic schemas."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import jsonify
from pydantic.json_schema import models_json_schema

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
        key = {"Group": "groups", "Session": "sessions", "PollSummary": "polls"}[name]
        content_schema = {"type": "object", "properties": {
            key: {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}}}
    else:
        content_schema = {"$ref": f"#/components/schemas/{operation.response}"}
    return {status: {"description": "Success", "content": {"application/json": {"schema": content_schema}}}}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def build_document(operations) -> dict:
    paths: dict[str, dict] = {}
    for operation in operations:
        path = PARAMETER.sub(r"{\1}", operation.rule)
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
                      for name in PARAMETER.findall(operation.rule)]
        entry = {
            "operationId": operation.view.__name__,
            "summary": operation.summary,
            "parameters": parameters,
            "responses": {**_response(operation), "401": _error("Missing or unknown bearer token"),
                          "404": _error("No such resource among yours"),
                          "422": _error("The request breaks a rule; each violation names its field")},
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
