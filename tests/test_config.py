"""The site's own settings: a schema, every problem located in site_config.yml, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.config import MAX_JOBS, BriefingsConfig, RelatedWeights, SettingsError, load_settings
from tests.conftest import FIXTURES, ROOT, make_project

CONFIGS = FIXTURES / "config"

INVALID = [
    "site_config.yml:10:23: extra.briefings.words_per_minute: 0 is too small; the least allowed "
    "is 1; a typical reading speed is 200 to 250",
    "site_config.yml:11:11: extra.briefings.jobs: 'many' is not a whole number",
    "site_config.yml:12:13: extra.briefings.engine: 'mkdoc' is not one of: properdocs, mkdocs, "
    "zensical; did you mean 'mkdocs'?",
    "site_config.yml:14:7: extra.briefings.related.treshold: unknown setting; did you mean "
    "'threshold'?",
    "site_config.yml:15:18: extra.briefings.related.max_share: 1.5 is too large; the most "
    "allowed is 1; a fraction of all briefings, between 0 and 1",
]
"""What tests/fixtures/config/invalid.yml gets: every problem at once, where it is."""


def project_with_config(tmp_path: Path, config: Path) -> Path:
    """A project whose site_config.yml is ``config``, beside the valid fixture briefs."""
    shutil.copy(config, tmp_path / "site_config.yml")
    shutil.copytree(FIXTURES / "valid", tmp_path / "briefings")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    return tmp_path / "site_config.yml"


def write_config(tmp_path: Path, section: str) -> Path:
    """A configuration whose ``extra.briefings`` mapping is ``section`` (indented already)."""
    path = tmp_path / "site_config.yml"
    path.write_text(f"site_name: T\nextra:\n  briefings:\n{section}", encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    return [str(p).split("site_config.yml:", 1)[1] for p in caught.value.problems]


def test_every_settings_problem_is_located_and_reported_in_one_run(tmp_path, capsys, monkeypatch):
    project_with_config(tmp_path, CONFIGS / "invalid.yml")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [*INVALID, "5 errors in the site configuration"]


@pytest.mark.parametrize(
    "command", [["check"], ["build"], ["serve"], ["new", "A title"], ["schema"]]
)
def test_every_command_prints_the_settings_problems_and_exits_1(
    tmp_path, capsys, monkeypatch, command
):
    project_with_config(tmp_path, CONFIGS / "invalid.yml")
    schema_before = {p.name: p.read_bytes() for p in (tmp_path / "schema").iterdir()}
    briefs_before = sorted(p.name for p in (tmp_path / "briefings").iterdir())
    monkeypatch.chdir(tmp_path)
    assert main(command) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [*INVALID, "5 errors in the site configuration"]
    assert captured.out == ""
    assert {p.name: p.read_bytes() for p in (tmp_path / "schema").iterdir()} == schema_before
    assert sorted(p.name for p in (tmp_path / "briefings").iterdir()) == briefs_before
    assert not (tmp_path / "build").exists()
    assert not (tmp_path / "site").exists()


def test_check_in_json_reports_settings_problems_as_json(tmp_path, capsys, monkeypatch):
    project_with_config(tmp_path, CONFIGS / "invalid.yml")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"key_path": "extra.briefings.related.treshold"' in out
    assert '"errors": 5' in out


def test_a_negative_jobs_is_refused_before_any_generated_page_is_touched(tmp_path, capsys):
    settings = make_project(tmp_path, FIXTURES / "valid")
    pipeline.generate(settings)
    before = {p: p.read_bytes() for p in settings.docs_dir.rglob("*") if p.is_file()}
    assert len(before) > 40
    text = settings.config_file.read_text(encoding="utf-8")
    settings.config_file.write_text(text.replace("    jobs: 0", "    jobs: -1"), encoding="utf-8")
    line = text.split("    jobs: 0")[0].count("\n") + 1
    assert main(["build", "-f", str(settings.config_file)]) == 1
    assert (
        capsys.readouterr()
        .err.splitlines()[0]
        .endswith(
            f"site_config.yml:{line}:11: extra.briefings.jobs: -1 is too small; the least allowed "
            "is 0; 0 is one process per core, 1 keeps everything in one process"
        )
    )
    assert {p: p.read_bytes() for p in settings.docs_dir.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("    jobs: 65\n", f"4:11: extra.briefings.jobs: 65 is too large; the most allowed is {MAX_JOBS}; 0 is one process per core, 1 keeps everything in one process"),
        ("    jobs: 2.5\n", "4:11: extra.briefings.jobs: '2.5' is not a whole number"),
        ("    jobs: true\n", "4:11: extra.briefings.jobs: 'true' is not a whole number"),
        ("    jobs:\n", "4:5: extra.briefings.jobs: has no value; fill it in, or delete the line to get the default, 0"),
        ("    memory_mb: -5\n", "4:16: extra.briefings.memory_mb: -5 is too small; the least allowed is 0; in megabytes; 0 lets 'jobs: 0' use every core whatever it takes"),
        ("    memory_mb: 300MB\n", "4:16: extra.briefings.memory_mb: '300MB' is not a whole number"),
        ("    words_per_minute: 1001\n", "4:23: extra.briefings.words_per_minute: 1001 is too large; the most allowed is 1000; a typical reading speed is 200 to 250"),
        ("    source: ''\n", "4:13: extra.briefings.source: is empty; name a folder, or delete the line to get the default"),
        ("    source: [a, b]\n", "4:13: extra.briefings.source: expected text, found a list ('- item' lines)"),
        ("    related:\n      actors: -1\n", "5:15: extra.briefings.related.actors: -1 is too small; the least allowed is 0"),
        ("    related:\n      tags: .inf\n", "5:13: extra.briefings.related.tags: '.inf' is not a number"),
        ("    related:\n      tags: nan\n", "5:13: extra.briefings.related.tags: 'nan' is not a number"),
        ("    related:\n      limit: 51\n", "5:14: extra.briefings.related.limit: 51 is too large; the most allowed is 50"),
        ("    related:\n      max_briefs: 0\n", "5:19: extra.briefings.related.max_briefs: 0 is too small; the least allowed is 1"),
        ("    related: 3\n", "4:14: extra.briefings.related: expected a mapping ('key: value' lines), found text"),
        ("    relatd: {}\n", "4:5: extra.briefings.relatd: unknown setting; did you mean 'related'?"),
        ("    colour: red\n", "4:5: extra.briefings.colour: unknown setting; known here: source, words_per_minute, jobs, memory_mb, engine, related"),
        ("    jobs: 1\n    jobs: 2\n", "5:5: duplicate key 'jobs' (first defined at line 4, column 5); keep one of the two and delete the other"),
        ("    related: &r {limit: 1}\n    source: *r\n", "5:5: extra.briefings.source: aliases are not allowed here; write the value out in full"),
        ("    jobs: !!python/object/apply:os.system [echo]\n", "4:11: extra.briefings.jobs: tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed here; write the value itself"),
    ],
)  # fmt: skip
def test_each_bad_setting_has_its_own_message(tmp_path, section, expected):
    assert problems_of(write_config(tmp_path, section)) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("site_name: [\n", "2:1: YAML syntax error: did not find expected node content"),
        ("- a list\n", "1:1: expected a mapping ('key: value' lines), found a list ('- item' lines)"),
        ("extra: text\n", "1:8: extra: expected a mapping ('key: value' lines), found text"),
        ("extra:\n  briefings: [1]\n", "2:14: extra.briefings: expected a mapping ('key: value' lines), found a list ('- item' lines)"),
        ("docs_dir: [a]\n", "1:11: docs_dir: expected text, found a list ('- item' lines)"),
        ("site_url: !ENV {a: b}\n", "1:11: site_url: cannot be read: expected a scalar or sequence node, but found mapping"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_configuration_is_located_too(tmp_path, text, expected):
    path = tmp_path / "site_config.yml"
    path.write_text(text, encoding="utf-8")
    assert problems_of(path) == [expected]


def test_mkdocs_tags_are_left_to_mkdocs_and_env_is_read(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("BRIEFINGS_TEST_URL", "https://news.example.com/b/")
    monkeypatch.setenv("BRIEFINGS_TEST_JOBS", "3")
    monkeypatch.delenv("BRIEFINGS_TEST_DOCS", raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copy(CONFIGS / "mkdocs-tags.yml", tmp_path / "site_config.yml")
    settings = load_settings(tmp_path / "site_config.yml")
    assert settings.site_url == "https://news.example.com/b/"
    assert settings.docs_dir == tmp_path / "build" / "docs"
    assert settings.jobs == 3
    assert settings.engine == "zensical"
    assert settings.related == RelatedWeights(threshold=3.0, limit=0)
    assert "ran" not in capfd.readouterr().out  # !!python/object/apply is never constructed


def test_settings_keep_their_names_and_defaults(tmp_path):
    settings = load_settings(write_config(tmp_path, "    words_per_minute: '180'\n"))
    assert settings.words_per_minute == 180
    assert settings.jobs == 0
    assert settings.engine == "properdocs"
    assert settings.related == RelatedWeights()
    assert settings.briefings_dir == tmp_path / "briefings"
    assert settings.docs_dir == tmp_path / "docs"
    assert settings.site_dir == tmp_path / "site"


def test_the_real_configuration_is_valid():
    settings = load_settings(ROOT / "site_config.yml")
    assert settings.related == RelatedWeights()
    assert settings.words_per_minute == 220
    assert settings.site_dir == ROOT / "site"


def test_every_setting_is_documented():
    for model in (BriefingsConfig, RelatedWeights):
        for name, setting in model.model_fields.items():
            assert setting.description, f"{model.__name__}.{name} has no docstring"
