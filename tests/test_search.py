"""The site search: Pagefind indexes the built site before it is published.

The index is read back as the browser reads it: each result's fragment (a
gzipped JSON record behind a ``pagefind_dcd`` signature) gives its address,
text, filters and meta. The browser side is in tests/test_browser.py.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from generator import pipeline
from generator.errors import BuildError
from generator.render import human_date
from generator.site import versions_folder
from tests.conftest import FIXTURES, ROOT, SEED, make_project
from tests.test_build import digest

pytestmark = pytest.mark.build

SIGNATURE = b"pagefind_dcd"

LISTINGS = {"/", "/timeline/", "/quotes/", "/proposals/", "/questions/", "/topics/", "/actors/",
            "/places/"}  # fmt: skip
"""Pages that list what briefing pages say: never in the index."""


def fragments(site: Path, bundle: str = "*") -> dict[str, dict]:
    """Every record of the index (or of one bundle), by its address."""
    records = {}
    for path in (site / "pagefind").glob(f"{bundle}/fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(SIGNATURE), path
        record = json.loads(data[len(SIGNATURE) :])
        records[record["url"]] = record
    return records


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real briefs, built once: the settings and the index's records."""
    settings = make_project(tmp_path_factory.mktemp("search"), ROOT / "briefings")
    pipeline.build(settings)
    return settings, fragments(settings.site_dir)


def test_the_published_site_holds_the_pagefind_index(real):
    settings, records = real
    site = settings.site_dir
    assert site.is_symlink() and site.resolve().parent == versions_folder(site).resolve()
    listed = json.loads((site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    assert listed["primary"] == "guide"
    years = {str(b["date"].year) for b in _briefs(settings)}
    assert sorted(listed["merge"], reverse=True) == listed["merge"]
    assert set(listed["merge"]) == years | {"registry"}
    bundle = site / "pagefind" / "guide"
    for name in ("pagefind-entry.json", "pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"):
        assert (bundle / name).is_file(), name
    # The theme has its own UI on Pagefind's JS API: Pagefind's ready-made UIs are gone.
    assert sorted(p.name for p in bundle.glob("*.js")) == ["pagefind-worker.js", "pagefind.js"]
    assert not list(bundle.glob("*.css"))
    counted = 0
    for name in [listed["primary"], *listed["merge"]]:
        entry = json.loads((site / "pagefind" / name / "pagefind-entry.json").read_text("utf-8"))
        assert entry["version"] == "1.5.2"
        counted += entry["languages"]["en"]["page_count"]
        # The theme counts the briefings it searched, to know when to offer earlier years.
        assert listed["pages"][name] == entry["languages"]["en"]["page_count"], name
        assert list((site / "pagefind" / name).glob("index/*.pf_index")), name
        # A merged bundle is its index only: the search runs the guide bundle's scripts.
        if name != "guide":
            assert not list((site / "pagefind" / name).glob("*.js")), name
    assert counted == len(records)
    assert list((site / "pagefind").glob("*/filter/*.pf_filter"))


def _briefs(settings) -> list[dict]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(settings.briefings_dir.glob("*.yml"))
        if path.stem not in {"actors", "places"}
    ]


def test_briefings_are_bundled_by_year_the_rest_by_kind(real):
    settings, _ = real
    site = settings.site_dir
    for brief_path in sorted(settings.briefings_dir.glob("*.yml")):
        if brief_path.stem in {"actors", "places"}:
            continue
        year = str(yaml.safe_load(brief_path.read_text(encoding="utf-8"))["date"].year)
        assert f"/briefings/{brief_path.stem}/" in fragments(site, year), brief_path.stem
    assert set(fragments(site, "guide")) == {"/guide/"}
    registry = set(fragments(site, "registry"))
    assert registry and all(u.split("/")[1] in {"actors", "places", "threads"} for u in registry)
    # Each bundle lists its pages for the next publish: exactly what it indexed.
    for folder in (site / "pagefind").iterdir():
        if folder.is_dir():
            listed = (folder / "pages.txt").read_text(encoding="utf-8").split()
            urls = {"/" + page.removesuffix("index.html") for page in listed}
            assert urls == set(fragments(site, folder.name)), folder.name
    assert not (site / ".pagefind-pages").exists()


def test_registry_pages_are_found_by_name_and_description_not_by_what_briefings_say(real):
    settings, records = real
    actor = records["/actors/matthew-whitaker/"]
    assert actor["meta"]["title"] == "Matthew Whitaker"
    page = BeautifulSoup(
        (settings.site_dir / "actors" / "matthew-whitaker" / "index.html").read_text("utf-8"),
        "lxml",
    )
    article = page.select_one("article.md-content__inner")
    first_section = article.find("h2")
    assert first_section is not None
    # Its sections (quotes, positions, briefings) repeat the briefings, found on their own.
    assert first_section.get_text().removesuffix("¶") not in actor["content"]
    assert actor["content"].startswith("Matthew Whitaker.")
    # The guide is indexed whole: its last section too.
    guide = BeautifulSoup(
        (settings.site_dir / "guide" / "index.html").read_text("utf-8"), "lxml"
    ).select_one("article.md-content__inner")
    last = guide.find_all("h2")[-1].get_text().removesuffix("¶")
    assert last in records["/guide/"]["content"]


def test_articles_are_indexed_but_not_the_listings_or_the_chrome(real):
    settings, records = real
    slugs = {p.stem for p in settings.briefings_dir.glob("*.yml")} - {"actors", "places"}
    urls = set(records)
    assert {f"/briefings/{slug}/" for slug in slugs} <= urls
    assert "/guide/" in urls
    for kind in ("actors", "places", "threads"):
        assert any(u.startswith(f"/{kind}/") and u != f"/{kind}/" for u in urls), kind
    assert not urls & LISTINGS
    assert not [u for u in urls if u.startswith("/topics/")]
    seed = records[f"/briefings/{SEED}/"]["content"]
    # The article only: not the header, navigation tabs or footer, nor the ¶ marks.
    assert "Who's who" not in seed and "Made with" not in seed and "¶" not in seed


def test_a_briefing_is_filed_by_topic_thread_actor_and_year_with_its_title_and_date(real):
    settings, records = real
    brief = yaml.safe_load((settings.briefings_dir / f"{SEED}.yml").read_text(encoding="utf-8"))
    record = records[f"/briefings/{SEED}/"]
    assert record["meta"]["title"] == brief["title"]
    assert record["meta"]["date"] == human_date(brief["date"])
    filters = record["filters"]
    assert set(filters) == {"topic", "thread", "actor", "year"}
    assert filters["topic"] == brief["tags"]
    assert filters["year"] == [str(brief["date"].year)]
    assert {"Matthew Whitaker", "Ursula von der Leyen", "Donald Trump"} <= set(filters["actor"])
    assert len(filters["thread"]) == 1
    thread = BeautifulSoup(
        (settings.site_dir / "threads" / SEED / "index.html").read_text(encoding="utf-8"), "lxml"
    )
    assert thread.find("h1").get_text().removesuffix("¶") == f"Story: {filters['thread'][0]}"
    # Filters go with briefings only: an actor's page is found, but under no filter.
    assert records["/actors/matthew-whitaker/"]["filters"] == {}


def test_author_text_in_filters_stays_text(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    brief = settings.briefings_dir / "border-talks.yml"
    hostile = '</span><script>alert("x")</script> & <b>Co</b>'
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("tags: [Border, patrols]", f"tags: [Border, '{hostile}']"))
    pipeline.build(settings)
    page = BeautifulSoup(
        (settings.site_dir / "briefings" / "border-talks" / "index.html").read_text("utf-8"),
        "lxml",
    )
    article = page.select_one("article.md-content__inner")
    assert article.find("script") is None and article.find("b") is None
    topics = [s.get_text() for s in article.select("[hidden] > [data-pagefind-filter='topic']")]
    assert topics == ["Border", hostile]
    record = fragments(settings.site_dir)["/briefings/border-talks/"]
    assert record["filters"]["topic"] == ["Border", hostile]


def test_a_failed_index_leaves_the_previous_site_intact(tmp_path, monkeypatch):
    settings = make_project(tmp_path, FIXTURES / "valid")
    pipeline.build(settings)
    before = digest(settings.site_dir)
    published = settings.site_dir.readlink()
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'pagefind: out of memory' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    brief = settings.briefings_dir / "border-talks.yml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("Alliance weighs", "Alliance sees"))
    with pytest.raises(BuildError) as failed:
        pipeline.build(settings)
    assert str(failed.value).startswith("Pagefind could not index the built site: ")
    # The reason is the service's (the binary quit: "Connection lost"); the rest is ours.
    reason, _, advice = (
        str(failed.value).removeprefix("Pagefind could not index the built site: ").partition("; ")
    )
    assert reason and "\n" not in reason
    assert advice == (
        "nothing was published. Check that its binary runs ('python -m pagefind --version'; "
        "the pagefind-bin package installs it), then build again"
    )
    assert settings.site_dir.readlink() == published
    assert digest(settings.site_dir) == before
    versions = sorted(p.name for p in versions_folder(settings.site_dir).iterdir())
    assert versions == [".lock", published.name]

    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    pipeline.build(settings)
    assert settings.site_dir.readlink() != published
    assert "Alliance sees" in fragments(settings.site_dir)["/briefings/border-talks/"]["content"]


def test_pages_load_no_search_until_it_is_opened(real):
    settings, _ = real
    page = BeautifulSoup((settings.site_dir / "index.html").read_text("utf-8"), "lxml")
    sources = [s.get("src", "") for s in page.find_all("script")]
    sources += [link.get("href", "") for link in page.find_all("link")]
    assert not [s for s in sources if "pagefind" in s or "search_index" in s]
    assert not (settings.site_dir / "search").exists()  # Material's lunr index is gone
    dialog = page.find("dialog", attrs={"data-briefings-search": True})
    assert dialog["data-bundle"] == "pagefind/" and dialog["aria-label"] == "Search the briefings"
    listed = json.loads((settings.site_dir / dialog["data-bundle"] / "bundles.json").read_text())
    assert (settings.site_dir / "pagefind" / listed["primary"] / "pagefind.js").is_file()
