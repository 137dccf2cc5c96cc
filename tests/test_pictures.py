"""Pictures: the strip charts, maps and social cards that a build draws.

The synthetic briefs of tests/fixtures/pictures are built once with the real
theme; each SVG is read back from the HTML and its marks are counted against
the data: one bar per event in a strip, one marker per event placed on the
map, one card per briefing at 1200x630 that ``og:image`` points to.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from generator import cards, pictures, pipeline
from generator.errors import BuildError
from generator.index import build_index
from generator.models import Event, PartialDate
from tests.conftest import FIXTURES, make_project

pytestmark = pytest.mark.build

XLINK = "xlink:href"
SITE_URL = "https://briefings.example.org/"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The picture fixtures built into a site, and their index."""
    settings = make_project(tmp_path_factory.mktemp("pictures"), FIXTURES / "pictures")
    result = pipeline.build(settings)
    checked = pipeline.check(settings)
    index = build_index(checked.briefs, checked.actors, settings.related, checked.places)
    return settings, result.site_dir, index


def soup_of(site: Path, address: str) -> BeautifulSoup:
    return BeautifulSoup((site / address / "index.html").read_text("utf-8"), "lxml")


def strip_marks(soup: BeautifulSoup) -> list:
    return soup.select("svg.picture-strip .strip-mark")


def map_markers(soup: BeautifulSoup) -> list:
    return soup.select("svg.picture-map a.map-marker")


def placed(events: list[Event], index) -> list[Event]:
    """The events with a place on the map of Europe."""
    return [
        e
        for e in events
        if any(
            pictures.on_map(index.places[p].latitude, index.places[p].longitude)
            for p in e.places
            if p in index.places
        )
    ]


def assert_links_resolve(soup: BeautifulSoup) -> None:
    """Every mark links to an element of the same page."""
    ids = {tag["id"] for tag in soup.select("[id]")}
    targets = [a[XLINK] for a in soup.select("svg a")]
    assert targets
    assert [t for t in targets if not t.startswith("#") or t[1:] not in ids] == []


def test_each_briefing_draws_one_bar_per_event_and_one_marker_per_placed_event(built):
    _, site, index = built
    for entry in index.entries:
        soup = soup_of(site, f"briefings/{entry.slug}")
        events = entry.brief.events
        assert len(strip_marks(soup)) == len(events), entry.slug
        assert len(map_markers(soup)) == len(placed(events, index)), entry.slug
        assert_links_resolve(soup)
        listed = soup.select(".picture-data li[id]")
        assert sorted(li["id"] for li in listed) == sorted(pictures.event_anchor(e) for e in events)


def test_the_site_timeline_and_each_story_draw_one_bar_per_entry(built):
    _, site, index = built
    assert index.timeline_by_month
    for month, items in index.timeline_by_month.items():  # one page per month
        soup = soup_of(site, f"timeline/{month}")
        assert len(strip_marks(soup)) == len(items), month
        assert_links_resolve(soup)
    assert index.threads
    for thread in index.threads.values():
        soup = soup_of(site, f"threads/{thread.id}")
        assert len(strip_marks(soup)) == len(thread.timeline)
        assert_links_resolve(soup)


def test_the_map_page_and_place_pages_draw_one_marker_per_placed_event(built):
    _, site, index = built
    soup = soup_of(site, "map")
    expected = placed([item.event for item in index.timeline], index)
    assert len(map_markers(soup)) == len(expected) == 6
    assert_links_resolve(soup)
    for place_id, items in index.events_by_place.items():
        soup = soup_of(site, f"places/{place_id}")
        markers = map_markers(soup)
        assert len(markers) == len(placed([i.event for i in items], index)), place_id
        if markers:
            assert_links_resolve(soup)


def test_the_places_index_maps_each_place_and_links_its_page(built):
    _, site, index = built
    soup = soup_of(site, "places")
    markers = map_markers(soup)
    on_map = [p for p in index.places.values() if pictures.on_map(p.latitude, p.longitude)]
    assert len(markers) == len(on_map) == 3
    for marker in markers:
        assert (site / "places" / marker[XLINK] / "index.html").is_file(), marker[XLINK]


def test_bars_show_how_precise_each_date_is(built):
    _, site, _ = built
    soup = soup_of(site, "briefings/border-incidents")
    kinds = {
        a[XLINK]: a.select_one(".strip-mark")["class"][1]
        for a in soup.select("svg.picture-strip a")
    }
    assert kinds["#event-day-event"] == "strip-mark--day"
    assert kinds["#event-month-event"] == "strip-mark--month"
    assert kinds["#event-range-event"] == "strip-mark--range"
    widths = {
        a[XLINK]: float(a.select_one(".strip-mark")["width"])
        for a in soup.select("svg.picture-strip a")
    }
    assert widths["#event-month-event"] > widths["#event-range-event"] > widths["#event-day-event"]


def test_a_strip_keeps_eight_lanes_and_folds_the_rest_into_others(built):
    _, site, _ = built
    soup = soup_of(site, "briefings/many-actors")
    labels = [t.get_text() for t in soup.select("svg.picture-strip .strip-label")]
    assert len(labels) == pictures.MAX_LANES + 1
    assert labels[-1] == "Others"


def test_pictures_have_a_text_alternative_and_escape_author_text(built):
    _, site, _ = built
    html = (site / "briefings" / "border-incidents" / "index.html").read_text("utf-8")
    soup = BeautifulSoup(html, "lxml")
    for svg in soup.select("figure.picture svg"):
        assert svg["role"] == "img"
        assert svg["aria-label"] and svg.find("title").get_text() == svg["aria-label"]
    assert "<b>the border</b>" not in html  # author text stays text, in tooltips too
    titles = [t.get_text() for t in soup.select("svg.picture-strip a title")]
    assert "5 March 2025: A drone crossed <b>the border</b> at Strelsau." in titles
    assert "&lt;script&gt;" in str(soup.select_one('meta[property="og:image:alt"]'))


def test_the_map_stays_small(built):
    _, site, _ = built
    soup = soup_of(site, "map")
    svg = str(soup.select_one("svg.picture-map"))
    assert len(svg.encode()) < 60_000
    assert len(pictures.base_map(pictures.project_atlas(built[0].root))) > 5_000  # real coastlines


def test_every_briefing_has_a_1200_by_630_card_that_og_image_points_to(built):
    _, site, index = built
    for entry in index.entries:
        card = site / "cards" / f"{entry.slug}.png"
        with Image.open(card) as image:
            assert image.size == (1200, 630)
            assert image.format == "PNG"
        soup = soup_of(site, f"briefings/{entry.slug}")
        og = soup.select_one('meta[property="og:image"]')["content"]
        assert og == f"{SITE_URL}cards/{entry.slug}.png"
        assert soup.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"
        assert soup.select_one('meta[name="twitter:image"]')["content"] == og
    assert soup_of(site, "timeline").select_one('meta[property="og:image"]') is None


def test_cards_are_written_only_when_their_inputs_change(built):
    settings, _, _ = built
    again = pipeline.generate(settings)
    assert not [p for p in again.stats.written if p.startswith("cards/")]
    assert sorted(p for p in again.stats.unchanged if p.startswith("cards/")) == [
        "cards/border-incidents.png",
        "cards/follow-up.png",
        "cards/many-actors.png",
    ]


def test_a_long_title_shrinks_then_ends_in_an_ellipsis():
    face = cards.fonts().titles[-1]
    width = cards.SIZE[0] - 2 * cards.MARGIN
    words = "A very long title about many countries " * 8
    lines = cards.fit(cards.wrap(words, face, width), cards.TITLE_LINES, face, width)
    assert len(lines) == cards.TITLE_LINES
    assert lines[-1].endswith(" …")
    assert all(face.length(line) <= width for line in lines)
    unbroken = cards.wrap("x" * 300, face, width)
    assert len(unbroken) > 1 and all(face.length(line) <= width for line in unbroken)


def test_a_card_is_the_same_bytes_each_time_and_a_real_png():
    args = ("Title", "Bottom line.", "Published 1 May 2025", "Briefings")
    first = cards.card_png(*args)
    assert first == cards.card_png(*args)
    assert first != cards.card_png("Another title", *args[1:])
    with Image.open(io.BytesIO(first)) as image:
        assert image.size == (1200, 630)


def test_missing_map_data_says_to_run_make_site(tmp_path):
    with pytest.raises(BuildError) as caught:
        pictures.atlas_path([tmp_path])
    assert str(caught.value) == (
        f"the map data is missing (looked for {tmp_path}/node_modules/world-atlas/"
        "countries-50m.json); run `make site`, which installs it with npm (package world-atlas)"
    )


def test_a_missing_font_says_to_run_make_site(tmp_path):
    with pytest.raises(BuildError) as caught:
        cards.font_path("DejaVuSans.ttf", [tmp_path])
    assert str(caught.value) == (
        f"the social cards' font DejaVuSans.ttf is missing (looked in {tmp_path}); "
        "run `make site`, which installs Debian's fonts-dejavu-core"
    )


def test_anchors_are_stable_and_made_of_slug_characters():
    with_id = Event.model_validate({"id": "x-1", "date": "2025-03", "what": "W", "sources": ["s"]})
    without = Event.model_validate({"date": "2025-03-04", "what": "W <b>", "sources": ["s"]})
    assert pictures.event_anchor(with_id) == "event-x-1"
    anchor = pictures.event_anchor(without)
    assert anchor == pictures.event_anchor(without.model_copy())
    assert re.fullmatch(r"event-2025-03-04-[0-9a-f]{8}", anchor)


def test_month_ticks_label_the_first_month_with_its_year():
    mark = pictures.Mark("event-a", "a", PartialDate(2025, 11, 3), PartialDate(2026, 2), (), ())
    svg = pictures.strip_svg([mark], {}, title="t")
    months = re.findall(r'class="strip-month"[^>]*>([^<]+)<', svg)
    assert months == ["Nov 2025", "Dec", "Jan 2026", "Feb"]
