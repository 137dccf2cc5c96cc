"""The theme's own search UI on Pagefind's JS API, in Chromium.

What it keeps of a search (tests/test_browser.py and tests/test_search_browser.py
check the shortcuts, colours and the topic filter on the real briefs): a labelled
box, a live status, results as a list of links with the matched words marked,
author text as text. What it saves: no filter file until the reader opens the
filters, and the newest years first, the earlier ones merged when asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import pipeline
from tests.browser import harness
from tests.conftest import FIXTURES, make_project
from tests.test_browser import TIMEOUT_MS
from tests.test_search_incremental import chromium  # noqa: F401 (a fixture)

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the test extras install it
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.build]

WORD = "Zebulonq"
HOSTILE = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The valid fixtures, one brief's bottom line holding a word and text that looks like HTML."""
    settings = make_project(tmp_path_factory.mktemp("hostile"), FIXTURES / "valid")
    brief = settings.briefings_dir / "border-talks.yml"
    text = brief.read_text(encoding="utf-8")
    old = "after a series of incidents."
    assert old in text
    brief.write_text(text.replace(old, f"{old} {WORD} wrote {HOSTILE} twice."), encoding="utf-8")
    return pipeline.build(settings).site_dir


@pytest.fixture(scope="module")
def archive_site(tmp_path_factory) -> Path:
    """A synthetic archive of 40 briefs over ten years (benchmarks/corpus.py)."""
    from benchmarks.bench import _settings
    from benchmarks.bench import make_project as bench_project

    project = tmp_path_factory.mktemp("archive")
    bench_project(project, 40, 1)
    return pipeline.build(_settings(project)).site_dir


class Reader:
    """A page on the served site, recording the search's requests (its worker's too)."""

    def __init__(self, browser, url: str, viewport: dict[str, int]) -> None:
        self.url = url
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.fetched: list[str] = []
        self.errors: list[str] = []
        self.page.on("requestfinished", lambda r: self.fetched.append(r.url.removeprefix(url)))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def search(self, query: str):
        self.page.goto(self.url, wait_until="networkidle")
        self.page.locator("button.briefings-search-open").wait_for()  # the search's script ran
        self.page.keyboard.press("/")
        dialog = self.page.locator("dialog.briefings-search")
        box = dialog.get_by_role("searchbox", name="Search the briefings")
        expect(box).to_be_focused()
        box.press_sequentially(query)
        return dialog

    def bundles(self) -> set[str]:
        """The bundles whose index the search read."""
        return {p.split("/")[1] for p in self.fetched if re.match(r"pagefind/[^/]+/index/", p)}


@pytest.fixture
def reader(chromium) -> Iterator:  # noqa: F811 (the imported fixture)
    opened: list[Reader] = []
    servers = []

    def start(site: Path, viewport: dict[str, int] = harness.DESKTOP) -> Reader:
        server = harness.serve(site)
        servers.append(server)
        opened.append(Reader(chromium, server.__enter__(), viewport))
        return opened[-1]

    yield start
    for each in opened:
        each.context.close()
    for server in servers:
        server.__exit__(None, None, None)


def test_a_result_is_a_link_with_its_date_and_the_word_marked_and_author_html_is_text(
    hostile_site, reader
):
    session = reader(hostile_site, harness.PHONE)
    dialog = session.search(WORD)
    status = dialog.get_by_role("status")
    expect(status).to_have_text("1 result")
    results = dialog.locator("ol.briefings-search__results > li")
    expect(results).to_have_count(1)
    link = results.get_by_role("link")
    expect(link).to_have_text("Alliance weighs border patrols")
    expect(link).to_have_attribute("href", re.compile(r"/briefings/border-talks/$"))
    expect(results.locator(".briefings-search__date")).to_have_text("2 March 2025")
    excerpt = results.locator(".briefings-search__excerpt")
    expect(excerpt.locator("mark")).to_have_text([WORD])
    expect(excerpt).to_contain_text(f"{WORD} wrote {HOSTILE} twice.")
    # Text, not an element: nothing of it became HTML, nothing ran.
    assert excerpt.evaluate("e => [...e.querySelectorAll('*')].map(n => n.localName)") == ["mark"]
    assert session.page.evaluate("window.__pwned") is None
    # Keyboard: Tab from the box reaches the filters, then the result.
    session.page.keyboard.press("Tab")
    expect(dialog.locator("summary")).to_be_focused()
    session.page.keyboard.press("Tab")
    expect(link).to_be_focused()
    session.page.keyboard.press("Enter")
    expect(session.page).to_have_url(re.compile(r"/briefings/border-talks/$"))
    assert session.errors == []


def test_a_word_nowhere_says_no_results(hostile_site, reader):
    session = reader(hostile_site)
    dialog = session.search("qxzvqxzv")
    expect(dialog.get_by_role("status")).to_have_text("No results")
    expect(dialog.locator(".briefings-search__result")).to_have_count(0)
    assert session.errors == []


def test_filters_are_fetched_only_when_the_reader_opens_them(hostile_site, reader):
    session = reader(hostile_site)
    dialog = session.search("patrols")
    expect(dialog.get_by_role("status")).to_have_text(re.compile(r"^\d+ results$"))
    session.page.wait_for_load_state("networkidle")
    assert [p for p in session.fetched if "/index/" in p]  # the worker's requests are seen
    assert not [p for p in session.fetched if "/filter/" in p]
    assert not [p for p in session.fetched if "pagefind-ui" in p]
    everything = int(dialog.get_by_role("status").inner_text().split()[0])

    dialog.locator("summary", has_text="Filter").click()
    legends = dialog.locator(".briefings-search__group legend")
    expect(legends).to_have_text(["Topic", "Actor", "Year"])  # no story in the fixtures
    assert [p for p in session.fetched if "/filter/" in p]
    year = dialog.locator("fieldset", has=session.page.locator("legend", has_text="Year"))
    expect(year.get_by_role("checkbox")).to_have_count(1)
    # The counts are the query's: its briefings (all of 2025), not every page's.
    assert everything <= 10
    hrefs = dialog.locator(".briefings-search__link").evaluate_all(
        "links => links.map(link => new URL(link.href).pathname)"
    )
    found = len([h for h in hrefs if h.startswith("/briefings/")])
    assert 0 < found < 4  # of the four briefings
    expect(year.locator("label")).to_have_text(f"2025 ({found})")
    dialog.get_by_role("checkbox", name=re.compile(r"^Ruritania \(")).check()
    status = dialog.get_by_role("status")
    expect(status).not_to_have_text(f"{everything} results")
    narrowed = int(status.inner_text().split()[0])
    assert 0 < narrowed < everything
    # Only briefings carry filters: every result is a briefing.
    expect(dialog.locator(".briefings-search__link")).to_have_count(narrowed)
    hrefs = dialog.locator(".briefings-search__link").evaluate_all(
        "links => links.map(link => new URL(link.href).pathname)"
    )
    assert len(hrefs) == narrowed and all(h.startswith("/briefings/") for h in hrefs)
    assert session.errors == []


def test_the_newest_years_are_searched_first_and_earlier_ones_when_asked(archive_site, reader):
    session = reader(archive_site)
    years = sorted(
        (p.name for p in (archive_site / "pagefind").iterdir() if re.fullmatch(r"\d{4}", p.name)),
        reverse=True,
    )
    assert len(years) >= 5, years
    dialog = session.search("sources")  # every briefing's "Sources" heading
    results = dialog.locator(".briefings-search__result")
    expect(results).to_have_count(10)
    session.page.wait_for_load_state("networkidle")
    searched = sorted(session.bundles() - {"guide", "registry"}, reverse=True)
    # The newest years, as many as give ten results; not the earlier ones.
    assert searched == years[: len(searched)] and len(searched) < len(years)
    span = f"{searched[-1]}\N{EN DASH}{searched[0]}" if len(searched) > 1 else searched[0]
    scope = dialog.locator(".briefings-search__scope")
    expect(scope).to_contain_text(f"Showing the newest matches ({span}).")
    first = int(dialog.get_by_role("status").inner_text().split()[0])
    assert first >= 10

    scope.get_by_role("button", name="Search earlier years").click()
    expect(scope).to_be_hidden()
    status = dialog.get_by_role("status")
    expect(status).not_to_have_text(f"{first} results")
    assert int(status.inner_text().split()[0]) >= 40  # every briefing
    assert set(years) <= session.bundles()
    # Ten at a time: the next ten on request.
    expect(results).to_have_count(10)
    dialog.get_by_role("button", name="Show more results").click()
    expect(results).to_have_count(20)
    assert not [p for p in session.fetched if "/filter/" in p]
    assert session.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_search_has_no_serious_accessibility_violations(hostile_site, reader, scheme):
    session = reader(hostile_site, harness.PHONE)
    session.page.emulate_media(color_scheme=scheme)
    dialog = session.search("patrols")
    expect(dialog.locator(".briefings-search__result").first).to_be_visible()
    dialog.locator("summary", has_text="Filter").click()
    expect(dialog.locator(".briefings-search__group").first).to_be_visible()
    violations = harness.axe_violations(session.page)
    assert violations == [], harness.describe(violations, f"the search dialog ({scheme})")


def test_the_filters_are_those_of_the_years_searched_and_an_earlier_year_is_searched_when_ticked(
    archive_site, reader
):
    session = reader(archive_site)
    years = sorted(
        (p.name for p in (archive_site / "pagefind").iterdir() if re.fullmatch(r"\d{4}", p.name)),
        reverse=True,
    )
    dialog = session.search("sources")
    expect(dialog.locator(".briefings-search__result")).to_have_count(10)
    session.page.wait_for_load_state("networkidle")
    searched = session.bundles() - {"guide", "registry"}
    dialog.locator("summary", has_text="Filter").click()
    year = dialog.locator("fieldset", has=session.page.locator("legend", has_text="Year"))
    year.get_by_role("button", name=re.compile(r"^Show all")).click()
    # Every year is offered; those searched with their count, the others without.
    labels = year.locator("label")
    expect(labels).to_have_count(len(years))
    texts = labels.all_inner_texts()
    assert [t.split()[0] for t in texts] == years
    assert [bool(re.fullmatch(r"\d{4} \(\d+\)", t.strip())) for t in texts] == [
        y in searched for y in years
    ]
    filtered = {p.split("/")[1] for p in session.fetched if "/filter/" in p}
    assert filtered == searched  # the guide and registry have no filters
    oldest = years[-1]
    assert oldest not in searched
    year.get_by_role("checkbox", name=oldest).check()
    status = dialog.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^\d+ results?$"))
    expect(year.get_by_role("checkbox", name=re.compile(rf"^{oldest} \(\d+\)$"))).to_be_checked()
    assert oldest in session.bundles()
    count = int(re.search(r"\((\d+)\)", year.locator("label").last.inner_text()).group(1))
    expect(status).to_have_text(f"{count} result" + ("" if count == 1 else "s"))
    for href in dialog.locator(".briefings-search__link").evaluate_all(
        "links => links.map(link => new URL(link.href).pathname)"
    ):
        page = archive_site / href.strip("/") / "index.html"
        assert f'data-pagefind-filter="year">{oldest}<' in page.read_text(encoding="utf-8")
    assert session.errors == []
