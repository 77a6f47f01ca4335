"""The API's OpenAPI document and a readable page of it, both for signed-in users only.

The page is rendered on the server from the OpenAPI document (no Swagger UI: nothing is loaded
from outside the app).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from scalpmap.web.deps import CurrentUser
from scalpmap.web.rendering import render

__all__ = ["endpoints", "router", "schemas"]

router = APIRouter()


def _type_of(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type_of(part) for part in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    kind = str(schema.get("type", "any"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def endpoints(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten an OpenAPI document's operations for the docs page.

    Parameters
    ----------
    document : dict
        The OpenAPI document.

    Returns
    -------
    list of dict
        One entry per operation: method, path, summary, description, parameters, body and
        responses.
    """
    rows: list[dict[str, Any]] = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _type_of(p.get("schema", {})),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": [
                        {"media": media, "type": _type_of(content.get("schema", {}))}
                        for media, content in body.items()
                    ],
                    "responses": [
                        {"status": status, "description": answer.get("description", "")}
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return rows


def schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    """List the document's schemas with their fields.

    Parameters
    ----------
    document : dict
        The OpenAPI document.

    Returns
    -------
    list of dict
        One entry per schema: name, description and fields.
    """
    found = document.get("components", {}).get("schemas", {})
    rows = []
    for name, schema in sorted(found.items()):
        required = set(schema.get("required", []))
        fields = [
            {
                "name": field,
                "type": _type_of(spec),
                "required": field in required,
                "description": spec.get("description", ""),
            }
            for field, spec in schema.get("properties", {}).items()
        ]
        rows.append({"name": name, "description": schema.get("description", ""), "fields": fields})
    return rows


@router.get("/api/openapi.json", include_in_schema=False)
def openapi_document(request: Request, user: CurrentUser) -> dict[str, Any]:
    """Return the OpenAPI document of the JSON API."""
    document: dict[str, Any] = request.app.openapi()
    return document


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, user: CurrentUser) -> Response:
    """Show the JSON API's reference, built from its OpenAPI document."""
    document: dict[str, Any] = request.app.openapi()
    context = {
        "title": "API reference",
        "section": "api",
        "endpoints": endpoints(document),
        "schemas": schemas(document),
    }
    return render(request, "api/docs.html", context)
