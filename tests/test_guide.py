"""The author guide as readers get it: built by the engine, read from the HTML.

Every number and meaning asserted here is read from the models or the JSON
Schema, never typed in, so the tests follow the models as the guide does.
"""

from __future__ import annotations

import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag

from generator import models, pipeline, validate
from generator.load import load_yaml
from generator.reference import CHOICES, MODELS, code, prose
from tests.authoring_help import BRIEF_FIELDS, covered, fields_of
from tests.conftest import FIXTURES, ROOT, make_project

SCAFFOLD = files("generator.scaffold")


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> BeautifulSoup:
    """The guide page of a strict build of the fixture site."""
    settings = make_project(tmp_path_factory.mktemp("guide"), FIXTURES / "valid")
    site = pipeline.build(settings).site_dir
    return BeautifulSoup((site / "guide" / "index.html").read_text(encoding="utf-8"), "lxml")


def _article(guide: BeautifulSoup) -> Tag:
    article = guide.select_one("article")
    assert article is not None
    return article


def _words(node: Tag) -> str:
    return " ".join(node.get_text(" ").split())


def _table_after(guide: BeautifulSoup, anchor: str) -> dict[str, str]:
    """The table under the heading with id ``anchor``: first cell → the row's words."""
    heading = guide.find(id=anchor)
    assert heading is not None, anchor
    table = heading.find_next("table")
    rows = {}
    for row in table.select("tbody tr"):
        cells = row.find_all("td")
        key = cells[0].find("code") or cells[0]
        rows[key.get_text()] = _words(row)
    return rows


# --- What shows on the page ---------------------------------------------------------


def test_no_escaped_entity_or_doubled_backtick_shows_on_the_page(guide):
    text = _article(guide).get_text()
    assert "&#" not in text
    assert "&amp;" not in text
    assert "``" not in text


def test_every_key_is_shown_as_code_with_its_underscores(guide):
    article = _article(guide)
    codes = {c.get_text() for c in article.find_all("code")}
    for model in MODELS:
        rows = _table_after(guide, model.__name__.lower())
        for name, info in model.model_fields.items():
            if not info.exclude:
                assert name in codes and name in rows, (model.__name__, name)
                marked = rows[name].startswith(f"{name} required ")
                assert marked == info.is_required(), (model.__name__, name)
    assert {"key_points", "answered_by", "not_answered_by", "not_same_as"} <= codes
    brief = guide.find(id="brief").find_next("p")
    assert [c.get_text() for c in brief.find_all("code")] == [".yml"]


def _list_limits(schema: dict) -> dict[str, int]:
    """Each list key of a JSON Schema object and its maxItems."""
    return {
        key: prop["maxItems"] for key, prop in schema["properties"].items() if "maxItems" in prop
    }


def test_each_list_gives_its_limit_in_the_field_reference(guide):
    schema = json.loads((ROOT / "schema" / "brief.schema.json").read_text(encoding="utf-8"))
    defs = schema["$defs"]
    checked = 0
    for model in MODELS:
        source = schema if model is models.Brief else defs.get(model.__name__)
        if source is None:  # a registry's model: its own schema file
            source = models.Actor.model_json_schema() if model is models.Actor else None
            source = source or models.Place.model_json_schema()
        rows = _table_after(guide, model.__name__.lower())
        for key, most in _list_limits(source).items():
            assert f"up to {most:,}" in rows[key], (model.__name__, key, rows[key])
            checked += 1
    assert checked >= 30
    assert "at least 1, up to 200" in _table_after(guide, "brief")["sources"]


def test_a_text_field_tighter_than_its_kind_gives_its_limit(guide):
    rows = _table_after(guide, "brief")
    info = models.Brief.model_fields["summary"]
    most = min(m.max_length for m in info.metadata if hasattr(m, "max_length"))
    assert most < models.MAX_RICH_TEXT
    assert f"rich text, up to {most:,} characters" in rows["summary"]
    assert "characters" not in rows["title"]


@pytest.mark.parametrize("choice", CHOICES, ids=lambda c: c.__name__)
def test_each_fixed_value_is_given_its_meaning(guide, choice):
    rows = _table_after(guide, choice.__name__.lower())
    assert list(rows) == [member.value for member in choice]
    for member in choice:
        assert member.meaning
        assert rows[member.value] == f"{member.value} {member.meaning}"


def test_fields_that_take_a_fixed_value_link_to_the_meanings(guide):
    row = guide.find(id="proposal").find_next("table").find("code", string="status")
    link = row.find_parent("tr").find("a", string="meanings")
    assert link["href"] == "#proposalstatus"
    assert guide.find(id="proposalstatus") is not None


def test_the_json_schema_carries_the_same_meanings():
    schema = json.loads((ROOT / "schema" / "brief.schema.json").read_text(encoding="utf-8"))
    for choice in (models.ProposalStatus, models.Stance, models.Certainty, models.Direction):
        definition = schema["$defs"][choice.__name__]
        assert definition["enumDescriptions"] == [member.meaning for member in choice]
        for member in choice:
            assert f"{member.value}: {member.meaning}" in definition["description"]


def _section(guide: BeautifulSoup, anchor: str) -> str:
    """The words of the guide from the heading ``anchor`` to the next heading of its level."""
    heading = guide.find(id=anchor)
    parts = []
    for node in heading.find_next_siblings():
        if node.name == heading.name:
            break
        parts.append(_words(node))
    return " ".join(parts)


def test_the_guide_says_which_date_a_brief_takes(guide):
    dates = _section(guide, "dates")
    assert dates.startswith(
        "date is the day the brief is published , not the day of the events it reports. "
        "briefings new fills in today; give --date YYYY-MM-DD when you write for another day."
    )
    assert "A date in the future is an embargo : the brief is held back until that day" in dates
    assert "updated follows the latest entry" in dates


def test_the_guide_says_renaming_is_fine_and_what_to_do_about_links(guide):
    renaming = _section(guide, "renaming")
    assert renaming.startswith(
        "Renaming a brief's file is fine: what changes is its slug (the file name without "
        ".yml ), and with it the addresses made from it."
    )
    assert (
        "Other briefs link to it by slug in related , answered_by , not_answered_by and "
        "continues : update them. briefings check reports each link to a brief that does not "
        "exist, at its line, and names the closest slug it knows."
    ) in renaming


def test_the_guide_says_to_commit_the_generated_id_schemas(guide):
    schemas = _section(guide, "editor-schemas")
    assert "actor-ids.schema.json , place-ids.schema.json and the other" in schemas
    assert (
        "commit them together with the change to briefings/actors.yml or briefings/places.yml"
    ) in schemas


def test_the_guide_explains_bar_and_fold_blocks(guide):
    text = _words(_article(guide))
    assert (
        "A block with >- folds its lines together and turns a blank line into a line break, "
        "which is no new paragraph"
    ) in text


# --- The examples -------------------------------------------------------------------


def _example(name: str) -> dict:
    return yaml.safe_load(SCAFFOLD.joinpath(name).read_text(encoding="utf-8"))


def test_the_example_shows_every_field_of_a_brief():
    assert sorted(BRIEF_FIELDS - covered(models.Brief, _example("example.yml"))) == []


def test_the_registry_examples_show_every_field_and_are_valid():
    actors = _example("actors.example.yml")
    places = _example("places.example.yml")
    shown = set().union(*(covered(models.Actor, entry) for entry in actors.values()))
    shown |= set().union(*(covered(models.Place, entry) for entry in places.values()))
    assert sorted(fields_of(models.Actor, models.Place) - shown) == []
    folder = SCAFFOLD.joinpath("actors.example.yml")
    valid, problems = validate.validate_actors(load_yaml(Path(str(folder))))
    assert problems == [] and sorted(valid) == sorted(actors)
    valid, problems = validate.validate_places(
        load_yaml(Path(str(SCAFFOLD.joinpath("places.example.yml"))))
    )
    assert problems == [] and sorted(valid) == sorted(places)


def test_the_example_checks_without_a_warning(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    shutil.copy(Path(str(SCAFFOLD.joinpath("example.yml"))), folder / "example.yml")
    checked = pipeline.check(make_project(tmp_path / "project", folder))
    assert [str(p) for p in checked.report.problems] == []


def test_the_guide_shows_the_three_examples(guide):
    blocks = [" ".join(b.get_text().split()) for b in _article(guide).select("pre code")]
    for name in ("example.yml", "actors.example.yml", "places.example.yml"):
        text = " ".join(SCAFFOLD.joinpath(name).read_text(encoding="utf-8").split())
        assert text in blocks, name


# --- Our own text as Markdown ---------------------------------------------------------


def test_docstring_code_becomes_one_code_span_and_the_rest_is_escaped():
    assert prose("kept in ``briefings/actors.yml`` or `x_y`; a_b *c*") == (
        "kept in `briefings/actors.yml` or `x_y`; a&#95;b &#42;c&#42;"
    )


def test_a_code_span_cannot_hold_a_pipe_or_a_backtick():
    for bad in ("a|b", "a`b"):
        with pytest.raises(ValueError) as raised:
            code(bad)
        assert str(raised.value) == f"{bad!r} cannot be a code span in the guide's tables"


def test_every_model_docstring_reads_as_prose():
    for model in MODELS:
        for name, info in model.model_fields.items():
            assert "``" not in prose(info.description or ""), (model.__name__, name)
        assert "``" not in prose(model.__doc__ or ""), model.__name__
