"""Validation: every problem in every file, located and worded for authors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.config import load_settings
from tests.conftest import FIXTURES, MINIMAL, ROOT


def check_folder(tmp_path: Path, files: dict[str, str], actors_from: Path = FIXTURES / "valid"):
    folder = tmp_path / "briefings"
    folder.mkdir(exist_ok=True)
    shutil.copy(actors_from / "actors.yml", folder / "actors.yml")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    return pipeline.check(settings)


def lines(checked) -> list[str]:
    return [str(p).split("briefings/", 1)[1] for p in checked.report.errors]


def test_the_fixture_briefs_are_valid(valid_project):
    checked = pipeline.check(valid_project)
    assert checked.report.errors == []
    assert sorted(b.slug for b in checked.briefs) == [
        "border-talks",
        "patrols-agreed",
        "ruritania-election",
        "sanctions-on-borduria",
    ]
    assert len(checked.actors) == 5


def test_the_real_briefs_are_valid(real_project):
    checked = pipeline.check(real_project)
    assert [str(p) for p in checked.report.errors] == []
    assert len(checked.briefs) >= 1


def test_duplicate_key_unknown_field_and_unknown_actor_are_three_errors(tmp_path):
    shutil.copytree(FIXTURES / "three-errors", tmp_path / "briefings")
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=tmp_path / "briefings")
    checked = pipeline.check(settings)
    assert lines(checked) == [
        "broken.yml:4:1: duplicate key 'title' (first defined at line 1, column 1); "
        "keep one of the two and delete the other",
        "broken.yml:5:1: headline: unknown field 'headline'; allowed here: title, date, updated, "
        "summary, key_points, sections, proposals, quotes, actors, events, positions, sources, "
        "tags, related, questions, draft, why_it_matters, whats_next, continues, direction, "
        "changes",
        "broken.yml:8:14: quotes[1].speaker: unknown actor 'alice'; did you mean 'alice-example'?",
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "sumary: x\n",
            "b.yml:7:1: sumary: unknown field 'sumary'; did you mean 'summary'?",
        ),
        (
            "proposals:\n  - id: p\n    title: P\n    status: under discussion\n",
            "b.yml:10:13: proposals[1].status: 'under discussion' is not one of: proposed, "
            "under-discussion, agreed, implemented, rejected, withdrawn; "
            "did you mean 'under-discussion'?",
        ),
        (
            "updated: 2024-02-30\n",
            "b.yml:7:10: updated: '2024-02-30' is not a real date: day is out of range for month",
        ),
        (
            "updated: 2025-01-01T10:00:00\n",
            "b.yml:7:10: updated: '2025-01-01T10:00:00' is not a date; write dates as "
            "YYYY-MM-DD, like 2025-10-09",
        ),
        (
            "draft: maybe\n",
            "b.yml:7:8: draft: 'maybe' is not true or false; write true or false",
        ),
        (
            "quotes:\n  - text: Hi\n    source: src\n",
            "b.yml:8:5: quotes[1]: a quote needs a 'speaker' actor id, or 'anonymous: true' "
            "with a 'role' that describes the source",
        ),
        (
            "quotes:\n  - text: Hi\n    speaker: alice-example\n    source: scr\n",
            "b.yml:10:13: quotes[1].source: unknown source 'scr'; did you mean 'src'?",
        ),
        (
            "related: [b]\n",
            "b.yml:7:11: related[1]: 'b' is this brief itself; point to another brief",
        ),
        (
            "related: [no-such-brief]\n",
            "b.yml:7:11: related[1]: unknown brief 'no-such-brief'; "
            "use the file name of a brief, without .yml",
        ),
        (
            "tags: NATO\n",
            "b.yml:7:7: tags: expected a list ('- item' lines), found text",
        ),
        (
            "events:\n  - date: 2025-13\n    what: x\n",
            "b.yml:8:11: events[1].date: '2025-13' is not a real date: month must be in 1..12",
        ),
        (
            "positions:\n  - actor: alice-example\n    stance: supports\n",
            "b.yml:8:5: positions[1].summary: missing required field 'summary'; add 'summary: …'",
        ),
        (
            "title: x\n",
            "b.yml:7:1: duplicate key 'title' (first defined at line 1, column 1); "
            "keep one of the two and delete the other",
        ),
    ],
)
def test_error_messages_word_for_word(tmp_path, extra, expected):
    checked = check_folder(tmp_path, {"b.yml": MINIMAL + extra})
    assert lines(checked) == [expected]


def test_all_problems_in_all_files_are_reported_in_one_run(tmp_path):
    checked = check_folder(
        tmp_path,
        {
            "a.yml": MINIMAL + "sumary: x\n",
            "b.yml": MINIMAL + "actors: [nobody]\n",
            "c.yml": "title: [unclosed\n",
        },
    )
    files = [p.file.name for p in checked.report.errors]
    assert files == ["a.yml", "b.yml", "c.yml"]


def test_unsafe_url_is_rejected(tmp_path):
    checked = check_folder(
        tmp_path,
        {"b.yml": MINIMAL + "    url: javascript:alert(1)\n"},
    )
    assert lines(checked) == [
        "b.yml:7:10: sources[1].url: 'javascript:alert(1)' is not a web address; "
        "links must start with https:// or http://"
    ]


def test_control_characters_in_text_are_rejected(tmp_path):
    checked = check_folder(
        tmp_path, {"b.yml": MINIMAL.replace("summary: S", 'summary: "S\\u202e"')}
    )
    assert lines(checked) == [
        "b.yml:3:10: summary: invisible control character U+202E at character 2 is not "
        "allowed; delete it (it was probably pasted with the text)"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Bad Name.yml", "file name 'Bad Name.yml' cannot be a page address; use lowercase "
         "letters, digits and hyphens, like 'bad-name.yml'"),
        ("index.yml", "'index' is reserved for the site's own pages; rename the file, for "
         "example to 'index-briefing.yml'"),
        ("con.yml", "'con' is reserved for the site's own pages; rename the file, for "
         "example to 'con-briefing.yml'"),
    ],
)  # fmt: skip
def test_file_names_must_make_safe_addresses(tmp_path, name, expected):
    checked = check_folder(tmp_path, {name: MINIMAL})
    assert [p.message + "; " + p.hint for p in checked.report.errors] == [expected]


def test_symlinked_brief_is_refused(tmp_path):
    checked = check_folder(tmp_path, {"real.yml": MINIMAL})
    (tmp_path / "briefings" / "link.yml").symlink_to(tmp_path / "briefings" / "real.yml")
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=tmp_path / "briefings")
    checked = pipeline.check(settings)
    assert [str(p).split("briefings/", 1)[1] for p in checked.report.errors] == [
        "link.yml: briefs cannot be symbolic links; copy the file instead"
    ]
