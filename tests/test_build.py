"""End to end: a strict MkDocs build in a temporary folder, checked with a real HTML parser."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from generator.errors import BriefingsError, BuildError
from generator.load import load_yaml
from generator.models import ProposalStatus
from tests.conftest import FIXTURES, ROOT, make_project

pytestmark = pytest.mark.build


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "lxml")


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


UNRELATED = FIXTURES / "unrelated" / "lighthouse-keepers-strike.yml"
"""A new brief that shares no actor, topic or link with the real ones."""


@pytest.fixture(scope="module", params=["as published", "with an unrelated brief"])
def real(request, tmp_path_factory) -> tuple[Path, Path]:
    """The real briefs built once for the module: the site and the folder of briefs.

    The tests on them assert what holds for any brief, so they must also pass
    when an unrelated brief joins them.
    """
    folder = tmp_path_factory.mktemp("briefs") / "briefings"
    shutil.copytree(ROOT / "briefings", folder)
    if request.param != "as published":
        shutil.copy(UNRELATED, folder)
    settings = make_project(tmp_path_factory.mktemp("real"), folder)
    return pipeline.build(settings).site_dir, settings.briefings_dir


@pytest.fixture(scope="module")
def real_site(real) -> Path:
    return real[0]


def briefs(folder: Path) -> dict[str, dict]:
    """Each brief in ``folder`` by slug, as plain data."""
    return {
        p.stem: load_yaml(p).data
        for p in sorted(folder.glob("*.yml"))
        if p.name not in ("actors.yml", "places.yml")
    }


def words(text: str) -> str:
    return " ".join(text.split())


def test_home_lists_every_story_once_and_its_earlier_briefings_on_its_thread_page(real):
    real_site, folder = real
    slugs = sorted(briefs(folder))
    page = soup(real_site, "index.html")
    heads = page.select("article section.lead-story h2 a, article .story-card h3 a")
    listed = [a["href"].split("/")[-2] for a in heads if a["href"].startswith("briefings/")]
    assert len(listed) == len(set(listed))  # a story once, by its latest briefing
    earlier = []
    for a in page.select("article p.story-earlier a"):  # "N earlier briefings": the thread
        thread = soup(real_site, a["href"] + "index.html")
        items = thread.find(id="briefings").find_next("ol").find_all("li", recursive=False)
        shown = [li.a["href"].split("/")[-2] for li in items]
        assert listed.count(shown[-1]) == 1  # its latest briefing is the one on the home page
        earlier += shown[:-1]
        assert a.get_text().startswith(f"{len(shown) - 1} earlier briefing")
    assert sorted(listed + earlier) == slugs
    dates = [p.get_text() for p in page.select("article p.brief-meta")]
    assert len(dates) == len(listed)


def test_every_briefing_shows_each_of_its_proposals_with_its_status(real):
    real_site, folder = real
    for slug, brief in briefs(folder).items():
        page = soup(real_site, f"briefings/{slug}/index.html")
        shown = [
            (words(p.select_one("strong").get_text()), p.select_one("span.status").get_text())
            for p in page.select(".proposal-title")
        ]
        expected = [
            (words(p["title"]), ProposalStatus(p["status"]).label)
            for p in brief.get("proposals", [])
        ]
        assert shown == expected, slug


def test_every_quote_is_attributed_to_its_speaker_with_role_and_source(real):
    """A named speaker links to their page; an anonymous one is marked as such."""
    real_site, folder = real
    actors = load_yaml(folder / "actors.yml").data
    for slug, brief in briefs(folder).items():
        boxes = soup(real_site, f"briefings/{slug}/index.html").select("figure.quote")
        quotes = brief.get("quotes", [])
        assert len(boxes) == len(quotes), slug
        for box, quote in zip(boxes, quotes, strict=True):
            title = box.select_one("figcaption .quote-speaker").get_text()
            attribution = box.select_one("figcaption.quote-attribution")
            text = words(attribution.get_text())
            if quote.get("speaker"):
                assert title == actors[quote["speaker"]]["name"], slug
                link = attribution.select_one("a[href^='../../actors/']")
                assert link["href"] == f"../../actors/{quote['speaker']}/", slug
            else:
                assert title == words(quote["role"]), slug
                assert "Anonymous source" in text, slug
            if quote.get("role"):
                assert words(quote["role"]) in text, slug
            assert "Source: " in text, slug


def _links(site: Path):
    for html in sorted(site.rglob("*.html")):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        for anchor in page.select("article a[href]"):
            yield html, anchor["href"]


def test_every_link_in_every_article_resolves(real_site):
    broken = []
    ids: dict[Path, set[str]] = {}
    for html, href in _links(real_site):
        parts = urlsplit(href)
        if parts.scheme in ("http", "https"):
            continue
        assert not parts.scheme, f"{html}: unexpected link {href}"
        if parts.path.startswith("/"):  # the 404 page links from the site root
            target = (real_site / unquote(parts.path).lstrip("/")).resolve()
        else:
            target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{html.relative_to(real_site)} → {href}")
            continue
        if parts.fragment:
            if target not in ids:  # each page parsed once, however many links reach it
                page = BeautifulSoup(target.read_text(encoding="utf-8"), "lxml")
                ids[target] = {t["id"] for t in page.select("[id]")}
            if parts.fragment not in ids[target]:
                broken.append(f"{html.relative_to(real_site)} → {href} (no anchor)")
    assert broken == []


def test_every_briefing_has_its_title_description_and_article_type(real):
    real_site, folder = real
    for slug, brief in briefs(folder).items():
        page = soup(real_site, f"briefings/{slug}/index.html")
        assert page.title.get_text().startswith(words(brief["title"])), slug
        assert page.select_one('meta[name="description"]')["content"].strip(), slug
        assert page.select_one('meta[property="og:type"]')["content"] == "article", slug


HOSTILE_QUOTE = """\
title: Hostile <script>alert('title')</script>
date: 2025-06-01
summary: "Bottom line <img src=x onerror=alert(1)> [x](javascript:alert(2))"
quotes:
  - text: |-
      <script>alert(1)</script>
      !!! danger
    speaker: alice-example
    role: "Minister {: onclick=alert(3) }"
    source: gazette
sources:
  - id: gazette
    outlet: "Gazette | <b>bold</b>"
    url: https://gazette.example.org/a?x=1&y=<2>
"""


def test_hostile_quote_renders_as_literal_text_inside_its_box(tmp_path):
    folder = tmp_path / "briefs"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "hostile.yml").write_text(HOSTILE_QUOTE, encoding="utf-8")
    site = pipeline.build(make_project(tmp_path / "project", folder)).site_dir
    page = soup(site, "briefings/hostile/index.html")
    box = page.select_one("figure.quote")
    assert box.select_one("blockquote p.quote-text").get_text() == (
        "“<script>alert(1)</script> !!! danger”"
    )
    assert "Minister {: onclick=alert(3) }" in box.select_one("figcaption").get_text()
    article = page.select_one("article")
    assert article.select("script, img, iframe, style") == []
    assert not [t for t in article.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert not page.select(".admonition.danger")
    assert page.title.get_text().startswith("Hostile <script>alert('title')</script>")
    assert not [a for a in page.select("a[href]") if a["href"].startswith("javascript:")]


def test_failed_check_leaves_the_previous_site_untouched(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    pipeline.build(settings)
    before = digest(settings.site_dir)
    (settings.briefings_dir / "broken.yml").write_text("title: [\n", encoding="utf-8")
    with pytest.raises(BriefingsError):
        pipeline.build(settings)
    assert digest(settings.site_dir) == before


def test_failed_mkdocs_build_leaves_the_previous_site_untouched(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    pipeline.build(settings)
    before = digest(settings.site_dir)
    config = settings.config_file.read_text(encoding="utf-8")
    settings.config_file.write_text(config.replace("- Home: index.md", "- Home: missing.md"))
    with pytest.raises(BuildError, match=r"missing\.md"):
        pipeline.build(settings)
    assert digest(settings.site_dir) == before
    versions = sorted(p.name for p in (settings.root / ".site-builds").iterdir())
    assert versions == [".lock", settings.site_dir.resolve().name]


def _article_links(site: Path, page: Path) -> set[Path]:
    """Pages an article links to (not the site navigation), as files in the site."""
    html = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    found = set()
    for anchor in html.select("article a[href]"):
        parts = urlsplit(anchor["href"])
        if parts.scheme or not parts.path:
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        target = target / "index.html" if target.is_dir() else target
        if target.is_file():
            found.add(target)
    return found


def test_every_briefing_is_one_click_from_the_home_page_or_its_thread(real_site):
    home = (real_site / "index.html").resolve()
    briefings = {p.resolve() for p in (real_site / "briefings").glob("*/index.html")}
    assert briefings
    reached = _article_links(real_site, home)
    threads = {p for p in reached if p.parent.parent.name == "threads"}
    for thread in threads:  # a story's earlier briefings are listed on its thread page
        reached |= _article_links(real_site, thread)
    assert briefings - reached == set()


def test_actor_pages_list_all_their_quotes_across_briefings(real):
    real_site, folder = real
    expected: dict[str, list[str]] = {}
    for brief in briefs(folder).values():
        for quote in brief.get("quotes", []):
            if quote.get("speaker"):
                expected.setdefault(quote["speaker"], []).append(words(quote["text"]))
    for actor, quotes in expected.items():
        page = soup(real_site, f"actors/{actor}/index.html")
        shown = [p.get_text().strip("“”") for p in page.select("figure.quote p.quote-text")]
        assert sorted(shown) == sorted(quotes), actor


def test_each_related_link_states_why(real_site):
    for html in (real_site / "briefings").glob("*/index.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        heading = page.find(id="related")
        if heading is None:
            continue
        items = heading.find_next("ul").find_all("li")
        assert items
        for item in items:
            text = item.get_text().split(" — ", 1)[1]
            assert text.startswith(("same story", "same event", "shared: ", "suggested by")), text
            # 'and N more' ends the part it counts: the reason, or its events before ' · '
            assert not re.search(r" and \d+ more(?!$| · )", text), text
