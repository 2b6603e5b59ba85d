"""The layout keeps its promises: a pure domain, thin adapters, one place that reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "socketio", "flask_socketio", "eventlet", "psycopg2", "redis")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_no_framework():
    files = list((ROOT / "worldcafe" / "domain").rglob("*.py"))
    assert files, "the domain package is missing"
    offenders = []
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in FORBIDDEN or top.startswith("flask_"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_domain_imports_nothing_from_the_rest_of_the_app():
    for path in (ROOT / "worldcafe" / "domain").rglob("*.py"):
        package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
            else:
                target = (node.module or "").split(".")
            if target[0] == "worldcafe":
                assert target[:2] == ["worldcafe", "domain"], f"{path} imports {'.'.join(target)}"


def test_only_config_reads_the_environment():
    readers = []
    for path in (ROOT / "worldcafe").rglob("*.py"):
        if path.name == "config.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        if "os.environ" in text or "os.getenv" in text:
            readers.append(str(path.relative_to(ROOT)))
    # The launcher only decides whether to monkey-patch before anything else is imported.
    assert readers == ["worldcafe/launcher.py"]


def test_importing_the_package_does_not_import_eventlet_or_flask():
    import subprocess
    import sys

    code = "import sys, worldcafe; print('eventlet' in sys.modules, 'flask' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
