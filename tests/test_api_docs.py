"""docs/api.md has a ``### METHOD /api/v1/...`` section for every API route, and no section for a route that is gone."""

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
