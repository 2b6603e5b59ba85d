"""docs/api.md has a ``### METHOD /api/v1/...`` section for every API route and no section for a route that is gone;
the published OpenAPI document (GET /api/v1/openapi.json) lists exactly those routes, built from the request schemas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worldcafe import create_app
from worldcafe.services.summary import EXPORTS

API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"

# The docs name a URL part by what it holds; the routes by their view argument.
PLACEHOLDERS = {"code": "event", "participant_id": "id", "fmt": "|".join(EXPORTS)}

# One method and one path per heading, as the file writes them: "### GET /api/v1/events/<event>/plan — the stored plan".
HEADING = re.compile(r"^###\s+([A-Z]+)\s+(/api/v1/\S*)", re.MULTILINE)


def _placeholder(match: re.Match[str]) -> str:
    name = match.group(1).split(":")[-1]  # drop a converter: <int:participant_id> → participant_id
    return f"<{PLACEHOLDERS.get(name, name)}>"


def normalise(rule: str) -> str:
    """A route rule as the docs spell it: /api/v1/events/<code>/summary.<fmt> → …/<event>/summary.<json|md|…>."""
    return re.sub(r"<([^>]+)>", _placeholder, rule)


@pytest.fixture(scope="module")
def routes() -> set[tuple[str, str]]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = {
        (method, normalise(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert len(found) > 20  # the API is there at all
    return found


def documented() -> set[tuple[str, str]]:
    return {(method, path) for method, path in HEADING.findall(API_MD.read_text(encoding="utf-8"))}


def test_every_api_route_has_a_section(routes: set[tuple[str, str]]) -> None:
    missing = sorted(routes - documented())
    assert not missing, "docs/api.md lacks a '### METHOD /api/v1/...' section for: " + ", ".join(
        f"{method} {path}" for method, path in missing
    )


def test_every_section_is_a_real_route(routes: set[tuple[str, str]]) -> None:
    stale = sorted(documented() - routes)
    assert not stale, "docs/api.md documents routes that don't exist: " + ", ".join(
        f"{method} {path}" for method, path in stale
    )


def test_normalise() -> None:
    assert normalise("/api/v1/events/<code>/participants/<int:participant_id>") == (
        "/api/v1/events/<event>/participants/<id>"
    )
    assert normalise("/api/v1/events/<code>/summary.<fmt>") == "/api/v1/events/<event>/summary.<json|md|csv|html|docx>"


# ---- the published OpenAPI document ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi() -> dict:
    """The document as a client gets it: GET /api/v1/openapi.json, without a token."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def openapi_routes(document: dict) -> set[tuple[str, str]]:
    """The document's operations as the docs spell them: /api/v1/events/{code} → /api/v1/events/<event>."""
    return {
        (method.upper(), normalise(re.sub(r"\{([^}]+)\}", r"<\1>", path)))
        for path, item in document["paths"].items()
        for method in item
    }


def test_openapi_document_is_valid_openapi_3_1(openapi: dict) -> None:
    import schemathesis

    assert openapi["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(openapi).validate()  # against the OpenAPI 3.1 meta-schema


def test_openapi_document_lists_exactly_the_documented_routes(openapi: dict, routes: set[tuple[str, str]]) -> None:
    listed = openapi_routes(openapi)
    assert listed == documented(), (
        f"in the document only: {sorted(listed - documented())}; in docs/api.md only: {sorted(documented() - listed)}"
    )
    assert listed == routes


def test_openapi_bodies_are_the_schemas_that_validate_requests(openapi: dict) -> None:
    from worldcafe.services import spec

    components = openapi["components"]["schemas"]
    control = openapi["paths"]["/api/v1/events/{code}/control"]["post"]
    assert control["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ControlSpec"
    }
    # What the schema class says is what the document says: strict objects, limits and the actions' names.
    assert components["ControlSpec"]["additionalProperties"] is False
    assert components["ControlSpec"]["properties"]["action"]["enum"] == list(spec.ACTIONS)
    assert components["RoundSpec"]["properties"]["minutes"] == {
        "maximum": 240, "minimum": 1, "title": "Minutes", "type": "integer"
    }
    # PUT takes every setup field, none required; POST /events needs a name.
    assert "required" not in components["SetupChange"] and "participants" not in components["SetupChange"]["properties"]
    assert components["EventSpec"]["required"] == ["name"]


def test_openapi_roles_and_security(openapi: dict) -> None:
    paths = openapi["paths"]
    assert paths["/api/v1/events/{code}/summary.{fmt}"]["get"]["x-roles"] == ["moderator", "summary"]
    assert paths["/api/v1/events/{code}/summary.{fmt}"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/v1/join/{code}"]["post"]["security"] == []
    assert paths["/api/v1/events"]["post"]["security"] == [{}, {"adminPassword": []}]
    assert paths["/api/v1/openapi.json"]["get"]["security"] == []
    every_error = {"$ref": "#/components/schemas/Error"}
    for item in paths.values():
        for operation in item.values():
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == every_error
            assert "503" in operation["responses"] and "500" not in operation["responses"]


def test_every_api_view_is_described_or_the_document_fails() -> None:
    from flask import Blueprint

    from worldcafe.web.api.openapi import build_document

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    extra = Blueprint("extra", __name__, url_prefix="/api/v1")
    extra.add_url_rule("/undescribed", "undescribed", lambda: "")
    app.register_blueprint(extra)
    with pytest.raises(LookupError, match="undescribed"):
        build_document(app)


def test_openapi_examples_pass_the_schemas_they_illustrate(openapi: dict) -> None:
    from worldcafe.services import spec

    examples = {name: s["examples"] for name, s in openapi["components"]["schemas"].items() if "examples" in s}
    assert "ControlSpec" in examples
    for name, bodies in examples.items():
        for body in bodies:
            getattr(spec, name).model_validate(body)
