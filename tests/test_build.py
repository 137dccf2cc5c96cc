"""End to end: a strict MkDocs build in a temporary folder, checked with a real HTML parser."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from generator.errors import BriefingsError, BuildError
from tests.conftest import FIXTURES, ROOT, SEED, SEED_SPEAKERS, make_project

pytestmark = pytest.mark.build


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "lxml")


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    """The real briefs, built once for the module."""
    settings = make_project(tmp_path_factory.mktemp("real"), ROOT / "briefings")
    return pipeline.build(settings).site_dir


def test_home_lists_every_briefing_newest_first(real_site):
    slugs = sorted(p.stem for p in (ROOT / "briefings").glob("*.yml") if p.name != "actors.yml")
    page = soup(real_site, "index.html")
    listed = [
        a["href"].split("/")[-2]
        for a in page.select("article h3 a")
        if a["href"].startswith("briefings/")
    ]
    assert sorted(listed) == slugs
    dates = [p.get_text() for p in page.select("article p.brief-meta")]
    assert len(dates) == len(slugs)


def test_seed_briefing_shows_three_proposals_with_status(real_site):
    page = soup(real_site, f"briefings/{SEED}/index.html")
    proposals = page.select("p.proposal-title")
    assert len(proposals) == 3
    statuses = [p.select_one("span.status").get_text() for p in proposals]
    assert statuses == ["Under discussion"] * 3
    titles = [p.select_one("strong").get_text() for p in proposals]
    assert (
        titles[1]
        == "Ease engagement rules so NATO pilots can fire without direct visual confirmation"
    )


def test_seed_briefing_shows_five_quote_boxes_with_speaker_and_role(real_site):
    page = soup(real_site, f"briefings/{SEED}/index.html")
    boxes = page.select("div.admonition.quote")
    assert len(boxes) == 5
    speakers = [b.select_one(".admonition-title").get_text() for b in boxes]
    assert speakers == SEED_SPEAKERS
    roles = [b.select_one("p.quote-attribution").get_text() for b in boxes]
    assert "U.S. President" in roles[0]
    assert "U.S. Ambassador to NATO" in roles[1]
    assert "Anonymous source" in roles[2]
    assert all("President of the European Commission" in r for r in roles[3:])
    assert all(b.select_one("p.quote-attribution a[href^='../../actors/']") for b in boxes[:2])


def _links(site: Path):
    for html in sorted(site.rglob("*.html")):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        for anchor in page.select("article a[href]"):
            yield html, anchor["href"]


def test_every_link_in_every_article_resolves(real_site):
    broken = []
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
            ids = {
                t["id"]
                for t in BeautifulSoup(target.read_text(encoding="utf-8"), "lxml").select("[id]")
            }
            if parts.fragment not in ids:
                broken.append(f"{html.relative_to(real_site)} → {href} (no anchor)")
    assert broken == []


def test_page_metadata_is_escaped_and_present(real_site):
    page = soup(real_site, f"briefings/{SEED}/index.html")
    assert page.title.get_text().startswith("NATO weighs a more assertive response")
    description = page.select_one('meta[name="description"]')["content"]
    assert description.startswith("NATO allies are discussing tougher answers")
    assert page.select_one('meta[property="og:type"]')["content"] == "article"


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
    box = page.select_one("div.admonition.quote")
    assert box.select_one("p.quote-text").get_text() == "“<script>alert(1)</script> !!! danger”"
    assert "Minister {: onclick=alert(3) }" in box.select_one("p.quote-attribution").get_text()
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


def test_every_briefing_is_within_two_clicks_of_the_seed(real_site):
    seed = (real_site / f"briefings/{SEED}/index.html").resolve()
    reached = {seed}
    frontier = {seed}
    for _ in range(2):
        frontier = {t for page in frontier for t in _article_links(real_site, page)} - reached
        reached |= frontier
    briefings = {p.resolve() for p in (real_site / "briefings").glob("*/index.html")}
    assert briefings - reached == set()


@pytest.mark.parametrize("actor", ["matthew-whitaker", "donald-trump", "ursula-von-der-leyen"])
def test_actor_pages_list_all_their_quotes_across_briefings(real_site, actor):
    from generator.load import load_yaml

    expected = []
    for path in sorted((ROOT / "briefings").glob("*.yml")):
        data = load_yaml(path).data
        if path.name == "actors.yml":
            continue
        expected += [
            " ".join(q["text"].split()) for q in data.get("quotes", []) if q.get("speaker") == actor
        ]
    page = soup(real_site, f"actors/{actor}/index.html")
    shown = [p.get_text().strip("“”") for p in page.select("div.admonition.quote p.quote-text")]
    assert sorted(shown) == sorted(expected)
    assert len(shown) >= 1


def test_each_related_link_states_why(real_site):
    for html in (real_site / "briefings").glob("*/index.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        heading = page.find(id="related")
        if heading is None:
            continue
        items = heading.find_next("ul").find_all("li")
        assert items
        for item in items:
            text = item.get_text()
            assert " — shared: " in text or " — suggested by the author" in text, text


def test_search_indexes_briefings_actors_and_guide_but_not_the_listings(real_site):
    import json

    docs = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {d["location"].split("#")[0] for d in docs["docs"]}
    slugs = {p.stem for p in (ROOT / "briefings").glob("*.yml") if p.name != "actors.yml"}
    assert {f"briefings/{slug}/" for slug in slugs} <= pages
    assert "guide/" in pages and any(p.startswith("actors/") and p != "actors/" for p in pages)
    listings = {"", "timeline/", "quotes/", "proposals/", "questions/", "topics/", "actors/"}
    assert not pages & listings
    assert not any(p.startswith("topics/") for p in pages)
