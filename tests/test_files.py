"""The files of the briefs folder: the actor registry, editors' files, odd names and dates."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.config import load_settings
from generator.serve import Preview
from tests.conftest import FIXTURES, ROOT, make_project

BAD_REGISTRY = [
    "briefings/actors.yml:8:1: 'Bob Sample': 'Bob Sample' is not a valid actor id; use lowercase "
    "and hyphens, like 'bob-sample'",
    "briefings/actors.yml:17:3: borduria.name: missing required field 'name'; add 'name: …'",
]
"""What tests/fixtures/bad-registry/actors.yml gets, and nothing about the briefs naming them."""


def project(tmp_path: Path, actors: Path | None = None) -> Path:
    """The valid fixture briefs with the real configuration and schemas; returns the config."""
    shutil.copy(ROOT / "site_config.yml", tmp_path / "site_config.yml")
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(FIXTURES / "valid", tmp_path / "briefings")
    if actors is not None:
        shutil.copy(actors, tmp_path / "briefings" / "actors.yml")
    return tmp_path / "site_config.yml"


def schemas(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- The actor registry ---------------------------------------------------------


def test_one_bad_actor_entry_is_reported_once_and_the_others_still_resolve(
    tmp_path, capsys, monkeypatch
):
    project(tmp_path, FIXTURES / "bad-registry" / "actors.yml")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        *BAD_REGISTRY,
        "2 errors, 0 warnings in 1 file",
    ]


def test_a_partly_bad_registry_keeps_its_good_actors(tmp_path):
    config = project(tmp_path, FIXTURES / "bad-registry" / "actors.yml")
    checked = pipeline.check(load_settings(config))
    assert sorted(checked.actors) == ["alice-example", "alliance", "ruritania"]
    assert checked.actors["alliance"].id == "alliance"


def test_a_brief_naming_an_unknown_actor_is_still_told(tmp_path, capsys, monkeypatch):
    project(tmp_path, FIXTURES / "bad-registry" / "actors.yml")
    brief = tmp_path / "briefings" / "patrols-agreed.yml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("[ruritania, alliance]", "[ruritania, aliance]"), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        *BAD_REGISTRY,
        "",
        "briefings/patrols-agreed.yml:8:29: proposals[1].proponents[2]: unknown actor 'aliance'; "
        "did you mean 'alliance'?",
        "3 errors, 0 warnings in 2 files",
    ]


def test_schema_refuses_to_write_from_an_invalid_registry(tmp_path, capsys, monkeypatch):
    project(tmp_path, FIXTURES / "bad-registry" / "actors.yml")
    before = schemas(tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    assert main(["schema"]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        *BAD_REGISTRY,
        "schema files left unchanged: 2 errors in the actor registry",
    ]
    assert captured.out == ""
    assert schemas(tmp_path / "schema") == before


def test_schema_refuses_an_unreadable_registry_too(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    (tmp_path / "briefings" / "actors.yml").write_text("nato: [\n", encoding="utf-8")
    before = schemas(tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    assert main(["schema"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "briefings/actors.yml:2:1: YAML syntax error: did not find expected node content",
        "schema files left unchanged: 1 error in the actor registry",
    ]
    assert schemas(tmp_path / "schema") == before


def test_schema_writes_the_actor_ids_of_a_valid_registry(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    (tmp_path / "schema" / "actor-ids.schema.json").unlink()
    monkeypatch.chdir(tmp_path)
    assert main(["schema"]) == 0
    # the committed ids are the real site's; this project has other briefs and no places
    assert capsys.readouterr().out == (
        "updated actor-ids.schema.json, place-ids.schema.json, event-ids.schema.json, "
        "proposal-ids.schema.json, brief-ids.schema.json\n"
    )
    text = (tmp_path / "schema" / "actor-ids.schema.json").read_text(encoding="utf-8")
    assert '"alice-example",' in text


def test_build_and_preview_leave_the_schemas_alone_from_an_invalid_registry(tmp_path, capsys):
    config = project(tmp_path, FIXTURES / "bad-registry" / "actors.yml")
    (tmp_path / "schema" / "actor-ids.schema.json").write_text("stale\n", encoding="utf-8")
    before = schemas(tmp_path / "schema")
    assert main(["build", "-f", str(config)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "build stopped: 2 error(s); the previous site is unchanged"
    )
    assert not Preview(replace(load_settings(config), preview=True)).refresh()
    assert schemas(tmp_path / "schema") == before


def test_a_symlinked_registry_is_refused_without_reading_it(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    secret = tmp_path / "elsewhere.yml"
    secret.write_text("api-token-abc123:\n  name: x\n", encoding="utf-8")
    registry = tmp_path / "briefings" / "actors.yml"
    registry.unlink()
    registry.symlink_to(secret)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "briefings/actors.yml: the actor registry cannot be a symbolic link; copy the file instead",
        "1 error, 0 warnings in 1 file",
    ]
    assert "abc123" not in err


def test_a_folder_named_actors_yml_is_not_a_registry(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    (tmp_path / "briefings" / "actors.yml").unlink()
    (tmp_path / "briefings" / "actors.yml").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "briefings/actors.yml: the actor registry is not a file; make briefings/actors.yml a "
        "YAML file",
        "1 error, 0 warnings in 1 file",
    ]


# --- Editors' files and odd names ---------------------------------------------------


EDITOR_FILES = [
    ".#border-talks.yml",  # emacs' lock: a dangling symbolic link (made below)
    "#border-talks.yml#",  # emacs' auto-save
    "border-talks.yml~",  # emacs', gedit's and vim's backup
    ".border-talks.yml.swp",  # vim's swap files
    ".border-talks.yml.swo",
    ".border-talks.yml.swx",
    "border-talks.yml.bak",
    "border-talks.yml.orig",  # merge tools
    "border-talks.yml___jb_tmp___",  # JetBrains' safe write
    "border-talks.yml___jb_old___",
    ".DS_Store",  # macOS
    "._border-talks.yml",  # macOS' resource fork on foreign disks
    ".hidden.yml",
]


def add_editor_files(folder: Path) -> None:
    (folder / EDITOR_FILES[0]).symlink_to("user@host.1234:1700000000")
    for name in EDITOR_FILES[1:]:
        (folder / name).write_bytes(b"\x00\xff not a brief: [")


def test_editor_lock_backup_and_swap_files_are_ignored_by_check(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    add_editor_files(tmp_path / "briefings")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "4 briefs and 5 actors are valid\n"
    assert captured.err == ""


def test_the_preview_runs_while_a_brief_is_open_in_an_editor(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    add_editor_files(settings.briefings_dir)
    preview = Preview(replace(settings, preview=True))
    assert preview.refresh()
    assert (settings.docs_dir / "briefings" / "border-talks.md").is_file()


def test_names_that_look_like_briefs_but_are_not_read_are_reported(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    folder = tmp_path / "briefings"
    brief = (folder / "border-talks.yml").read_text(encoding="utf-8")
    (folder / "shouted.YML").write_text(brief, encoding="utf-8")
    (folder / "mixed.Yaml").write_text(brief, encoding="utf-8")
    (folder / "folder.yml").mkdir()
    (folder / "notes.txt").write_text("not a brief", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "briefings/folder.yml: 'folder.yml' is a folder, not a brief; rename it, or move it "
        "out of the briefs folder",
        "",
        "briefings/mixed.Yaml: 'mixed.Yaml' ends in '.Yaml', which is not read as a brief; "
        "rename it to 'mixed.yaml'",
        "",
        "briefings/shouted.YML: 'shouted.YML' ends in '.YML', which is not read as a brief; "
        "rename it to 'shouted.yml'",
        "3 errors, 0 warnings in 3 files",
    ]


def test_a_yaml_brief_is_read_and_may_not_shadow_a_yml_one(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    folder = tmp_path / "briefings"
    shutil.copy(folder / "border-talks.yml", folder / "more-talks.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "5 briefs and 5 actors are valid\n"
    shutil.copy(folder / "border-talks.yml", folder / "border-talks.yaml")
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "briefings/border-talks.yml:1:1: brief 'border-talks.yml' and brief 'border-talks.yaml' "
        "(briefings/border-talks.yaml:1:1) would both be published at /briefings/border-talks/; "
        "rename one of the files"
    )


# --- Dates the build day checks ---------------------------------------------------


def with_line(path: Path, after: str, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(after, f"{after}\n{line}", 1), encoding="utf-8")


def test_updated_cannot_be_later_than_the_build_day(tmp_path, capsys, monkeypatch):
    project(tmp_path)
    with_line(
        tmp_path / "briefings" / "patrols-agreed.yml", "date: 2025-04-10", "updated: 9999-12-31"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    today = dt.date.today().isoformat()
    assert capsys.readouterr().err.splitlines() == [
        f"briefings/patrols-agreed.yml:3:10: updated: 'updated' (9999-12-31) is later than the "
        f"day of the build ({today}); write the day of the last revision; to hold a brief "
        "back, set a later 'date'",
        "1 error, 0 warnings in 1 file",
    ]


@pytest.mark.parametrize(
    ("date", "updated", "expected"),
    [
        ("2025-04-10", "2025-06-01", []),  # updated on the build day
        ("2025-04-10", "2025-06-02", [
            "patrols-agreed.yml:3:10: updated: 'updated' (2025-06-02) is later than the day of the "
            "build (2025-06-01); write the day of the last revision; to hold a brief back, set a "
            "later 'date'"
        ]),
        ("2025-07-01", None, []),  # an embargo
        ("2025-07-01", "2025-07-01", [
            "patrols-agreed.yml:3:10: updated: 'updated' (2025-07-01) is later than the day of the "
            "build (2025-06-01); the brief is embargoed until 2025-07-01: leave 'updated' out "
            "until you revise it after that day"
        ]),
    ],
)  # fmt: skip
def test_only_updated_is_checked_against_the_build_day(tmp_path, date, updated, expected):
    config = project(tmp_path)
    brief = tmp_path / "briefings" / "patrols-agreed.yml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("date: 2025-04-10", f"date: {date}", 1), "utf-8"
    )
    if updated:
        with_line(brief, f"date: {date}", f"updated: {updated}")
    settings = replace(load_settings(config), today=dt.date(2025, 6, 1))
    checked = pipeline.check(settings)
    assert [str(p).split("briefings/", 1)[1] for p in checked.report.errors] == expected
