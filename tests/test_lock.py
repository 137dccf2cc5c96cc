"""Dependencies: every imported package is declared, and requirements.lock is in step.

`make lock` pins pyproject.toml's dependencies (with hashes) into requirements.lock,
and the Makefile installs from it. A dependency added to pyproject.toml without
`make lock`, or a range narrowed past its pin, fails here rather than on the next
machine that installs.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

LOCK = ROOT / "requirements.lock"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCAL = {"generator", "tests", "benchmarks"}


def declared(project: dict) -> list[Requirement]:
    """The project's dependencies and those of every extra."""
    lines = [*project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return [Requirement(line) for line in lines]


def pins(text: str) -> dict[str, list[tuple[Version, list[str]]]]:
    """Each pinned package's versions (one per marker fork), each with its hashes."""
    found: dict[str, list[tuple[Version, list[str]]]] = {}
    for line in text.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = line.split()
        hashes = [w for w in words if w.startswith("--hash=")]
        requirement = Requirement(" ".join(w for w in words if not w.startswith("--hash=")))
        (version,) = [s.version for s in requirement.specifier if s.operator == "=="]
        found.setdefault(canonicalize_name(requirement.name), []).append((Version(version), hashes))
    return found


def out_of_step(requirements: list[Requirement], text: str) -> list[str]:
    """What the lock gets wrong about the declared dependencies, one line per problem."""
    locked = pins(text)
    problems = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{name}: declared {requirement.specifier}, not in the lock")
            continue
        for version, _ in locked[name]:
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{name}: locked at {version}, outside {requirement.specifier}")
    return problems


def test_every_declared_dependency_is_pinned_within_its_range():
    assert out_of_step(declared(PROJECT), LOCK.read_text(encoding="utf-8")) == []


def test_an_out_of_step_lock_is_caught():
    lock = "watchdog==6.0.0 \\\n    --hash=sha256:aa\n    # via briefings\nmkdocs==1.6.1\n"
    requirements = [Requirement("watchdog>=7,<8"), Requirement("mkdocs>=1.6"), Requirement("uv")]
    assert out_of_step(requirements, lock) == [
        "watchdog: locked at 6.0.0, outside <8,>=7",
        "uv: declared , not in the lock",
    ]


def test_every_pin_has_hashes_so_pip_checks_what_it_installs():
    locked = pins(LOCK.read_text(encoding="utf-8"))
    assert len(locked) > len(declared(PROJECT))  # the dependencies' dependencies too
    assert [name for name, versions in locked.items() if not all(h for _, h in versions)] == []


def test_the_lock_names_no_index_or_local_path():
    """This machine's pip reads local indexes; none of them may end up in the file."""
    text = LOCK.read_text(encoding="utf-8")
    for word in ("--index-url", "--extra-index-url", "--find-links", "file:", "/opt/"):
        assert word not in text, word


def imported(folder: Path) -> set[str]:
    """Top-level names of the modules imported anywhere under ``folder``."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def undeclared(modules: set[str], requirements: list[Requirement]) -> list[str]:
    """Imported third-party modules whose distribution pyproject.toml does not name."""
    names = {canonicalize_name(r.name) for r in requirements}
    owners = packages_distributions()
    missing = []
    for module in sorted(modules - LOCAL - set(sys.stdlib_module_names) - {"__future__"}):
        distributions = {canonicalize_name(d) for d in owners.get(module, [module])}
        if not distributions & names:
            missing.append(f"{module} (from {', '.join(sorted(distributions))})")
    return missing


@pytest.mark.parametrize("folder", ["generator", "tests", "benchmarks"])
def test_every_imported_package_is_declared(folder):
    assert undeclared(imported(ROOT / folder), declared(PROJECT)) == []


def test_an_undeclared_import_is_caught():
    """What the check said before watchdog, pyyaml-env-tag and pydantic-core were declared."""
    before = [r for r in declared(PROJECT) if r.name not in {"watchdog", "pyyaml-env-tag"}]
    assert undeclared({"watchdog", "yaml_env_tag", "yaml", "os"}, before) == [
        "watchdog (from watchdog)",
        "yaml_env_tag (from pyyaml-env-tag)",
    ]
