"""The slips a new author makes: each is caught, located at its own key, and worded to fix.

Issue 13 made 31 typical slips in two new briefs; these are the ones that passed
unflagged or were reported misleadingly. Every message is asserted word for word.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator import pipeline, scaffold
from generator.cli import main
from generator.config import load_settings
from generator.validate import PLACEHOLDERS
from tests.conftest import FIXTURES, MINIMAL, ROOT
from tests.test_validate import check_folder


def problems(checked) -> list[str]:
    """Every problem, errors and warnings, in file order, from the file name on."""
    every = sorted(checked.report.problems, key=lambda p: p.sort_key())
    return [str(p).split("briefings/", 1)[1] for p in every]


CITED = MINIMAL.replace("sources:\n", "key_points:\n  - text: P\n    sources: [src]\nsources:\n")
"""MINIMAL with a key point citing its source, so that the brief cites."""


def test_the_fixture_briefs_cite_as_minimal_does():
    assert CITED.splitlines()[3:6] == ["key_points:", "  - text: P", "    sources: [src]"]


# --- One honest run ----------------------------------------------------------------


def test_a_brief_with_one_of_each_mistake_gets_every_one_reported_in_one_run(
    tmp_path, capsys, monkeypatch
):
    shutil.copytree(FIXTURES / "slips", tmp_path / "briefings")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "-f", str(ROOT / "site_config.yml"), "--briefings", "briefings"])
    at = "briefings/every-slip.yml:"
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{at}4:10: updated: 'updated' (2025-05-01) is before 'date' (2025-05-10); an update "
        "comes after publication",
        f"{at}8:24: key_points[1].sources[2]: 'gazette' is already listed at "
        "key_points[1].sources[1]; remove this one",
        f"{at}10:15: key_points[2].sources[1]: unknown source 'herlad'; did you mean 'herald'?",
        f"{at}18:11: warning: quotes[1].text: the quote is wrapped in quotation marks (“…”); "
        "remove them: the page sets the quotation marks itself",
        f"{at}21:31: actors[3]: 'ruritania' is already listed at actors[1]; remove this one",
        f"{at}21:42: actors[4]: unknown actor 'nobody-known'; add the actor to "
        "briefings/actors.yml, or fix the id",
        f"{at}24:10: events[1].end: the event ends (2025-05-08) before it starts (2025-05-09); "
        "'end' is the last day, on or after 'date'",
        f"{at}26:24: events[1].places[2]: unknown place 'nowhere-town'; add the place to "
        "briefings/places.yml, or fix the id",
        f"{at}30:13: positions[1].stance: 'angry' is not one of: supports, opposes, cautious, "
        "mixed, neutral",
        f"{at}32:15: positions[1].proposal: unknown proposal 'joint-patols'; did you mean "
        "'joint-patrols'?",
        f"{at}39:13: sources[2].outlet: 'Name of the outlet' is the template's placeholder; "
        "write what the sources say, or remove it; only a draft may keep placeholders",
        f"{at}40:10: sources[2].url: 'https://example.org/article' is the template's example "
        "address; give the real address, or remove it; only a draft may keep placeholders",
        f"{at}41:9: warning: sources[3].id: source 'wire' is never cited; cite it where the "
        "brief relies on it (a 'sources' list, or a quote's 'source'), or remove it",
        f"{at}43:11: warning: related[1]: 'patrol-plans' is a draft: the published site drops "
        "this link until it is published; publish 'patrol-plans' (remove its 'draft: true'), "
        "or remove the link",
        f"{at}43:25: related[2]: unknown brief 'no-such-brief'; use the file name of a brief, "
        "without .yml",
        f"{at}46:18: warning: questions[1].answered_by: 'summer-review' is embargoed until "
        "2999-09-01: the published site shows this question as open until then; the link "
        "comes back by itself once 'summer-review' is published",
        "12 errors, 4 warnings in 1 file",
    ]


def test_a_bad_stance_does_not_hide_an_unknown_source(tmp_path):
    extra = (
        "positions:\n  - actor: alice-example\n    stance: likes\n    summary: S\n"
        "    issue: I\n    sources: [scr]\n"
    )
    checked = check_folder(tmp_path, {"b.yml": MINIMAL + extra})
    assert problems(checked) == [
        "b.yml:9:13: positions[1].stance: 'likes' is not one of: supports, opposes, cautious, "
        "mixed, neutral",
        "b.yml:12:15: positions[1].sources[1]: unknown source 'scr'; did you mean 'src'?",
    ]


def test_a_source_list_written_as_text_is_one_error_not_also_an_uncited_source(tmp_path):
    extra = "key_points:\n  - text: P\n    sources: src\nsections:\n  - heading: H\n    text: T\n    sources: [src]\n"
    checked = check_folder(tmp_path, {"b.yml": MINIMAL + extra})
    assert problems(checked) == [
        "b.yml:9:14: key_points[1].sources: expected a list ('- item' lines), found text"
    ]


# --- Each error at its own key -----------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "updated: 2024-12-31\n",
            "b.yml:10:10: updated: 'updated' (2024-12-31) is before 'date' (2025-01-01); an "
            "update comes after publication",
        ),
        (
            "events:\n  - date: 2025-09-10\n    what: W\n    end: 2025-09-09\n",
            "b.yml:13:10: events[1].end: the event ends (2025-09-09) before it starts "
            "(2025-09-10); 'end' is the last day, on or after 'date'",
        ),
        (
            "events:\n  - date: 2025-09\n    end: 2025-08-31\n    what: W\n",
            "b.yml:12:10: events[1].end: the event ends (2025-08-31) before it starts "
            "(2025-09); 'end' is the last day, on or after 'date'",
        ),
        (
            "quotes:\n  - text: Hi\n    anonymous: true\n    role: an aide\n"
            "    speaker: alice-example\n    source: src\n",
            "b.yml:14:14: quotes[1].speaker: an anonymous quote has no speaker; remove "
            "'speaker' or set 'anonymous: false'",
        ),
        (
            "proposals:\n  - id: p\n    title: P\n    status: proposed\n    sources: [src]\n"
            "positions:\n  - actor: alice-example\n    stance: supports\n    summary: S\n"
            "    proposal: p\n    issue: I\n",
            "b.yml:20:12: positions[1].issue: a position is about one thing: give 'proposal' or "
            "'issue', not both",
        ),
    ],
)
def test_errors_are_reported_at_the_key_to_fix(tmp_path, extra, expected):
    checked = check_folder(tmp_path, {"b.yml": CITED + extra})
    assert problems(checked) == [expected]


@pytest.mark.parametrize(
    ("date", "end"),
    [("2025-09-10", "2025-09-10"), ("2025-09-10", "2025-09"), ("2025-09", "2025-09-01")],
)
def test_an_end_on_the_day_or_in_the_month_it_starts_is_fine(tmp_path, date, end):
    extra = f"events:\n  - date: {date}\n    end: {end}\n    what: W\n"
    checked = check_folder(tmp_path, {"b.yml": CITED + extra})
    assert problems(checked) == []


# --- Quotation marks around a quote ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("'\"We are ready.\"'", '"…"'),
        ("“We are ready.”", "“…”"),
        ("«Nous sommes prêts.»", "«…»"),
        ("\"'We are ready.'\"", "'…'"),
        ("„Wir sind bereit.“", "„…“"),
    ],
)
def test_quotation_marks_around_a_quote_are_a_warning(tmp_path, text, marks):
    extra = f"quotes:\n  - text: {text}\n    speaker: alice-example\n    source: src\n"
    checked = check_folder(tmp_path, {"b.yml": CITED + extra})
    assert problems(checked) == [
        f"b.yml:11:11: warning: quotes[1].text: the quote is wrapped in quotation marks "
        f"({marks}); remove them: the page sets the quotation marks itself"
    ]


@pytest.mark.parametrize(
    "text", ["We are “ready”.", '\'"Yes," he said, "now."\'', "“Yes,” he said, “now.”", "'x'"]
)
def test_quotation_marks_inside_a_quote_are_fine(tmp_path, text):
    extra = f"quotes:\n  - text: {text}\n    speaker: alice-example\n    source: src\n"
    checked = check_folder(tmp_path, {"b.yml": CITED + extra})
    assert problems(checked) == []


# --- Sources ---------------------------------------------------------------------


def test_a_source_nothing_cites_is_a_warning_naming_it(tmp_path):
    extra = "  - id: wire\n    outlet: Wire\n"
    checked = check_folder(tmp_path, {"b.yml": CITED + extra})
    assert problems(checked) == [
        "b.yml:10:9: warning: sources[2].id: source 'wire' is never cited; cite it where the "
        "brief relies on it (a 'sources' list, or a quote's 'source'), or remove it"
    ]


def test_a_brief_that_cites_nothing_rests_on_all_its_sources(tmp_path):
    checked = check_folder(tmp_path, {"b.yml": MINIMAL + "  - id: wire\n    outlet: Wire\n"})
    assert problems(checked) == []


def test_a_source_a_mistyped_citation_was_meant_for_is_not_also_uncited(tmp_path):
    brief = CITED.replace("[src]", "[src, wrie]") + "  - id: wire\n    outlet: Wire\n"
    checked = check_folder(tmp_path, {"b.yml": brief})
    assert problems(checked) == [
        "b.yml:6:20: key_points[1].sources[2]: unknown source 'wrie'; did you mean 'wire'?"
    ]


def test_a_duplicate_source_id_is_the_one_error_and_names_the_citations_it_leaves_unknown(
    tmp_path,
):
    brief = (
        "title: T\ndate: 2025-01-01\nsummary: S\n"
        "key_points:\n  - text: P\n    sources: [gazette, reuters]\n"
        "quotes:\n  - text: Hi\n    speaker: alice-example\n    source: reuters\n"
        "sources:\n  - id: gazette\n    outlet: Gazette\n  - id: gazette\n    outlet: Reuters\n"
    )
    checked = check_folder(tmp_path, {"b.yml": brief})
    assert problems(checked) == [
        "b.yml:14:9: sources[2].id: id 'gazette' is already used by sources[1]; give each "
        "source its own id; the brief cites 'reuters', which no source has"
    ]


# --- Ids listed twice --------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "actors: [alice-example, bob-sample, alice-example]\n",
            "b.yml:10:37: actors[3]: 'alice-example' is already listed at actors[1]; "
            "remove this one",
        ),
        (
            "proposals:\n  - id: p\n    title: P\n    status: proposed\n"
            "    opponents: [borduria, borduria]\n",
            "b.yml:14:27: proposals[1].opponents[2]: 'borduria' is already listed at "
            "proposals[1].opponents[1]; remove this one",
        ),
        (
            "events:\n  - date: 2025-01-01\n    what: W\n    actors:\n      - ruritania\n"
            "      - ruritania\n",
            "b.yml:15:9: events[1].actors[2]: 'ruritania' is already listed at "
            "events[1].actors[1]; remove this one",
        ),
        (
            "related: [a, a]\n",
            "b.yml:10:14: related[2]: 'a' is already listed at related[1]; remove this one",
        ),
    ],
)
def test_an_id_listed_twice_is_an_error_at_the_second(tmp_path, extra, expected):
    checked = check_folder(tmp_path, {"b.yml": CITED + extra, "a.yml": MINIMAL})
    assert problems(checked) == [expected]


# --- Links to briefs the published site leaves out -----------------------------------


def test_links_to_held_back_briefs_warn_only_when_the_link_would_be_dropped(tmp_path):
    linking = CITED + "related: [plans, later, earlier]\n"
    files = {
        "b.yml": linking,
        "draft-b.yml": linking + "draft: true\n",
        "plans.yml": MINIMAL + "draft: true\n",
        "later.yml": MINIMAL.replace("2025-01-01", "2999-01-02"),
        "earlier.yml": MINIMAL.replace("2025-01-01", "2999-01-01"),
        "c.yml": CITED.replace("2025-01-01", "2999-01-05") + "related: [later]\n",
    }
    checked = check_folder(tmp_path, files)
    assert problems(checked) == [
        "b.yml:10:11: warning: related[1]: 'plans' is a draft: the published site drops this "
        "link until it is published; publish 'plans' (remove its 'draft: true'), or remove "
        "the link",
        "b.yml:10:18: warning: related[2]: 'later' is embargoed until 2999-01-02: the "
        "published site drops this link until then; the link comes back by itself once "
        "'later' is published",
        "b.yml:10:25: warning: related[3]: 'earlier' is embargoed until 2999-01-01: the "
        "published site drops this link until then; the link comes back by itself once "
        "'earlier' is published",
    ]


# --- Template placeholders -----------------------------------------------------------


def test_the_untouched_template_passes_as_a_draft_and_is_refused_once_published(tmp_path):
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(FIXTURES / "valid" / "actors.yml", folder / "actors.yml")
    path = scaffold.new_brief(folder, "Patrols begin", today=dt.date(2025, 5, 10))
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    assert problems(pipeline.check(settings)) == []
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    name = path.name
    placeholder = (
        "is the template's placeholder; write what the sources say, or remove it; "
        "only a draft may keep placeholders"
    )
    assert problems(pipeline.check(settings)) == [
        f"{name}:24:10: summary: 'The bottom line in one to three …' {placeholder}",
        f"{name}:31:11: key_points[1].text: 'One essential fact per point, as your …' "
        f"{placeholder}",
        f"{name}:45:14: sections[1].heading: 'Heading of the section' {placeholder}",
        f"{name}:46:11: sections[1].text: 'First paragraph of the section. Wrap …' {placeholder}",
        f"{name}:130:13: sources[1].outlet: 'Name of the outlet' {placeholder}",
        f"{name}:131:10: sources[1].url: 'https://example.org/article' is the template's "
        "example address; give the real address, or remove it; only a draft may keep "
        "placeholders",
    ]


def test_an_example_address_in_a_link_is_refused_but_made_up_outlets_pass(tmp_path):
    brief = (
        CITED.replace("summary: S", "summary: See [the report](https://www.example.com/report).")
        + "    url: https://gazette.example.org/a\n"
    )
    checked = check_folder(tmp_path, {"b.yml": brief})
    assert problems(checked) == [
        "b.yml:3:10: summary: 'https://www.example.com/report' is the template's example "
        "address; give the real address, or remove it; only a draft may keep placeholders"
    ]


# --- YAML messages that name the real fix ------------------------------------------------


def test_text_after_a_closing_quote_says_so(tmp_path):
    brief = MINIMAL + (
        'quotes:\n  - text: "a quoted phrase" — Speaker Name\n    speaker: alice-example\n'
        "    source: src\n"
    )
    checked = check_folder(tmp_path, {"b.yml": brief})
    assert problems(checked) == [
        "b.yml:8:29: YAML syntax error: did not find expected key; the text after the closing "
        "quote is not part of the value; put the whole value in quotes, or write it on the "
        "next line after '>-'"
    ]


def test_a_plain_key_point_followed_by_sources_names_the_text_form(tmp_path):
    brief = MINIMAL + "key_points:\n  - A plain point\n    sources: [src]\n"
    checked = check_folder(tmp_path, {"b.yml": brief})
    assert problems(checked) == [
        "b.yml:9:12: YAML syntax error: mapping values are not allowed in this context; an "
        "item with 'sources' is a mapping, not plain text: write '- text: …' and put "
        "'sources: […]' under it, lined up with 'text'"
    ]


def test_a_colon_in_a_plain_value_keeps_its_hint(tmp_path):
    checked = check_folder(tmp_path, {"b.yml": MINIMAL + "tags: [a]\nnote: a: b\n"})
    assert problems(checked) == [
        "b.yml:8:8: YAML syntax error: mapping values are not allowed in this context; a value "
        "that contains ': ' must be put in quotes"
    ]


def test_the_placeholders_are_the_templates(tmp_path):
    """Each placeholder is text the template of ``briefings new`` really carries."""
    template = (Path(scaffold.__file__).parent / scaffold.TEMPLATE).read_text(encoding="utf-8")
    folded = " ".join(template.replace("#", " ").split())
    assert [p for p in PLACEHOLDERS if p.split(" A blank")[0] not in folded] == []


def test_an_unknown_id_listed_twice_is_unknown_once_and_repeated_once(tmp_path):
    checked = check_folder(tmp_path, {"b.yml": CITED + "actors: [nobody, nobody]\n"})
    assert problems(checked) == [
        "b.yml:10:10: actors[1]: unknown actor 'nobody'; add the actor to briefings/actors.yml, "
        "or fix the id",
        "b.yml:10:18: actors[2]: 'nobody' is already listed at actors[1]; remove this one",
    ]
