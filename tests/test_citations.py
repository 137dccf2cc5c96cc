"""Citations as the render stage writes them (issue 14): real brackets, a title that
names the source, an id per citation on its own page, author text kept as text."""

from __future__ import annotations

import markdown
from bs4 import BeautifulSoup

from generator import models
from generator.index import Index
from generator.render import _PageHelpers, source_label

EXTENSIONS = ["attr_list", "md_in_html"]


def brief(**sources: dict) -> models.Brief:
    return models.Brief.model_validate(
        {
            "title": "T",
            "date": "2025-03-10",
            "summary": "S",
            "sources": [{"id": key, **value} for key, value in sources.items()],
        }
    )


def html(text: str) -> BeautifulSoup:
    return BeautifulSoup(markdown.markdown(f"Closed.{text}", extensions=EXTENSIONS), "lxml")


def test_a_citation_is_a_bracketed_number_with_the_source_in_its_title():
    b = brief(
        gazette={"outlet": "The Gazette", "title": "Border shut", "date": "2025-03-09"},
        courier={"outlet": "Courier", "date": "2025-03"},
    )
    helpers = _PageHelpers("briefings/t.md", Index(entries=[], actors={}))
    links = html(helpers.cite(b, ["courier", "gazette", "courier"])).select("a.cite")
    assert [(a.get_text(), a["href"], a["id"], a["title"]) for a in links] == [
        ("[1]", "#source-gazette", "cite-1", "Source 1: The Gazette, “Border shut”, 9 March 2025"),
        ("[2]", "#source-courier", "cite-2", "Source 2: Courier, March 2025"),
    ]
    assert html(helpers.cite(b, ["gazette"])).p.get_text() == "Closed.[1]"
    assert html(helpers.cite(b, ["gazette"])).select_one("a.cite")["id"] == "cite-4"


def test_a_citation_on_another_page_links_to_the_brief_and_takes_no_id():
    b = brief(gazette={"outlet": "The Gazette"})
    helpers = _PageHelpers("actors/a.md", Index(entries=[], actors={}))
    link = html(helpers.cite(b, ["gazette"], slug="t")).select_one("a.cite")
    assert (link["href"], link.get("id"), link["title"]) == (
        "../briefings/t.md#source-gazette",
        None,
        "Source 1: The Gazette",
    )


def test_hostile_source_text_stays_text_in_the_title():
    outlet = 'Gazette" onmouseover="alert(1)'
    headline = "} { .x #y } <b>[1](javascript:alert(2))</b>"
    b = brief(gazette={"outlet": outlet, "title": headline})
    helpers = _PageHelpers("briefings/t.md", Index(entries=[], actors={}))
    page = html(helpers.cite(b, ["gazette"]))
    (link,) = page.select("a")
    assert link["title"] == f"Source 1: {outlet}, “{headline}”"
    assert sorted(link.attrs) == ["class", "href", "id", "title"]
    assert link["class"] == ["cite"]


def test_source_label_leaves_out_what_the_brief_does_not_give():
    assert source_label(models.Source(id="a", outlet="Reuters")) == "Reuters"
