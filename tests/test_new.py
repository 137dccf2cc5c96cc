"""``briefings new`` and its template: every field, honest comments, names and dates.

The round trip at the end is an author's first brief: new → fill in → check → build.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup

from generator import models, pipeline
from generator.cli import main
from generator.config import load_settings
from generator.load import load_yaml
from generator.mdtext import rich
from generator.scaffold import MAX_FILE_SLUG, PLACEHOLDERS, file_name, new_brief, parse_date
from tests.authoring_help import BRIEF_FIELDS, covered, uncomment
from tests.conftest import FIXTURES, ROOT, make_project

TEMPLATE = files("generator.scaffold").joinpath("brief.yml.tmpl").read_text(encoding="utf-8")
DAY = dt.date(2025, 9, 20)


def _fresh(folder: Path, title: str = "Talks resume") -> Path:
    """A new brief from the template, as ``briefings new`` writes it."""
    return new_brief(folder, title, today=DAY)


def _settings(folder: Path, **changes):
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    return replace(settings, schema_dir=None, **changes)


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    return folder


# --- The file name -------------------------------------------------------------------


def test_a_long_title_is_cut_between_words_and_the_command_says_which_name(tmp_path):
    folder = _project(tmp_path)
    title = "Drone incursions over Poland prompt NATO to launch Eastern Sentry in September 2025"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "briefings"),
            "new",
            "-f",
            str(ROOT / "site_config.yml"),
            "--briefings",
            str(folder),
            "--date",
            "2025-09-20",
            title,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    name = "drone-incursions-over-poland-prompt-nato-to-launch-eastern.yml"
    assert result.stderr == (
        "WARNING: the title is longer than a file name may be (60 characters), so the name "
        f"keeps its first whole words: '{name}'\n"
    )
    assert result.stdout == (
        f"created {folder / name}, dated 2025-09-20, as a draft; "
        "run 'briefings check' as you fill it in\n"
    )
    assert (folder / name).is_file()


@pytest.mark.parametrize(
    "title",
    [
        "Allies weigh a response to drone incursions in September 2025",
        "Russian drones over Poland: NATO allies weigh their response to airspace violations",
        "a " * 40,
        "Łódź, Gdańsk and Białystok: air-defence alerts across eastern Poland, night after night",
    ],
)
def test_a_shortened_name_is_whole_words_of_the_title(title):
    name = file_name(title)
    full = models.slugify(title)
    assert len(name.slug) <= MAX_FILE_SLUG
    assert full.startswith(name.slug + "-")  # a prefix of the name, ending at a hyphen
    assert name.note == (
        "the title is longer than a file name may be (60 characters), so the name keeps "
        f"its first whole words: '{name.slug}.yml'"
    )


def test_a_first_word_longer_than_a_name_is_cut_and_the_note_says_so():
    name = file_name("Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetzentwurf fails")
    assert name.slug == "rindfleischetikettierungsuberwachungsaufgabenubertragungsges"
    assert name.note == (
        "the title is longer than a file name may be (60 characters), and its first word is "
        "longer still, so the name keeps its first characters: "
        "'rindfleischetikettierungsuberwachungsaufgabenubertragungsges.yml'"
    )


def test_a_short_title_keeps_every_word_and_no_note():
    assert file_name("Drones over Łódź in September 2025") == file_name(
        "Drones over Łódź in September 2025"
    )
    assert (
        file_name("Drones over Łódź in September 2025").slug == "drones-over-lodz-in-september-2025"
    )
    assert file_name("Drones over Łódź in September 2025").note == ""


# --- The date ------------------------------------------------------------------------


def _new(folder: Path, *args: str) -> int:
    return main(["new", "-f", str(ROOT / "site_config.yml"), "--briefings", str(folder), *args])


def test_new_takes_the_publication_date(tmp_path, capsys):
    folder = _project(tmp_path)
    assert _new(folder, "--date", "2025-10-09", "Talks resume") == 0
    path = folder / "talks-resume.yml"
    assert load_yaml(path).data["date"] == "2025-10-09"
    assert capsys.readouterr().out == (
        f"created {path}, dated 2025-10-09, as a draft; run 'briefings check' as you fill it in\n"
    )


def test_new_is_dated_today_by_default(tmp_path):
    folder = _project(tmp_path)
    assert _new(folder, "Talks resume") == 0
    assert load_yaml(folder / "talks-resume.yml").data["date"] == dt.date.today().isoformat()


def test_a_date_to_come_is_an_embargo_and_new_says_so(tmp_path, capsys):
    folder = _project(tmp_path)
    assert _new(folder, "--date", "2099-01-01", "Talks resume") == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "note: 2099-01-01 is still to come: once published, the brief is held back until that day"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("9/10/2025", "--date '9/10/2025' is not a date; write it as YYYY-MM-DD, like 2025-10-09"),
        ("2025-10", "--date '2025-10' is not a date; write it as YYYY-MM-DD, like 2025-10-09"),
        (
            "2025-02-30",
            "--date '2025-02-30' is not a real date (day is out of range for month); give a "
            "day of the calendar, as YYYY-MM-DD",
        ),
    ],
)
def test_a_bad_date_is_refused_with_the_fix_and_nothing_is_written(
    tmp_path, capsys, given, message
):
    folder = _project(tmp_path)
    before = sorted(folder.iterdir())
    assert _new(folder, "--date", given, "Talks resume") == 1
    assert capsys.readouterr().err == f"error: {message}\n"
    assert sorted(folder.iterdir()) == before
    with pytest.raises(ValueError) as raised:
        parse_date(given)
    assert str(raised.value) == message


# --- The template --------------------------------------------------------------------


def _filled_template() -> str:
    return (
        TEMPLATE.replace("$$", "$")
        .replace("$title", '"Talks resume"')
        .replace("$date", "2025-09-20")
    )


def test_the_template_shows_every_field_of_a_brief():
    data = yaml.safe_load(uncomment(_filled_template()))
    assert sorted(BRIEF_FIELDS - covered(models.Brief, data)) == []


def test_the_untouched_template_shows_only_required_and_everyday_fields_uncommented():
    data = yaml.safe_load(_filled_template())
    assert list(data) == [
        "title", "date", "summary", "key_points", "sections", "actors", "sources", "tags",
        "related", "draft",
    ]  # fmt: skip
    assert sorted(covered(models.Brief, data) - BRIEF_FIELDS) == []


def _check_brief(tmp_path: Path, text: str, *, name: str = "talks-resume.yml"):
    folder = _project(tmp_path)
    (folder / name).write_text(text, encoding="utf-8")
    checked = pipeline.check(_settings(folder, today=DAY))
    return checked, next((b.brief for b in checked.briefs if b.slug == Path(name).stem), None)


def test_the_uncommented_template_is_read_as_its_comments_say(tmp_path):
    checked, brief = _check_brief(tmp_path, uncomment(_filled_template()))
    assert brief is not None, [str(p) for p in checked.report.errors]
    text = brief.sections[0].text
    assert text == (
        "First paragraph of the section. Wrap lines as you like: a line break inside a "
        "paragraph reads as a space.\n\nA blank line starts a new paragraph."
    )
    html = BeautifulSoup(markdown.markdown(rich(text)), "lxml")
    assert [p.get_text() for p in html.find_all("p")] == text.split("\n\n")


@pytest.mark.parametrize(
    ("block", "paragraphs"),
    [
        ("|", ["One line, and its continuation.", "A second paragraph."]),
        (">-", ["One line, and its continuation. A second paragraph."]),
    ],
)
def test_a_blank_line_starts_a_paragraph_under_a_bar_and_not_under_a_fold(
    tmp_path, block, paragraphs
):
    brief_text = (
        "title: T\ndate: 2025-01-01\n"
        f"summary: {block}\n  One line, and\n  its continuation.\n\n  A second paragraph.\n"
        "sources:\n  - id: s\n    outlet: O\n"
    )
    checked, brief = _check_brief(tmp_path, brief_text, name="t.yml")
    assert brief is not None, [str(p) for p in checked.report.errors]
    html = BeautifulSoup(markdown.markdown(rich(brief.summary)), "lxml")
    assert [p.get_text() for p in html.find_all("p")] == paragraphs


def _values(data, prefix=()):
    """Every scalar of the data with its key path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _values(value, (*prefix, key))
    elif isinstance(data, list):
        for value in data:
            yield from _values(value, prefix)
    else:
        yield prefix, data


_NOT_PLACEHOLDERS = {"date", "updated", "end", "level", "status", "stance", "direction"}
"""Keys whose template values are real: dates and fixed values (and the brief's title)."""


def test_placeholders_are_every_text_and_id_the_template_makes_up(tmp_path):
    """PLACEHOLDERS is the contract with the placeholder check: exactly the template's values."""
    _, brief = _check_brief(tmp_path, uncomment(_filled_template()))
    assert brief is not None
    held = {
        value
        for path, value in _values(brief.model_dump(mode="json", exclude_defaults=True))
        if isinstance(value, str)
        and path != ("title",)
        and path[-1] not in _NOT_PLACEHOLDERS
        and value != "source-1"
    }
    assert held == PLACEHOLDERS


@pytest.mark.parametrize("path", sorted((ROOT / "briefings").glob("*.yml")), ids=lambda p: p.name)
def test_no_real_brief_holds_a_placeholder(path):
    found = [
        value
        for _, value in _values(load_yaml(path).data)
        if " ".join(str(value).split()) in PLACEHOLDERS
    ]
    assert found == []


def test_the_untouched_template_fails_check_once_draft_is_removed(tmp_path):
    text = _filled_template().replace("draft: true\n", "")
    checked, _ = _check_brief(tmp_path, text)
    assert checked.report.errors


# --- The round trip ------------------------------------------------------------------

FILLED = {
    "The bottom line in one to three sentences: what happened and why it\n  matters, as your sources say.": (
        "Ruritania and Borduria *resumed* border talks after a month's pause."
    ),
    "One essential fact per point, as your sources state it.": "Talks resumed in Strelsau.",
    "Heading of the section": "What was said",
    "First paragraph of the section. Wrap lines as you like: a line\n      break inside a paragraph reads as a space.": (
        "Both sides met for\n      three hours."
    ),
    "A blank line starts a new paragraph.": "A second meeting is planned.",
    "Why, in a few words": "one source only",
    "What they say instead, as the source reports it.": "No talks took place.",
    "What is proposed, as a short phrase": "A joint border commission",
    "What the sources add, like conditions or how far the talks have got.": "No date is set.",
    "The exact words, without quotation marks": "We are talking again",
    "Their role when they said it": "Foreign minister of Ruritania",
    "Where or to whom it was said": "To reporters after the talks",
    "Words of an unnamed source": "The mood was better",
    "How the source describes them, like a NATO diplomat": "an Alliance diplomat",
    "Where it happened, in words": "The foreign ministry",
    "What happened, in a sentence or two.": "Border talks resume.",
    "The position in the sources' terms.": "Welcomes the talks.",
    "The issue, in a few words": "Whether talks can succeed",
    "Name of the outlet": "The Example Wire",
    "https://example.org/article": "https://wire.example.org/talks",
    "Headline of the article": "Border talks resume",
    "Who the outlet relied on, as it says": "two diplomats",
    "A caveat readers should know": "A regional agency.",
    "What will readers ask next?": "Will a commission be agreed?",
    "Why it matters, as a source states it.": "The talks are the first since February.",
    "What comes next, as a source states it.": "A second round is due in October.",
    "What changed, in a sentence.": "Added the diplomat's words.",
    "another-actor-id": "borduria",
    "actor-id": "alice-example",
    "place-id": "strelsau",
    "short-stable-id": "border-commission",
    "other-event-id": "first-incident",
    "event-id": "talks-resume",
    "another-brief-slug": "patrols-agreed",
    "other-brief-slug": "ruritania-election",
    "earlier-brief-slug": "border-talks",
    "draft: true\n": "",
    "actors: []": "actors: [ruritania]",
    "tags: []": "tags: [talks]",
    "related: []": "related: [patrols-agreed]",
    "correction: false": "correction: true",
}
"""What an author writes into the template: every placeholder replaced, in file order."""


def _fill(text: str) -> str:
    for placeholder, value in FILLED.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, value)
    return text


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> tuple[Path, str, list[str]]:
    """A fresh brief, filled in with every optional field, checked and built."""
    root = tmp_path_factory.mktemp("round-trip")
    folder = _project(root / "start")
    path = new_brief(folder, "Border talks resume", today=dt.date(2025, 9, 20))
    path.write_text(uncomment(_fill(path.read_text(encoding="utf-8"))), encoding="utf-8")
    settings = make_project(root / "project", folder)
    settings = replace(settings, today=dt.date(2025, 10, 1))
    checked = pipeline.check(settings)
    problems = [str(p) for p in checked.report.problems]
    built = pipeline.build(settings)
    return built.site_dir, path.stem, problems


def test_a_filled_in_template_checks_without_a_problem(round_trip):
    _, slug, problems = round_trip
    assert slug == "border-talks-resume"
    assert problems == []


def test_a_filled_in_template_builds_into_a_page_with_its_values(round_trip):
    site, slug, _ = round_trip
    page = BeautifulSoup((site / "briefings" / slug / "index.html").read_text(), "lxml")
    article = page.select_one("article")
    text = " ".join(article.get_text(" ").split())
    assert "Border talks resume" in page.title.get_text()
    for value in (
        "resumed",
        "Talks resumed in Strelsau.",
        "A joint border commission",
        "We are talking again",
    ):
        assert value in text
    paragraphs = [" ".join(p.get_text().split()) for p in article.find_all("p")]
    # Two paragraphs, the lines of the first joined; the section's citation ends the last.
    first = paragraphs.index("Both sides met for three hours.")
    assert paragraphs[first + 1].startswith("A second meeting is planned.[1]")
    assert not re.search(r"Name of the outlet|example\.org/article", str(page))


def test_yamllint_passes_a_new_brief_with_and_without_its_optional_fields(tmp_path):
    path = _fresh(tmp_path)
    (tmp_path / "uncommented.yml").write_text(uncomment(path.read_text(encoding="utf-8")))
    command = [str(Path(sys.executable).parent / "yamllint"), "-c", str(ROOT / ".yamllint.yml")]
    result = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, "")
