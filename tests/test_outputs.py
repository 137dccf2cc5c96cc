"""What readers' tools get: feeds, structured data, the JSON export, and a self-contained site."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from generator import pipeline
from generator.feeds import load_export
from generator.load import load_yaml
from generator.validate import validate_brief
from tests.conftest import ROOT, SEED, SEED_SPEAKERS, make_project

pytestmark = pytest.mark.build

ATOM = "{http://www.w3.org/2005/Atom}"
BRIEFS = sorted(
    p for p in (ROOT / "briefings").glob("*.yml") if p.name not in ("actors.yml", "places.yml")
)

# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the required members and types.
JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "authors": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "content_text": {"type": "string"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "date_modified": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    settings = make_project(tmp_path_factory.mktemp("outputs"), ROOT / "briefings")
    return pipeline.build(settings).site_dir


def test_the_main_atom_feed_is_valid_and_lists_every_briefing(site):
    parsed = feedparser.parse((site / "feeds" / "index.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == len(BRIEFS)
    seed = next(e for e in parsed.entries if e.link.endswith(f"/briefings/{SEED}/"))
    assert seed.title.startswith("NATO weighs a more assertive response")
    assert seed.summary.startswith("NATO allies are discussing tougher answers")
    root = etree.parse(str(site / "feeds" / "index.xml")).getroot()
    # RFC 4287: a feed has id, title, updated and an author; every entry id, title, updated.
    for name in ("id", "title", "updated", "author"):
        assert root.find(ATOM + name) is not None, name
    for entry in root.findall(ATOM + "entry"):
        for name in ("id", "title", "updated", "summary"):
            assert entry.find(ATOM + name) is not None, name


def test_every_json_feed_is_valid_json_feed_11(site):
    feeds = sorted((site / "feeds").rglob("*.json"))
    assert len(feeds) > 10
    for path in feeds:
        document = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(document, JSON_FEED_SCHEMA, format_checker=jsonschema.FormatChecker())
        assert document["items"], path


def test_topic_and_actor_feeds_hold_their_briefings(site):
    nato = json.loads((site / "feeds" / "topics" / "nato.json").read_text(encoding="utf-8"))
    tagged = [p.stem for p in BRIEFS if "NATO" in load_yaml(p).data.get("tags", [])]
    assert sorted(i["url"].split("/")[-2] for i in nato["items"]) == sorted(tagged)
    whitaker = feedparser.parse((site / "feeds" / "actors" / "matthew-whitaker.xml").read_bytes())
    assert whitaker.bozo == 0
    assert {e.link.split("/")[-2] for e in whitaker.entries} >= {SEED}


def test_every_page_links_the_feeds_in_its_head(site):
    for html in site.rglob("*.html"):
        head = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml").head
        types = {link["type"] for link in head.select('link[rel~="alternate"]')}
        assert {"application/atom+xml", "application/feed+json"} <= types, html
    topic = BeautifulSoup((site / "topics" / "nato" / "index.html").read_text(), "lxml")
    hrefs = [link["href"] for link in topic.select('head link[rel~="alternate"]')]
    assert "../../feeds/topics/nato.xml" in hrefs


def test_briefing_pages_carry_news_article_json_ld(site):
    for path in BRIEFS:
        page = BeautifulSoup((site / "briefings" / path.stem / "index.html").read_text(), "lxml")
        blocks = page.select('script[type="application/ld+json"]')
        assert len(blocks) == 1
        data = json.loads(blocks[0].get_text())
        brief = load_yaml(path).data
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == " ".join(brief["title"].split())
        assert data["datePublished"] == brief["date"]
        assert len(data["citation"]) == len(brief["sources"])
        quotations = [p for p in data["hasPart"] if p["@type"] == "Quotation"]
        assert len(quotations) == len(brief.get("quotes", []))
    seed = json.loads(
        BeautifulSoup((site / "briefings" / SEED / "index.html").read_text(), "lxml")
        .select_one('script[type="application/ld+json"]')
        .get_text()
    )
    speakers = [
        q["spokenByCharacter"].get("name") or q["spokenByCharacter"]["description"]
        for q in seed["hasPart"]
    ]
    assert speakers == SEED_SPEAKERS


def test_the_json_export_round_trips_every_brief(site):
    index = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))
    assert sorted(b["slug"] for b in index["briefings"]) == sorted(p.stem for p in BRIEFS)
    for path in BRIEFS:
        exported = load_export((site / "data" / "briefings" / f"{path.stem}.json").read_text())
        valid, problems = validate_brief(load_yaml(path))
        assert not [p for p in problems if p.severity == "error"]
        assert exported == valid.brief
    actors = json.loads((site / "data" / "actors.json").read_text(encoding="utf-8"))["actors"]
    assert actors["matthew-whitaker"]["name"] == "Matthew Whitaker"


def test_pages_load_nothing_from_other_hosts(site):
    for html in site.rglob("*.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        for tag in page.select("script[src], link[href], img[src], iframe[src], source[src]"):
            url = tag.get("src") or tag.get("href")
            if tag.name == "link" and tag.get("rel", [""])[0] in ("canonical", "alternate"):
                continue  # addresses of this site, not loaded by the browser
            assert not urlsplit(url).netloc, f"{html}: {tag}"


def test_canonical_urls_and_sitemap_use_site_url(site):
    page = BeautifulSoup((site / "briefings" / SEED / "index.html").read_text(), "lxml")
    assert page.select_one('link[rel="canonical"]')["href"] == (
        f"https://briefings.example.org/briefings/{SEED}/"
    )
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>https://briefings.example.org/briefings/{SEED}/</loc>" in sitemap


def test_the_404_page_offers_ways_on(site):
    page = BeautifulSoup((site / "404.html").read_text(encoding="utf-8"), "lxml")
    assert page.find("h1").get_text() == "Page not found"
    links = [a["href"] for a in page.select("article a[href]")]
    assert len(links) == 5
    for href in links:
        target = urlsplit(href).path.removeprefix("/")
        assert (site / target / "index.html").exists() or (site / target).is_file(), href


def test_the_index_export_put_together_brief_by_brief_is_the_whole_dump(real_project):
    from generator import feeds
    from generator.index import build_index

    checked = pipeline.check(real_project)
    index = build_index(checked.briefs, checked.actors, real_project.related, checked.places)
    summaries = [feeds._summary(real_project, e) for e in index.entries]
    assert len(summaries) > 1 and any(s["tags"] for s in summaries)
    assert any("\n" in s["summary"] or '"' in s["summary"] for s in summaries)  # escaped text
    whole = feeds._dump({"briefings": summaries}).encode("utf-8")
    assert feeds._export_index(index, real_project) == whole
    empty = build_index([], {}, real_project.related, {})
    assert json.loads(feeds._export_index(empty, real_project)) == {"briefings": []}
