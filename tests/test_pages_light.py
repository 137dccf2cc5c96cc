"""Every page stays light however many briefs there are (issue 15, item 2).

One synthetic site (the benchmark's corpus, a few dozen briefs) is built with tiny
page sizes, so that its listings split and paginate as 10,000 briefs would at the
real sizes; the assertions read the built HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from benchmarks.corpus import write_corpus
from generator import pictures, pipeline, render
from generator.index import Index, build_index
from tests.conftest import make_project

BOUND = 150_000
"""The heaviest an HTML page may be, in bytes."""

SIZES = {
    "PAGE_SIZE": 3,
    "LIST_PAGE_SIZE": 4,
    "MONTH_PAGE_SIZE": 4,
    "TIMELINE_PAGE_SIZE": 3,
    "STATUS_PAGE_SIZE": 2,
    "BOARD_LIMIT": 2,
    "PAGINATION_WINDOW": 1,
    "NAMES_PAGE_SIZE": 5,
}
"""Page sizes small enough for a few dozen briefs to fill several pages of each listing."""


@pytest.fixture(scope="module")
def light(tmp_path_factory) -> tuple[Path, Index]:
    """The built site and the index it was built from."""
    root = tmp_path_factory.mktemp("light")
    write_corpus(root / "corpus", 30, seed=7)
    settings = make_project(root / "project", root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SIZES.items():
            patch.setattr(render, name, value)
        built = pipeline.build(settings)
    checked = pipeline.check(settings)
    index = build_index(checked.briefs, checked.actors, settings.related, checked.places)
    return built.site_dir.resolve(), index


def page(site: Path, address: str) -> BeautifulSoup:
    """The built page served at ``address`` ('actors/x/', 'actors/x/page/2/')."""
    file = site / address / "index.html"
    assert file.is_file(), f"no page at /{address}"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def resolve(address: str, href: str) -> str:
    """The address a relative link on the page at ``address`` leads to, as 'a/b/'."""
    path = Path("/" + address) / unquote(urlsplit(href).path)
    parts: list[str] = []
    for part in path.parts[1:]:
        if part == "..":
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts) + "/" if parts else ""


def pages_of(site: Path, address: str) -> list[tuple[str, BeautifulSoup]]:
    """Every page of the listing whose first page is at ``address``, checking its pagination.

    Each page's navigation is a ``nav`` with an ``aria-label``; it marks the page
    itself as the current one, and its 'Next' link leads to the following page.
    """
    first = page(site, address)
    nav = first.select_one("nav.pagination")
    if nav is None:
        return [(address, first)]
    count = max(int(a.get_text()) for a in nav.select("a.pagination__page"))
    found = []
    for number in range(1, count + 1):
        here = address if number == 1 else f"{address}page/{number}/"
        soup = first if number == 1 else page(site, here)
        nav = soup.select_one("nav.pagination")
        assert nav is not None and nav.get("aria-label"), here
        current = nav.select('[aria-current="page"]')
        assert [a.get_text() for a in current] == [str(number)], here
        for link in nav.select("a"):
            target = resolve(here, link["href"])
            assert (site / target / "index.html").is_file(), (here, link["href"])
        following = nav.select_one('a[rel="next"]')
        if number < count:
            assert following is not None and resolve(here, following["href"]) == (
                f"{address}page/{number + 1}/"
            )
        else:
            assert following is None
        found.append((here, soup))
    return found


def stable_pages_of(
    site: Path, address: str, series: str = "", title: str = ""
) -> list[tuple[str, BeautifulSoup]]:
    """Every page of a stably paginated list, newest first, checking its steps.

    A listing of several lists (an actor's quotes, events, briefings …) has older
    pages for each under its name, ``series`` (``actors/x/events/page/N/``), and a
    navigation for each, labelled with its ``title``.

    The first page is at ``address``; its 'Older' link leads to the newest older
    page, and each older page's to the next older, down to ``page/1/``, the oldest.
    On each, the page itself is the link marked current, 'Newer' leads back to the
    page walked before it, 'Newest' to the first and 'Oldest' to ``page/1/``, and
    every link of the navigation leads to a page that exists.
    """
    found: list[tuple[str, BeautifulSoup]] = []
    here: str | None = address
    home = f"{address}{series}/" if series else address
    label = f"Pages of the {title or series}" if series else "Pages of this list"
    while here is not None:
        assert here not in {a for a, _ in found}, here
        soup = page(site, here)
        nav = soup.select_one(f'nav.pagination[aria-label="{label}"]')
        if nav is None:
            assert here == address, here
            return [(address, soup)]
        assert nav.get("aria-label"), here
        for link in nav.select("a"):
            assert (site / resolve(here, link["href"]) / "index.html").is_file(), (here, link)
        current = nav.select('[aria-current="page"]')
        assert [resolve(here, a["href"]) for a in current] == [here], here
        steps = {a.get_text(): resolve(here, a["href"]) for a in nav.select("a")}
        assert steps["Newest"] == address, here
        assert "page " not in soup.title.get_text().lower(), here  # no "page k of M"
        newer = nav.select_one('a[rel="prev"]')
        if found:
            assert newer is not None and resolve(here, newer["href"]) == found[-1][0], here
            assert here.startswith(f"{home}page/"), here
        else:
            assert newer is None
        if here != f"{home}page/1/":
            assert steps["Oldest"] == f"{home}page/1/", here
        older = nav.select_one('a[rel="next"]')
        found.append((here, soup))
        here = resolve(here, older["href"]) if older is not None else None
    assert found[-1][0] == f"{home}page/1/"
    numbers = [int(a.rstrip("/").rsplit("/", 1)[1]) for a, _ in found[1:]]
    assert numbers == list(range(len(numbers), 0, -1))  # N counted from the oldest
    return found


def brief_slugs(container: Tag | None) -> list[str]:
    """The briefings a part of a page links to, by slug, in order (links to anchors too)."""
    if container is None:
        return []
    slugs = []
    for link in container.select("a[href]"):
        parts = [p for p in urlsplit(link["href"]).path.split("/") if p not in ("", "..", ".")]
        if len(parts) == 2 and parts[0] == "briefings":
            slugs.append(parts[1])
    return slugs


def section_after(soup: BeautifulSoup, heading_id: str) -> Tag | None:
    """The list right after the heading ``heading_id``, if the page has that heading."""
    heading = soup.find(id=heading_id)
    return heading.find_next_sibling(["ul", "ol"]) if heading else None


def article(soup: BeautifulSoup) -> Tag:
    found = soup.select_one("article")
    assert found is not None
    return found


def test_no_page_is_heavier_than_the_bound(light):
    site, _ = light
    sizes = {p: p.stat().st_size for p in site.rglob("*.html")}
    assert len(sizes) > 100
    heavy = {str(p.relative_to(site)): s for p, s in sizes.items() if s > BOUND}
    assert heavy == {}


def test_an_actors_briefings_are_each_on_exactly_one_of_its_pages(light):
    site, index = light
    actor = max(index.appearances, key=lambda a: len(index.appearances[a]))
    pages = stable_pages_of(site, f"actors/{actor}/", "briefings")
    assert len(pages) > 2
    listed = Counter(s for _, soup in pages for s in brief_slugs(section_after(soup, "briefings")))
    assert set(listed) == {e.slug for e in index.appearances[actor]}
    assert set(listed.values()) == {1}
    events = [
        li
        for _, soup in stable_pages_of(site, f"actors/{actor}/", "events")
        if (listed_events := section_after(soup, "events")) is not None
        for li in listed_events.find_all("li", recursive=False)
    ]
    assert len(events) == len(index.events_by_actor.get(actor, []))


def test_a_topics_briefings_are_each_on_exactly_one_of_its_pages(light):
    site, index = light
    tag = max(index.by_tag, key=lambda t: len(index.by_tag[t]))
    pages = stable_pages_of(site, f"topics/{tag.slug}/")
    assert len(pages) > 1
    listed = Counter(s for _, soup in pages for s in brief_slugs(article(soup).select_one("ul")))
    assert set(listed) == {e.slug for e in index.by_tag[tag]}
    assert set(listed.values()) == {1}


def test_each_month_of_the_archive_holds_exactly_that_months_briefings(light):
    site, index = light
    months = page(site, "archive/")
    linked = [resolve("archive/", a["href"]) for a in article(months).select("li a")]
    assert linked == [f"archive/{m}/" for m in index.by_month]
    for month, entries in index.by_month.items():
        pages = pages_of(site, f"archive/{month}/")
        listed = [s for _, soup in pages for s in brief_slugs(article(soup).select_one("ul"))]
        assert listed == [e.slug for e in entries], month  # newest first, each once
    newest, older = list(index.by_month)[:2]
    steps = page(site, f"archive/{newest}/").select_one("nav.month-steps")
    assert resolve(f"archive/{newest}/", steps.select_one('a[rel="prev"]')["href"]) == (
        f"archive/{older}/"
    )
    home = page(site, "")
    assert "archive/" in {resolve("", a["href"]) for a in home.select("a[href]")}


def test_each_month_of_the_timeline_holds_exactly_that_months_events(light):
    site, index = light
    front = page(site, "timeline/")
    linked = [resolve("timeline/", a["href"]) for a in front.select(".month-index a")]
    assert linked == [f"timeline/{m}/" for m in index.timeline_by_month]
    for month, items in index.timeline_by_month.items():
        pages = pages_of(site, f"timeline/{month}/")
        anchors = [
            e["id"]
            for _, soup in pages
            for e in article(soup).select("li[id^=event-], li [id^=event-]")
        ]
        assert anchors == [pictures.event_anchor(i.event) for i in items], month
        assert all(f"{i.event.date.year:04d}-{i.event.date.month:02d}" == month for i in items)
    busiest = max(index.timeline_by_month, key=lambda m: len(index.timeline_by_month[m]))
    assert len(pages_of(site, f"timeline/{busiest}/")) > 1
    assert page(site, f"timeline/{busiest}/").select_one("figure svg") is not None


def test_each_speakers_page_holds_exactly_their_quotes(light):
    site, index = light
    rows = {
        li["id"]: resolve(address, li.select_one("a")["href"])
        for address, soup in pages_of(site, "quotes/")
        for li in article(soup).select("li[id]")
    }
    assert set(rows) == {*index.quotes_by_speaker, "anonymous"}
    for speaker, refs in [*index.quotes_by_speaker.items(), (None, index.anonymous_quotes)]:
        address = f"quotes/{speaker or 'anonymous'}/"
        assert rows[speaker or "anonymous"] == address
        found = [
            (s, urlsplit(a["href"]).fragment)
            for _, soup in stable_pages_of(site, address)
            for a in article(soup).select("li a[href*='#quote-']")
            for s in brief_slugs(a.parent)
        ]
        assert found == [(r.slug, f"quote-{r.number}") for r in refs], speaker


def test_long_tracker_columns_link_to_their_status_pages_which_hold_every_card(light):
    site, index = light
    board = page(site, "proposals/")
    split = [s for s, items in index.proposals_by_status.items() if len(items) > 2]
    assert split
    for status in split:
        column = board.select_one(f".board__column--{status.value}")
        assert len(column.select(".board-card")) == 2
        more = column.select_one(".board__more a")
        assert resolve("proposals/", more["href"]) == f"proposals/{status.value}/"
        cards = [
            h["id"]
            for _, soup in stable_pages_of(site, f"proposals/{status.value}/")
            for h in soup.select(".board-card h3[id]")
        ]
        assert cards == [f"proposal-{t.id}" for t in index.proposals_by_status[status]]


def test_whos_who_names_every_actor_on_exactly_one_of_its_pages(light):
    site, index = light
    pages = pages_of(site, "actors/")
    assert len(pages) > 2
    assert pages[1][0] == "actors/page/2/"
    named = Counter(
        resolve(address, a["href"])
        for address, soup in pages
        for a in article(soup).select("li > a:first-child, li > p > a:first-child")
    )
    assert set(named) == {f"actors/{a}/" for a in index.actors}
    assert set(named.values()) == {1}


def test_questions_are_each_on_exactly_one_page(light):
    site, index = light
    open_ = stable_pages_of(site, "questions/", "open", "open questions")
    answered = stable_pages_of(site, "questions/", "answered", "answered questions")
    assert len(open_) > 1
    pages = open_ + answered[1:]  # the first page is in both
    asked = Counter(
        li.get_text(" ", strip=True).split(" — ")[0]
        for _, soup in pages
        for li in article(soup).select("li")
    )
    assert sum(asked.values()) == len(index.questions)


def test_page_helpers_give_predictable_addresses():
    assert render.page_path("actors/nato.md", 1) == "actors/nato.md"
    assert render.page_path("actors/nato.md", 3) == "actors/nato/page/3.md"
    assert render.page_path("actors/index.md", 2) == "actors/page/2.md"
    assert render.address(render.page_path("topics/drones.md", 2)) == "/topics/drones/page/2/"
    assert render.address(render.archive_path("2025-03")) == "/archive/2025-03/"
    assert render.address(render.timeline_month_path("2025-03")) == "/timeline/2025-03/"
    assert render.address(render.speaker_path(None)) == "/quotes/anonymous/"


def test_pagination_links_the_first_the_last_and_the_pages_around_this_one():
    pager = render.Pager("topics/x.md", 7, 20)
    assert pager.numbers() == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert render.Pager("topics/x.md", 1, 3).numbers() == [1, 2, 3]
    assert render.Pager("topics/x.md", 2, 9).suffix == " (page 2 of 9)"


def test_stable_blocks_are_counted_from_the_oldest():
    items = list(range(11, 0, -1))  # newest first: 11 is the newest, 1 the oldest
    assert render.older_count([items], 3) == 2
    assert render.first_part(items, 3) == [11, 10, 9, 8, 7]  # block 3 and the two after it
    assert render.block_part(items, 2, 3) == [6, 5, 4]
    assert render.block_part(items, 1, 3) == [3, 2, 1]
    assert render.block_part(items, 3, 3) == []  # on the first page
    assert [render.block_of(11, p, 3) for p in range(11)] == [0] * 5 + [2] * 3 + [1] * 3
    story = items[::-1]  # a story's briefings are oldest first
    assert render.first_part(story, 3, oldest_first=True) == [7, 8, 9, 10, 11]
    assert render.block_part(story, 1, 3, oldest_first=True) == [1, 2, 3]
    assert render.first_part([5, 4, 3, 2, 1], 3) == [5, 4, 3, 2, 1]
    assert render.older_count([[3, 2, 1], []], 3) == 0
    assert render.first_part(items[:6], 3) == [11, 10, 9]  # two full blocks: one is older
    assert render.block_path("actors/nato.md", 1) == "actors/nato/page/1.md"
    assert render.address(render.block_path("topics/x.md", 2)) == "/topics/x/page/2/"
    quotes = render.series_path("actors/nato.md", "quotes")
    assert render.address(render.block_path(quotes, 1)) == "/actors/nato/quotes/page/1/"
    assert render.block_path(render.series_path("questions.md", "open"), 3) == (
        "questions/open/page/3.md"
    )


def test_a_first_page_holds_a_full_block_and_what_follows_and_older_pages_a_block(light):
    site, index = light
    size = SIZES["LIST_PAGE_SIZE"]
    tag = max(index.by_tag, key=lambda t: len(index.by_tag[t]))
    pages = stable_pages_of(site, f"topics/{tag.slug}/")
    counts = [
        len(article(soup).select_one("ul").find_all("li", recursive=False)) for _, soup in pages
    ]
    assert size <= counts[0] <= 2 * size - 1
    assert counts[1:] == [size] * (len(pages) - 1)
    for _, soup in pages[1:]:  # named by what they hold: '<topic>, March - April 2019'
        title = soup.title.get_text()
        assert title.startswith(f"{tag.name}, "), title
        assert re.search(r"\b(19|20)\d\d\b", title) and "page" not in title.lower(), title


def test_every_card_link_leads_to_the_page_that_holds_the_card(light):
    """The front page links cards past the board's to their status's pages (any block)."""
    site, index = light
    home = page(site, "")
    links = [a for a in home.select("a[href*='#proposal-']") if "proposals/" in a["href"]]
    assert links
    for a in links:
        target = resolve("", a["href"])
        anchor = urlsplit(a["href"]).fragment
        assert page(site, target).find(id=anchor) is not None, a["href"]
    for status, items in index.proposals_by_status.items():
        if len(items) <= SIZES["BOARD_LIMIT"]:
            continue
        with pytest.MonkeyPatch.context() as patch:
            for name, value in SIZES.items():
                patch.setattr(render, name, value)
            renderer = render.Renderer(index, None)  # type: ignore[arg-type]
            for position, tracked in enumerate(items):
                path = renderer._card_page(status, position)
                soup = page(site, render.address(path).strip("/") + "/")
                assert soup.find(id=f"proposal-{tracked.id}") is not None, (status, position, path)
