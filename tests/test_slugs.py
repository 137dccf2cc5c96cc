"""One slug rule for every generated path, and no two outputs at one address.

The fixture ``slug-collisions`` holds each collision the issue reproduced: an actor
'index', a tag 'Index', tags that once merged ('C++'/'C#', two Cyrillic tags sharing
their first letters), one topic spelled two ways, and two different words that
transliterate to one address.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator import pipeline
from generator.config import Settings, load_settings
from generator.errors import BriefingsError
from generator.index import build_index
from generator.models import slugify
from generator.render import render_plan
from generator.scaffold import new_brief
from tests.conftest import FIXTURES, MINIMAL, ROOT


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str) -> Settings:
    """A copy of a fixture folder as ``briefings/``, with messages naming it so."""
    shutil.copytree(FIXTURES / fixture, tmp_path / "briefings")
    monkeypatch.chdir(tmp_path)
    return _in(
        tmp_path, load_settings(ROOT / "site_config.yml", briefings_dir=tmp_path / "briefings")
    )


def with_briefs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> Settings:
    """The valid fixture's actors and the given briefs."""
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(FIXTURES / "valid" / "actors.yml", folder / "actors.yml")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return _in(tmp_path, load_settings(ROOT / "site_config.yml", briefings_dir=folder))


def _in(tmp_path: Path, settings: Settings) -> Settings:
    """Everything the generator writes goes into ``tmp_path``, never into the project."""
    return replace(
        settings,
        docs_dir=tmp_path / "docs",
        site_dir=tmp_path / "site",
        schema_dir=tmp_path / "schema",
    )


# --- The rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Ærø", "aero"),
        ("Противовоздушная оборона", "protivovozdushnaia-oborona"),
        ("Противовоздушная атака", "protivovozdushnaia-ataka"),
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("R&D", "r-and-d"),
        ("#MeToo", "metoo"),
        ("Hybrid warfare", "hybrid-warfare"),
        ("🚀", ""),
    ],
)
def test_slugs_keep_every_letter_in_readable_ascii(name, slug):
    assert slugify(name) == slug


def test_a_cut_slug_ends_between_words():
    title = "Allies weigh a response to drone incursions in September 2025"
    assert slugify(title, 60) == "allies-weigh-a-response-to-drone-incursions-in-september"


# --- Collisions, found by check ---------------------------------------------------


def test_check_names_both_sides_of_every_collision(tmp_path, monkeypatch):
    checked = pipeline.check(project(tmp_path, monkeypatch, "slug-collisions"))
    assert [str(p) for p in checked.report.errors] == [
        "briefings/actors.yml:5:1: index: actor 'index' and the site's own page would both be "
        "published at /actors/; choose another id for the actor",
        "briefings/drone-attacks.yml:8:5: tags[4]: tag 'Мер' and tag 'Мэр' "  # noqa: RUF001 (Cyrillic on purpose)
        "(briefings/air-defence.yml:8:5) would both be published at /topics/mer/; "
        "if they are one topic, spell them the same way; if not, rename one",
        "briefings/drone-attacks.yml:9:5: tags[5]: tag 'Index' and the site's own page would "
        "both be published at /topics/; choose another name for the tag",
    ]
    assert [str(p) for p in checked.report.warnings] == [
        "briefings/drone-attacks.yml:6:5: warning: tags[2]: tag 'air-defence' and tag "
        "'Air Defence' (briefings/air-defence.yml:6:5) are one topic, published at "
        "/topics/air-defence/; use one spelling in every brief",
    ]


def test_a_collision_stops_the_build_before_anything_is_written(tmp_path, monkeypatch):
    settings = project(tmp_path, monkeypatch, "slug-collisions")
    with pytest.raises(BriefingsError) as raised:
        pipeline.generate(settings)
    assert len(raised.value.problems) == 3
    assert not settings.docs_dir.exists()


def test_different_words_get_their_own_topic_pages_and_feeds(tmp_path, monkeypatch):
    checked = pipeline.check(project(tmp_path, monkeypatch, "slug-collisions"))
    settings = load_settings(ROOT / "site_config.yml")
    index = build_index(checked.briefs, checked.actors, settings.related)
    paths = {path for path, _ in render_plan(index, settings)}
    for slug in (
        "c-plus-plus",
        "c-sharp",
        "protivovozdushnaia-oborona",
        "protivovozdushnaia-ataka",
    ):
        assert {
            f"topics/{slug}.md",
            f"feeds/topics/{slug}.xml",
            f"feeds/topics/{slug}.json",
        } <= paths
    merged = {tag.name: [e.slug for e in entries] for tag, entries in index.by_tag.items()}
    assert merged["air-defence"] == ["drone-attacks", "air-defence"]  # one topic, newest first


def test_no_collision_among_distinct_tags_is_reported(tmp_path, monkeypatch):
    brief = MINIMAL + "tags: [C++, C#, Противовоздушная оборона, Противовоздушная атака]\n"
    checked = pipeline.check(with_briefs(tmp_path, monkeypatch, {"a.yml": brief}))
    assert checked.report.problems == []


def test_two_files_for_one_brief_address(tmp_path, monkeypatch):
    settings = with_briefs(tmp_path, monkeypatch, {"talks.yml": MINIMAL, "talks.yaml": MINIMAL})
    assert [str(p) for p in pipeline.check(settings).report.errors] == [
        "briefings/talks.yml:1:1: brief 'talks.yml' and brief 'talks.yaml' "
        "(briefings/talks.yaml:1:1) "
        "would both be published at /briefings/talks/; rename one of the files",
    ]


def test_tags_that_cannot_name_a_file(tmp_path, monkeypatch):
    brief = MINIMAL + "tags: ['🚀', Con]\n"
    settings = with_briefs(tmp_path, monkeypatch, {"a.yml": brief})
    assert [str(p) for p in pipeline.check(settings).report.errors] == [
        "briefings/a.yml:7:8: tags[1]: tag '🚀' has no letters or digits to make its page's "
        "address from; name the topic in words",
        "briefings/a.yml:7:13: tags[2]: tag 'Con' would be published as 'topics/con.md', a name "
        "Windows cannot store; choose another name for the tag",
    ]


# --- New briefs ---------------------------------------------------------------------


def test_new_brief_transliterates_a_cyrillic_title(tmp_path):
    path = new_brief(tmp_path, "Противовоздушная оборона Польши", today=dt.date(2025, 9, 20))
    assert path.name == "protivovozdushnaia-oborona-polshi.yml"


def test_new_brief_cuts_a_long_title_between_words_and_says_so(tmp_path, caplog):
    title = "Allies weigh a response to drone incursions in September 2025"
    with caplog.at_level(logging.WARNING, logger="generator.scaffold"):
        path = new_brief(tmp_path, title, today=dt.date(2025, 9, 20))
    assert path.name == "allies-weigh-a-response-to-drone-incursions-in-september.yml"
    assert caplog.messages == [
        "the title is longer than a file name may be (60 characters), so the name keeps its "
        "first whole words: 'allies-weigh-a-response-to-drone-incursions-in-september.yml'"
    ]


def test_new_brief_says_nothing_about_a_short_title(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="generator.scaffold"):
        new_brief(tmp_path, "Drones over Łódź", today=dt.date(2025, 9, 20))
    assert (tmp_path / "drones-over-lodz.yml").is_file()
    assert caplog.messages == []


def test_new_brief_refuses_a_title_without_letters(tmp_path):
    with pytest.raises(ValueError) as raised:
        new_brief(tmp_path, "🚀 🚀")
    assert str(raised.value) == (
        "the title '🚀 🚀' has no letters or digits to name the file after; "
        "give it a title in words"
    )
