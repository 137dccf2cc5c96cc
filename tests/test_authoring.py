"""Authoring aids: editor schemas, the new-brief template, drafts and embargoes, reports."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from generator import lookup, pipeline
from generator.cli import main
from generator.load import load_yaml, read_actors
from generator.scaffold import BriefExistsError, new_brief, slug_for
from generator.schema import schema_files
from generator.validate import validate_actors
from tests.conftest import FIXTURES, ROOT

SCHEMA_DIR = ROOT / "schema"
BRIEFS = sorted(
    p for p in (ROOT / "briefings").glob("*.yml") if p.name not in ("actors.yml", "places.yml")
)


def test_committed_schemas_match_the_models_the_registries_and_the_briefs():
    actors, _ = validate_actors(read_actors(ROOT / "briefings"))
    readable = lookup.read(ROOT / "briefings")
    assert not readable.left_out
    for name, text in schema_files(actors, readable.places, readable.briefs).items():
        committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"schema/{name} is stale: run `briefings schema`"


@pytest.mark.parametrize("path", BRIEFS, ids=lambda p: p.name)
def test_every_real_brief_names_its_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/brief.schema.json"


def _check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "check-jsonschema"), "--schemafile", str(schema)]
    return subprocess.run([*command, *map(str, files)], capture_output=True, text=True, check=False)


def test_every_real_brief_validates_against_the_json_schema():
    result = _check_jsonschema(SCHEMA_DIR / "brief.schema.json", *BRIEFS)
    assert result.returncode == 0, result.stdout + result.stderr
    actors = _check_jsonschema(SCHEMA_DIR / "actors.schema.json", ROOT / "briefings" / "actors.yml")
    assert actors.returncode == 0, actors.stdout + actors.stderr


def test_json_schema_rejects_an_unknown_actor_and_an_unknown_field(tmp_path):
    text = (FIXTURES / "valid" / "border-talks.yml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        text.replace("speaker: alice-example", "speaker: nobody-known") + "colour: red\n"
    )
    result = _check_jsonschema(SCHEMA_DIR / "brief.schema.json", bad)
    assert result.returncode == 1
    assert "'nobody-known' is not one of" in result.stdout
    assert "'colour' was unexpected" in result.stdout


def test_new_brief_is_valid_dated_today_and_never_overwrites(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    path = new_brief(folder, 'Allies weigh "armed" drones: what next?', today=dt.date(2025, 11, 2))
    assert path.name == "allies-weigh-armed-drones-what-next.yml"
    data = load_yaml(path).data
    assert data["title"] == 'Allies weigh "armed" drones: what next?'
    assert data["date"] == "2025-11-02"
    assert data["draft"] == "true"
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/brief.schema.json\n"
    )
    checked = pipeline.check(_settings(folder))
    assert [str(p) for p in checked.report.errors] == []
    with pytest.raises(BriefExistsError):
        new_brief(folder, "Allies weigh armed drones what next")


def test_new_brief_avoids_reserved_names():
    assert slug_for("Index") == "index-briefing"


def _settings(folder: Path, **changes):
    from generator.config import load_settings

    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    return replace(settings, schema_dir=None, **changes)


DRAFT = """\
title: A draft
date: 2025-06-01
summary: Not ready.
draft: true
sources:
  - id: s
    outlet: Outlet
"""

EMBARGOED = DRAFT.replace("draft: true\n", "").replace("2025-06-01", "2031-01-01")


def _with_extra(tmp_path: Path) -> Path:
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "a-draft.yml").write_text(DRAFT, encoding="utf-8")
    (folder / "later.yml").write_text(EMBARGOED, encoding="utf-8")
    text = (folder / "border-talks.yml").read_text(encoding="utf-8")
    (folder / "border-talks.yml").write_text(
        text.replace("related: [patrols-agreed]", "related: [patrols-agreed, a-draft]")
    )
    return folder


def test_drafts_and_embargoed_briefs_stay_out_of_a_production_build(tmp_path):
    folder = _with_extra(tmp_path)
    settings = _settings(folder, docs_dir=tmp_path / "docs", today=dt.date(2026, 1, 1))
    generated = pipeline.generate(settings)
    assert sorted((h.item.slug, h.reason) for h in generated.held) == [
        ("a-draft", "draft: not published until 'draft: true' is removed"),
        ("later", "embargoed until 2031-01-01: published from that date"),
    ]
    pages = {p.relative_to(settings.docs_dir).as_posix() for p in settings.docs_dir.rglob("*.md")}
    assert "briefings/a-draft.md" not in pages
    assert "briefings/later.md" not in pages
    assert "a-draft" not in (settings.docs_dir / "briefings" / "border-talks.md").read_text()


def test_the_preview_shows_drafts_and_embargoed_briefs_marked(tmp_path):
    folder = _with_extra(tmp_path)
    settings = _settings(
        folder, docs_dir=tmp_path / "docs", today=dt.date(2026, 1, 1), preview=True
    )
    generated = pipeline.generate(settings)
    assert generated.held == []
    draft = (settings.docs_dir / "briefings" / "a-draft.md").read_text()
    later = (settings.docs_dir / "briefings" / "later.md").read_text()
    assert '!!! warning "Draft"' in draft
    assert '!!! warning "Embargoed"' in later
    assert "This brief is dated 1 January 2031" in later


def test_check_formats_for_machines(tmp_path, capsys):
    shutil.copytree(FIXTURES / "three-errors", tmp_path / "briefings")
    args = ["-f", str(ROOT / "site_config.yml"), "--briefings", str(tmp_path / "briefings")]
    assert main(["check", "--format", "json", *args]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 3
    assert data["problems"][2] == {
        "file": str(tmp_path / "briefings" / "broken.yml"),
        "line": 8,
        "column": 14,
        "key_path": "quotes[1].speaker",
        "message": "unknown actor 'alice'",
        "hint": "did you mean 'alice-example'?",
        "severity": "error",
    }
    assert main(["check", "--format", "github", *args]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == (
        f"::error file={tmp_path}/briefings/broken.yml,line=8,col=14,title=quotes[1].speaker"
        "::unknown actor 'alice'; did you mean 'alice-example'?"
    )


def test_new_command_creates_and_refuses_to_overwrite(tmp_path, capsys):
    shutil.copytree(FIXTURES / "valid", tmp_path / "briefings")
    args = ["-f", str(ROOT / "site_config.yml"), "--briefings", str(tmp_path / "briefings")]
    assert main(["new", *args, "Talks resume"]) == 0
    assert (tmp_path / "briefings" / "talks-resume.yml").exists()
    assert main(["new", *args, "Talks resume"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_the_guide_example_is_a_valid_brief(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    shutil.copy(ROOT / "generator" / "scaffold" / "example.yml", folder / "example.yml")
    checked = pipeline.check(_settings(folder))
    assert [str(p) for p in checked.report.errors] == []
    assert "example" in [b.slug for b in checked.briefs]


def _yamllint(*paths: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "yamllint"), "-c", str(ROOT / ".yamllint.yml")]
    return subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, check=False)


def test_yamllint_config_passes_the_real_briefs_and_flags_yaml_traps():
    assert _yamllint(ROOT / "briefings").returncode == 0
    cases = ROOT / "tests" / "hostile" / "cases"
    result = _yamllint(
        cases / "dup-key-top-level.yml",
        cases / "yaml11-on-as-key.yml",
        cases / "octal-stays-text.yml",
    )
    assert 'duplication of key "title" in mapping  (key-duplicates)' in result.stdout
    assert "truthy value should be one of [false, true]  (truthy)" in result.stdout
    assert result.returncode == 1
