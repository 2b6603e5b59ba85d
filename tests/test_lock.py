"""The environment is the lock: what CI tested is what a new machine installs."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    found = {canonicalize_name(m[1]): m[2] for m in map(PIN.match, text.splitlines()) if m}
    assert "--hash=sha256:" in text, f"{lock} has no hashes: make it with `make lock`"
    return found


def declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    if extra:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


def test_every_declared_dependency_is_pinned_within_its_range():
    for lock, extra in (("dev.lock", "dev"), ("run.lock", None)):
        pinned = pins(lock)
        for req in declared(extra):
            name = canonicalize_name(req.name)
            assert name in pinned, f"{req.name} is in pyproject.toml but not in {lock}: run `make lock`"
            assert req.specifier.contains(pinned[name], prereleases=True), (
                f"{lock} pins {req.name}=={pinned[name]}, outside pyproject.toml's {req.specifier}: run `make lock`"
            )


def test_the_installed_environment_is_the_lock():
    wrong = []
    for name, version in pins("dev.lock").items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed (lock: {version})")
            continue
        if installed != version:
            wrong.append(f"{name}: {installed} installed, lock says {version}")
    assert not wrong, "the venv differs from requirements/dev.lock (rm -rf .venv && make test):\n" + "\n".join(wrong)


def test_the_runtime_lock_is_the_dev_lock_without_the_test_tools():
    dev, run = pins("dev.lock"), pins("run.lock")
    assert {name: dev.get(name) for name in run} == run, "run.lock and dev.lock disagree on a shared package"
