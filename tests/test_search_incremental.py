"""An incremental search index: a publish re-indexes the bundles it changed, links the rest.

A published version of the valid fixtures (one brief moved to 2024, so there are
two year bundles) is linked file by file into a new version, as an engine that
builds only the changed pages makes it; a briefing page of 2025 gets a new word
and the 2024 briefing is removed, then :func:`generator.search.index_site` runs
with those lists and the previous version.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import pipeline, search
from tests.browser import harness
from tests.conftest import FIXTURES, make_project
from tests.test_browser import TIMEOUT_MS
from tests.test_build import digest
from tests.test_search import fragments

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the test extras install it
    expect = sync_playwright = None

pytestmark = pytest.mark.build

NEW_WORD = "Quokkafjord"
CHANGED = "briefings/border-talks/index.html"
REMOVED = "briefings/ruritania-election/index.html"


def _linked_copy(source: Path, target: Path) -> None:
    """``source`` hard-linked file by file into ``target``."""
    for folder, _, files in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(Path(folder) / name, into / name)


def _rewrite(page: Path, old: bytes, new: bytes) -> None:
    """Replace ``old`` in ``page`` by a new file, never writing through a link."""
    data = page.read_bytes()
    assert old in data, page
    page.unlink()
    page.write_bytes(data.replace(old, new, 1))


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The published version of the valid fixtures, with one brief of 2024."""
    settings = make_project(tmp_path_factory.mktemp("incremental"), FIXTURES / "valid")
    brief = settings.briefings_dir / "ruritania-election.yml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("date: 2025-01-15", "date: 2024-01-15"),
        encoding="utf-8",
    )
    pipeline.build(settings)
    return settings.site_dir.resolve()


@pytest.fixture(scope="module")
def publish(published, tmp_path_factory) -> Iterator[tuple[Path, int, dict[str, str]]]:
    """The next version, indexed incrementally: (its folder, pages indexed, previous digest)."""
    before = digest(published / "pagefind")
    version = tmp_path_factory.mktemp("next") / "version"
    _linked_copy(published, version)
    _rewrite(version / CHANGED, b"</h1>", f"</h1>\n<p>{NEW_WORD} talks.</p>".encode())
    (version / REMOVED).unlink()
    (version / REMOVED).parent.rmdir()
    pages = search.index_site(
        version, changed_html=[CHANGED], removed_html=[REMOVED], previous=published
    )
    yield version, pages, before


def _bundles(site: Path) -> list[str]:
    listed = json.loads((site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    return [listed["primary"], *listed["merge"]]


def test_the_bundles_before(published):
    assert _bundles(published) == ["guide", "registry", "2025", "2024"]
    assert set(fragments(published, "2024")) == {"/briefings/ruritania-election/"}


def test_a_changed_page_is_found_by_its_new_words_and_a_removed_page_is_gone(publish, published):
    version, pages, _ = publish
    records = fragments(version)
    assert NEW_WORD in records["/briefings/border-talks/"]["content"]
    assert "/briefings/ruritania-election/" not in records
    assert pages == len(fragments(published)) - 1 == len(records)
    # The year left without a briefing has no bundle any more.
    assert _bundles(version) == ["guide", "registry", "2025"]
    assert not (version / "pagefind" / "2024").exists()
    assert not (version / search.STAGING).exists()


def test_unchanged_bundles_are_reused_byte_identical_and_linked(publish, published):
    version, _, before = publish
    for name in ("guide", "registry"):
        old, new = published / "pagefind" / name, version / "pagefind" / name
        assert digest(new) == digest(old), name
        for path in old.rglob("*"):
            if path.is_file():
                assert (new / path.relative_to(old)).stat().st_ino == path.stat().st_ino
    # The bundle with the changed page is indexed again, into new files.
    old_entry = published / "pagefind" / "2025" / "pagefind-entry.json"
    new_entry = version / "pagefind" / "2025" / "pagefind-entry.json"
    assert new_entry.read_bytes() != old_entry.read_bytes()
    assert new_entry.stat().st_ino != old_entry.stat().st_ino
    # The previous version's index, linked into the new one first, is as it was.
    assert digest(published / "pagefind") == before


def test_added_and_removed_pages_missing_from_the_lists_are_found_all_the_same(published, tmp_path):
    version = tmp_path / "version"
    _linked_copy(published, version)
    # A briefing of 2023 added, one removed, and neither listed: only a changed
    # page's content cannot be told without the list.
    added = version / "briefings" / "new-talks" / "index.html"
    added.parent.mkdir()
    added.write_bytes(
        (version / CHANGED)
        .read_bytes()
        .replace(b'data-pagefind-filter="year">2025<', b'data-pagefind-filter="year">2023<')
    )
    (version / REMOVED).unlink()
    search.index_site(version, changed_html=[], removed_html=[], previous=published)
    assert set(fragments(version, "2023")) == {"/briefings/new-talks/"}
    assert "/briefings/ruritania-election/" not in fragments(version)
    assert _bundles(version) == ["guide", "registry", "2025", "2023"]
    # Only the new year's bundle was indexed: 2025 and the others are the previous ones.
    for name in ("guide", "registry", "2025"):
        assert digest(version / "pagefind" / name) == digest(published / "pagefind" / name)


def test_a_page_whose_indexed_text_is_the_same_leaves_its_bundle_alone(published, tmp_path):
    """A publish rewrites pages whose searchable text stays: related briefings, actor lists.

    A briefing's related briefings are kept out of the index; a registry page is
    indexed without its sections. Neither kind of change re-indexes a bundle, but
    a change to the text Pagefind reads does.
    """
    version = tmp_path / "version"
    _linked_copy(published, version)
    brief = version / CHANGED
    assert b'class="related-briefings" data-pagefind-ignore="index"' in brief.read_bytes()
    _rewrite(brief, b'<div class="related-briefings" data-pagefind-ignore="index">',
             b'<div class="related-briefings" data-pagefind-ignore="index"><div><p>Zebrafjord</p></div>')  # fmt: skip
    actor = next(version.glob("actors/*/index.html"))
    _rewrite(actor, b"</article>", b"<h2>More</h2><p>Walrusfjord</p></article>")
    changed = [CHANGED, actor.relative_to(version).as_posix()]
    search.index_site(version, changed_html=changed, removed_html=[], previous=published)
    for name in _bundles(published):
        assert digest(version / "pagefind" / name) == digest(published / "pagefind" / name), name
    assert not any("fjord" in r["content"] for r in fragments(version).values())

    again = tmp_path / "again"
    _linked_copy(published, again)
    _rewrite(again / CHANGED, b"</h1>", b"</h1>\n<p>Zebrafjord talks.</p>")
    search.index_site(again, changed_html=[CHANGED], removed_html=[], previous=published)
    content = fragments(again)["/briefings/border-talks/"]["content"]
    assert "Zebrafjord" in content
    assert "Related briefings" not in content  # other briefings' titles are not its text


def test_the_indexed_part_keeps_filters_inside_ignored_elements():
    page = (
        b'<header>Site</header><article class="md-content__inner md-typeset"><h1>T</h1>'
        b'<div hidden data-pagefind-ignore><span data-pagefind-filter="year">2025</span></div>'
        b"<p>Text</p><div data-pagefind-ignore><div>nested</div>tail</div><p>End</p></article>"
    )
    part = search.indexed_part(page, registry=False)
    assert b"Site" not in part and b"nested" not in part and b"tail" not in part
    assert b"<p>Text</p>" in part and b"<p>End</p>" in part
    assert b'data-pagefind-filter="year">2025<' in part
    other_year = page.replace(b">2025<", b">2024<")
    assert search.indexed_part(other_year, registry=False) != part


def test_without_the_lists_every_bundle_is_indexed_again(published, tmp_path):
    version = tmp_path / "version"
    _linked_copy(published, version)
    pages = search.index_site(version, previous=published)
    assert pages == len(fragments(published))
    for path in (version / "pagefind").rglob("*"):
        if path.is_file() and path.name != "bundles.json":
            old = published / path.relative_to(version)
            assert not old.exists() or old.stat().st_ino != path.stat().st_ino, path


@pytest.fixture(scope="module")
def chromium():
    """Chromium, without the real site test_browser.py's fixture builds first."""
    if sync_playwright is None:
        harness.unavailable("the playwright package is missing: `make test` installs it")
    harness.require_browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(harness.CHROMIUM), args=harness.LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.mark.browser
def test_the_browser_finds_the_new_words_across_bundles_and_not_the_removed_page(publish, chromium):
    version, _, _ = publish
    browser = chromium
    with harness.serve(version) as url:
        context = browser.new_context(viewport=harness.DESKTOP)
        errors: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url + "briefings/patrols-agreed/")
            page.keyboard.press("/")
            box = page.locator("dialog.briefings-search input.briefings-search__input")
            expect(box).to_be_focused(timeout=TIMEOUT_MS)
            box.fill(NEW_WORD)
            results = page.locator(".briefings-search__result")
            expect(results).to_have_count(1, timeout=TIMEOUT_MS)
            expect(results.locator("a")).to_have_attribute(
                "href", re.compile(r"/briefings/border-talks/$")
            )
            box.fill("Ruritania")
            expect(results.first).to_be_visible(timeout=TIMEOUT_MS)
            hrefs = results.locator("a.briefings-search__link").evaluate_all(
                "links => links.map(link => link.getAttribute('href'))"
            )
            assert not [h for h in hrefs if "ruritania-election" in h]
        finally:
            context.close()
    assert errors == []


def _word_in_every_bundle(site: Path) -> tuple[str, dict[str, set[str]]]:
    """A word every bundle has, in as few pages as may be; and its pages by bundle."""
    pages: dict[str, dict[str, set[str]]] = {}
    for name in _bundles(site):
        for url, record in fragments(site, name).items():
            for word in set(re.findall(r"[a-z]{5,}", record["content"].lower())):
                pages.setdefault(word, {}).setdefault(name, set()).add(url)
    everywhere = [w for w, found in pages.items() if len(found) == len(_bundles(site))]
    word = min(everywhere, key=lambda w: (sum(map(len, pages[w].values())), w))
    return word, pages[word]


@pytest.mark.browser
def test_results_come_from_every_bundle(published, chromium):
    word, expected = _word_in_every_bundle(published)
    assert sum(map(len, expected.values())) <= 10, (word, expected)  # one page of results
    with harness.serve(published) as url:
        context = chromium.new_context(viewport=harness.PHONE)
        try:
            page = context.new_page()
            page.goto(url)
            page.keyboard.press("/")
            box = page.locator("dialog.briefings-search input.briefings-search__input")
            expect(box).to_be_focused(timeout=TIMEOUT_MS)
            box.fill(word)
            results = page.locator(".briefings-search__result")
            expect(results).to_have_count(sum(map(len, expected.values())), timeout=TIMEOUT_MS)
            hrefs = results.locator("a.briefings-search__link").evaluate_all(
                "links => links.map(link => new URL(link.href).pathname)"
            )
        finally:
            context.close()
    assert set(hrefs) == set().union(*expected.values())
