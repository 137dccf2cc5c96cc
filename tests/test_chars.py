"""Characters and messages: what `briefings check` prints, word for word, in every format.

Each case is a file of the hostile corpus (tests/hostile/cases/), checked by the
real command in a folder beside the fixture actors, in text, json and github
output. Messages must locate every problem and never carry a raw control or
invisible character: those are shown as escapes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import Problem, format_key_path, visible
from tests.conftest import FIXTURES, ROOT

CASES = Path(__file__).resolve().parent / "hostile" / "cases"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder of briefs holding the fixture actors, as the working folder."""
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(FIXTURES / "valid" / "actors.yml", folder / "actors.yml")
    monkeypatch.chdir(tmp_path)
    return folder


def check(capsys, case: str, folder: Path) -> tuple[list[str], dict, list[str]]:
    """Run `briefings check` on one corpus case: text lines, JSON document, GitHub lines."""
    shutil.copy(CASES / case, folder / case)
    args = ["check", "-f", str(ROOT / "site_config.yml"), "--briefings", "briefings"]
    outputs = []
    for fmt in ("text", "json", "github"):
        assert main([*args, "--format", fmt]) == 1
        out, err = capsys.readouterr()
        assert "\x1b" not in out + err and "\x07" not in out + err
        outputs.append(err if fmt == "text" else out)
    text, data, github = outputs
    return text.splitlines()[:-1], json.loads(data), github.splitlines()


def item(file: str, line: int, column: int, key: str | None, message: str, hint: str) -> dict:
    return {
        "file": f"briefings/{file}",
        "line": line,
        "column": column,
        "key_path": key,
        "message": message,
        "hint": hint,
        "severity": "error",
    }


def test_escaped_noncharacters_are_refused_where_they_are_written(capsys, project):
    text, data, github = check(capsys, "noncharacter-escapes.yml", project)
    hint = "delete the escape that writes it; feeds and web pages cannot carry it"
    assert text == [
        f"briefings/noncharacter-escapes.yml:1:8: title: Unicode noncharacter U+FFFF at character 3 is not allowed; {hint}",
        f"briefings/noncharacter-escapes.yml:3:10: summary: Unicode noncharacter U+FFFE at character 8 is not allowed; {hint}",
        f"briefings/noncharacter-escapes.yml:12:11: quotes[1].role: Unicode noncharacter U+10FFFF at character 10 is not allowed; {hint}",
        "briefings/noncharacter-escapes.yml:15:5: warning: positions[1]: the position does not say what it is about; add 'proposal: <id of one of the brief's proposals>' or 'issue: <what the stance is about>'",
        f"briefings/noncharacter-escapes.yml:22:8: tags[1]: Unicode noncharacter U+FDD0 at character 1 is not allowed; {hint}",
    ]  # fmt: skip
    assert data["errors"] == 4
    assert data["problems"][0] == item(
        "noncharacter-escapes.yml",
        1,
        8,
        "title",
        "Unicode noncharacter U+FFFF at character 3 is not allowed",
        hint,
    )
    assert github[4] == (
        "::error file=briefings/noncharacter-escapes.yml,line=22,col=8,title=tags[1]"
        f"::Unicode noncharacter U+FDD0 at character 1 is not allowed; {hint}"
    )


def test_an_escaped_noncharacter_in_an_actor_name_is_refused(capsys, project):
    actors = project / "actors.yml"
    actors.write_text(
        actors.read_text(encoding="utf-8").replace("name: Borduria", 'name: "Bordu\\uFFFFria"'),
        encoding="utf-8",
    )
    args = ["check", "-f", str(ROOT / "site_config.yml"), "--briefings", "briefings"]
    assert main(args) == 1
    assert capsys.readouterr().err.splitlines() == [
        "briefings/actors.yml:16:9: borduria.name: Unicode noncharacter U+FFFF at character 6 "
        "is not allowed; delete the escape that writes it; feeds and web pages cannot carry it",
        "1 error, 0 warnings in 1 file",
    ]


def test_a_build_with_an_escaped_noncharacter_stops_at_the_check(tmp_path, capsys, monkeypatch):
    shutil.copytree(FIXTURES / "valid", tmp_path / "briefings")
    shutil.copy(CASES / "noncharacter-escapes.yml", tmp_path / "briefings")
    shutil.copy(ROOT / "site_config.yml", tmp_path / "site_config.yml")
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "-f", "site_config.yml"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[0].startswith(
        "briefings/noncharacter-escapes.yml:1:8: title: Unicode noncharacter U+FFFF"
    )
    assert err.splitlines()[-1] == "build stopped: 4 error(s); the previous site is unchanged"
    assert not (tmp_path / "site").exists()


def test_a_raw_noncharacter_in_a_comment_is_located_in_every_format(capsys, project):
    text, data, github = check(capsys, "noncharacter-raw-in-comment.yml", project)
    hint = "delete it; it is invisible, and feeds and web pages cannot carry it"
    assert text == [
        f"briefings/noncharacter-raw-in-comment.yml:1:10: Unicode noncharacter U+FFFF is not allowed; {hint}"
    ]  # fmt: skip
    assert data["problems"] == [
        item(
            "noncharacter-raw-in-comment.yml",
            1,
            10,
            None,
            "Unicode noncharacter U+FFFF is not allowed",
            hint,
        )
    ]
    assert github == [
        "::error file=briefings/noncharacter-raw-in-comment.yml,line=1,col=10"
        f"::Unicode noncharacter U+FFFF is not allowed; {hint}"
    ]


def test_a_raw_noncharacter_libyaml_accepts_is_refused_too(capsys, project):
    text, _, _ = check(capsys, "noncharacter-raw-plane-1.yml", project)
    assert text == [
        "briefings/noncharacter-raw-plane-1.yml:1:24: Unicode noncharacter U+1FFFE is not "
        "allowed; delete it; it is invisible, and feeds and web pages cannot carry it"
    ]


def test_terminal_escapes_in_a_value_are_shown_as_escapes(capsys, project):
    text, data, github = check(capsys, "terminal-escape-in-date.yml", project)
    message = r"'\x1b[2J\x1b]0;x\x07' is not a date"
    hint = "write dates as YYYY-MM-DD, like 2025-10-09"
    assert text == [f"briefings/terminal-escape-in-date.yml:2:7: date: {message}; {hint}"]
    assert data["problems"] == [
        {
            **item("terminal-escape-in-date.yml", 2, 7, "date", f"{message}; {hint}", ""),
            "hint": None,
        }
    ]
    assert github == [
        "::error file=briefings/terminal-escape-in-date.yml,line=2,col=7,title=date"
        f"::{message}; {hint}"
    ]


def test_a_newline_in_a_value_is_shown_as_an_escape(capsys, project):
    text, data, github = check(capsys, "newline-in-date.yml", project)
    message = r"'2025-06-01\nrm -rf' is not a date"
    hint = "write dates as YYYY-MM-DD, like 2025-10-09"
    assert text == [f"briefings/newline-in-date.yml:2:7: date: {message}; {hint}"]
    assert data["problems"] == [
        {**item("newline-in-date.yml", 2, 7, "date", f"{message}; {hint}", ""), "hint": None}
    ]
    assert github == [
        f"::error file=briefings/newline-in-date.yml,line=2,col=7,title=date::{message}; {hint}"
    ]


def test_lines_after_a_line_separator_are_counted_as_an_editor_shows_them(capsys, project):
    text, data, github = check(capsys, "line-separator-then-error.yml", project)
    assert [line.split(": ")[0] for line in text] == [
        "briefings/line-separator-then-error.yml:3:10",
        "briefings/line-separator-then-error.yml:23:1",
    ]
    assert [(p["line"], p["column"]) for p in data["problems"]] == [(3, 10), (23, 1)]
    assert github[1].startswith(
        "::error file=briefings/line-separator-then-error.yml,line=23,col=1,title=on::"
    )


def test_keys_with_brackets_are_named_literally(capsys, project):
    text, data, github = check(capsys, "key-with-brackets.yml", project)
    assert text[0] == (
        "briefings/key-with-brackets.yml:23:1: 'tags[0]': unknown field 'tags[0]'; "
        "did you mean 'tags'?"
    )
    assert text[1].startswith(
        "briefings/key-with-brackets.yml:24:1: 'notes(1)': unknown field 'notes(1)'; allowed here: "
    )
    assert data["problems"][0] == item(
        "key-with-brackets.yml",
        23,
        1,
        "'tags[0]'",
        "unknown field 'tags[0]'",
        "did you mean 'tags'?",
    )
    assert github[0] == (
        "::error file=briefings/key-with-brackets.yml,line=23,col=1,title='tags[0]'"
        "::unknown field 'tags[0]'; did you mean 'tags'?"
    )


def test_an_nbsp_in_a_key_is_shown_and_the_field_suggested(capsys, project):
    text, data, github = check(capsys, "nbsp-in-key.yml", project)
    assert text[1] == (
        r"briefings/nbsp-in-key.yml:1:1: 'title\u00a0': unknown field 'title\u00a0'; "
        "did you mean 'title'?"
    )
    assert data["problems"][1] == item(
        "nbsp-in-key.yml",
        1,
        1,
        r"'title\u00a0'",
        r"unknown field 'title\u00a0'",
        "did you mean 'title'?",
    )
    assert github[1] == (
        r"::error file=briefings/nbsp-in-key.yml,line=1,col=1,title='title\u00a0'"
        r"::unknown field 'title\u00a0'; did you mean 'title'?"
    )


@pytest.mark.parametrize(
    ("case", "where", "key", "message", "hint"),
    [
        ("hangul-filler-title.yml", (1, 8), "title",
         "title is blank: it has only invisible or blank characters (U+3164)", "write the title"),
        ("braille-blank-summary.yml", (3, 10), "summary",
         "summary is blank: it has only invisible or blank characters (U+2800)",
         "write the summary"),
        ("invisible-only-title.yml", (1, 8), "title",
         "title is blank: it has only invisible or blank characters (U+200B U+2060)",
         "write the title"),
        ("overlong-title.yml", (1, 8), "title",
         "title is 300 characters long; the limit is 200", "shorten it"),
    ],
)  # fmt: skip
def test_blank_looking_and_over_long_text_is_refused_in_plain_words(
    capsys, project, case, where, key, message, hint
):
    text, data, github = check(capsys, case, project)
    line, column = where
    assert text == [f"briefings/{case}:{line}:{column}: {key}: {message}; {hint}"]
    assert data["problems"] == [item(case, line, column, key, message, hint)]
    assert github == [
        f"::error file=briefings/{case},line={line},col={column},title={key}::{message}; {hint}"
    ]


def test_a_blank_tag_and_an_over_long_alias_name_the_item(tmp_path, capsys, project):
    brief = (CASES / "overlong-title.yml").read_text(encoding="utf-8")
    brief = brief.replace("x" * 300, "Fine").replace("tags: [tests]", 'tags: [ok, "\\u3164"]')
    (project / "tagged.yml").write_text(brief, encoding="utf-8")
    actors = project / "actors.yml"
    actors.write_text(
        actors.read_text(encoding="utf-8").replace("aliases: [Example]", f"aliases: [{'y' * 201}]"),
        encoding="utf-8",
    )
    assert main(["check", "-f", str(ROOT / "site_config.yml"), "--briefings", "briefings"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "briefings/actors.yml:6:13: alice-example.aliases[1]: this item is 201 characters long; "
        "the limit is 200; shorten it"
    )
    assert (
        "briefings/tagged.yml:22:12: tags[2]: this item is blank: it has only invisible or blank "
        "characters (U+3164); write the text or remove the item"
    ) in err


# --- The helpers every message goes through ---------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", r"\x1b[2J"),
        ("a\nb\r\tc", r"a\nb\r\tc"),
        ("\x7f\x85\u00a0", r"\x7f\u0085\u00a0"),
        ("line\u2028sep\u2029", r"line\u2028sep\u2029"),
        ("\u200b\u202e\ufeff", r"\u200b\u202e\ufeff"),
        ("\u3164\u2800\uffff", r"\u3164\u2800\uffff"),
        ("\U000e0001\U0010ffff", r"\U000e0001\U0010ffff"),
        ("café 😀 a b", "café 😀 a b"),
    ],
)
def test_visible_shows_every_invisible_character_as_an_escape(raw, shown):
    assert visible(raw) == shown


def test_a_problem_made_with_raw_characters_prints_them_as_escapes():
    problem = Problem(Path("x.yml"), "bad '\x1b]0;t\x07'", hint="fix\nit")
    assert problem.message == r"bad '\x1b]0;t\x07'"
    assert str(problem) == r"x.yml: bad '\x1b]0;t\x07'; fix\nit"


def test_odd_keys_are_quoted_in_key_paths():
    assert format_key_path(("quotes", 1, "speaker")) == "quotes[2].speaker"
    assert format_key_path(("tags[0]",)) == "'tags[0]'"
    assert format_key_path(("a.b", 0, "title\u00a0")) == r"'a.b'[1].'title\u00a0'"
    assert format_key_path(("alice-example", "name")) == "alice-example.name"
