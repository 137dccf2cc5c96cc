"""The command line: exit codes and what authors read."""

from __future__ import annotations

import shutil

from generator.cli import main
from tests.conftest import FIXTURES, ROOT


def test_check_prints_every_error_with_location_and_exits_non_zero(tmp_path, capsys, monkeypatch):
    shutil.copytree(FIXTURES / "three-errors", tmp_path / "briefings")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "-f", str(ROOT / "site_config.yml"), "--briefings", "briefings"])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert [line.split(": ")[0] for line in err[:3]] == [
        "briefings/broken.yml:4:1",
        "briefings/broken.yml:5:1",
        "briefings/broken.yml:8:14",
    ]
    assert err[-1] == "3 errors, 0 warnings in 1 file"


def test_check_on_valid_briefs_exits_zero(capsys):
    code = main(
        ["check", "-f", str(ROOT / "site_config.yml"), "--briefings", str(FIXTURES / "valid")]
    )
    assert code == 0
    assert capsys.readouterr().out == "4 briefs and 5 actors are valid\n"


def test_build_reports_errors_and_keeps_no_partial_site(tmp_path, capsys):
    shutil.copytree(FIXTURES / "three-errors", tmp_path / "briefings")
    shutil.copy(ROOT / "site_config.yml", tmp_path / "site_config.yml")
    code = main(["build", "-f", str(tmp_path / "site_config.yml")])
    assert code == 1
    assert "build stopped: 3 error(s); the previous site is unchanged" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_a_missing_configuration_is_an_error_not_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path}/site_config.yml: no such file or folder",
        "run briefings from the project folder, or pass -f site_config.yml",
    ]


def test_a_docs_folder_with_foreign_files_is_refused_cleanly(tmp_path, capsys):
    shutil.copytree(FIXTURES / "valid", tmp_path / "briefings")
    shutil.copy(ROOT / "site_config.yml", tmp_path / "site_config.yml")
    (tmp_path / "build" / "docs").mkdir(parents=True)
    (tmp_path / "build" / "docs" / "notes.md").write_text("mine", encoding="utf-8")
    assert main(["build", "-f", str(tmp_path / "site_config.yml")]) == 2
    assert "holds files the generator did not write" in capsys.readouterr().err
    assert (tmp_path / "build" / "docs" / "notes.md").read_text(encoding="utf-8") == "mine"
