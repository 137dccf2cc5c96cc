"""Stable pagination (issue 15): a publish re-renders the first page of each listing it joins.

A synthetic corpus is built incrementally with tiny page sizes, so that its actors,
topics, places, speakers, questions and proposal statuses have several pages; then
newest briefs are published one at a time and the set of pages each run wrote
(``pipeline.generate(...).stats.written``) is checked against the scheme: blocks
counted from the oldest, the first page the only one a new item changes, except
when a block fills, which adds exactly one page and changes its older neighbour's
'Newer' link.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.corpus import NEW_BRIEF_DAY, write_corpus, write_new_brief
from generator import graph, pipeline, render
from tests.conftest import make_project
from tests.test_pages_light import SIZES  # page sizes a few dozen briefs fill

NUMBERED = ("actors/page/", "quotes/page/", "archive/", "timeline/")
"""Listings that keep numbered pages: alphabetical indexes, and months (closed once over)."""

OLDER = re.compile(r"^(?P<base>.+)/page/(?P<number>\d+)\.md$")
NAV = re.compile(r'<nav class="pagination".*?</nav>', re.S)
TOPIC = "topics/{slug}.md"


def older_pages(paths: set[str]) -> dict[str, set[int]]:
    """The older pages of each stably paginated listing among ``paths``, by listing."""
    found: dict[str, set[int]] = {}
    for path in paths:
        match = OLDER.match(path)
        if match and not path.startswith(NUMBERED):
            found.setdefault(match["base"], set()).add(int(match["number"]))
    return found


def first_page(base: str, pages: dict[str, str]) -> str:
    """The first page of the list whose older pages live under ``base/page/``.

    A listing of one list keeps them under its own address ('topics/x/page/N'); each
    list of a listing of several under its name ('actors/x/quotes/page/N').
    """
    return f"{base}.md" if f"{base}.md" in pages else f"{base.rsplit('/', 1)[0]}.md"


def snapshot(docs: Path) -> dict[str, str]:
    """Every Markdown page of the docs folder, by path."""
    return {p.relative_to(docs).as_posix(): p.read_text("utf-8") for p in docs.rglob("*.md")}


def newest_copy(folder: Path, template: Path, number: int) -> Path:
    """Publish a copy of ``template`` dated ``number`` days after it: the newest brief.

    Everything in it is dated that day, so it is the newest item of every list it joins.
    """
    text = template.read_text("utf-8")
    day = NEW_BRIEF_DAY + dt.timedelta(days=number)
    text = re.sub(r"^date: .*$", f"date: {day.isoformat()}", text, count=1, flags=re.M)
    text = re.sub(r"^updated: .*\n", "", text, count=1, flags=re.M)
    # its events, quotes and sources are of that day too: an event of the past stands in
    # the middle of a list ordered by event date, where it shifts older blocks
    text = re.sub(r"^(\s+(?:- )?date): .*$", rf"\1: {day.isoformat()}", text, flags=re.M)
    text = re.sub(r"^\s+end: .*\n", "", text, flags=re.M)
    # and its events are its own, not shared with (and merged into) older briefs' events
    events = re.search(r"^events:\n(?:(?: .*)?\n)*", text, flags=re.M)
    if events:
        own = re.sub(r"^(\s+- id: )(\S+)$", rf"\1\2-{number}", events.group(), flags=re.M)
        text = text[: events.start()] + own + text[events.end() :]
    text = re.sub(r"^title: (.*)$", rf"title: \1 {number}", text, count=1, flags=re.M)
    path = folder / f"{template.stem}-{number}.yml"
    path.write_text(text, "utf-8")
    return path


def topics_of(brief_page: Path) -> list[str]:
    """The topics a briefing's page links to, by slug."""
    return re.findall(r"\]\(\.\./topics/([a-z0-9-]+)\.md\)", brief_page.read_text("utf-8"))


@pytest.fixture
def small(tmp_path, monkeypatch):
    """A project of the synthetic corpus, generated once, with tiny page sizes."""
    write_corpus(tmp_path / "corpus", 30, seed=7)
    settings = make_project(tmp_path / "project", tmp_path / "corpus")
    for name, value in SIZES.items():
        monkeypatch.setattr(render, name, value)
    pipeline.generate(settings)
    return settings


def check_publish(before: dict[str, str], after: dict[str, str], written: set[str]) -> list[str]:
    """Check one publish against the scheme; returns the older pages it created.

    Per list: new older pages come after the ones it had (one per block the
    publish filled: one, for a brief adding one item); an older page written is a
    new one or the newest it had, whose items stay the same (only its 'Newer' link
    changes); a list that gained a page has its first page written too.
    """
    old, new = older_pages(set(before)), older_pages(set(after))
    created = []
    for base, numbers in older_pages(written).items():
        had = max(old.get(base, set()), default=0)
        added = new.get(base, set()) - old.get(base, set())
        assert added == set(range(had + 1, had + 1 + len(added))), (base, added)
        allowed = added | ({had} if added and had else set())
        assert numbers <= allowed, (base, numbers, added)
        if added:
            assert first_page(base, after) in written, base
        created += [f"{base}/page/{n}.md" for n in added]
    for path in set(before) & set(after):
        if OLDER.match(path) and not path.startswith(NUMBERED):
            assert NAV.sub("", before[path]) == NAV.sub("", after[path]), path
    return created


def test_a_publish_rewrites_only_the_first_page_of_each_listing_it_joins(small):
    docs = small.docs_dir
    before = snapshot(docs)
    assert sum(len(n) for n in older_pages(set(before)).values()) > 20
    new = write_new_brief(small.briefings_dir, 30, seed=7)
    written = set(pipeline.generate(small).stats.written)
    after = snapshot(docs)
    assert f"briefings/{new.stem}.md" in written
    created = check_publish(before, after, written)
    stable = [p for p in written if OLDER.match(p) and not p.startswith(NUMBERED)]
    assert len(stable) <= 2 * len(created)
    # the listings it joined had their first page rewritten
    tags = topics_of(docs / f"briefings/{new.stem}.md")
    assert tags and all(TOPIC.format(slug=t) in written for t in tags)


def test_every_size_th_addition_creates_one_page_and_changes_only_its_neighbours(small):
    docs = small.docs_dir
    template = write_new_brief(small.briefings_dir, 30, seed=7)
    pipeline.generate(small)
    tag = topics_of(docs / f"briefings/{template.stem}.md")[0]
    topic = f"topics/{tag}"
    created_for_topic = []
    for number in range(1, SIZES["LIST_PAGE_SIZE"] + 1):
        before = snapshot(docs)
        newest_copy(small.briefings_dir, template, number)
        written = set(pipeline.generate(small).stats.written)
        after = snapshot(docs)
        created = check_publish(before, after, written)
        assert TOPIC.format(slug=tag) in written
        mine = [p for p in created if p.startswith(f"{topic}/page/")]
        topic_written = {p for p in written if p.startswith(f"{topic}/page/")}
        if mine:
            (page,) = mine
            count = int(OLDER.match(page)["number"])
            neighbour = {f"{topic}/page/{count - 1}.md"} if count > 1 else set()
            assert topic_written == {page} | neighbour
            created_for_topic.append(page)
        else:
            assert topic_written == set()
    assert len(created_for_topic) == 1  # one block filled in ``size`` additions


def test_pager_links_resolve_and_an_older_address_keeps_its_items(small):
    docs = small.docs_dir
    pages = snapshot(docs)
    listings = older_pages(set(pages))
    assert listings
    for base, numbers in listings.items():
        assert numbers == set(range(1, max(numbers) + 1)), base
        for number in numbers:
            path = f"{base}/page/{number}.md"
            nav = NAV.search(pages[path])
            assert nav, path
            for target in re.findall(r"\]\(([^)#]+)\)", nav.group()):
                resolved = (docs / path).parent.joinpath(target).resolve()
                assert resolved.is_file(), (path, target)
            soup = BeautifulSoup(nav.group(), "html.parser")
            assert soup.nav["aria-label"].startswith("Pages of "), path
        first = NAV.search(pages[first_page(base, pages)])
        assert first and 'aria-current="page"' in first.group(), base


WHOLE_LISTS = frozenset(
    {
        "appearances",
        "quotes_by_speaker",
        "anonymous_quotes",
        "proposals_by_actor",
        "positions_by_actor",
        "events_by_actor",
        "disputes_by_actor",
        "by_tag",
        "proposals_by_status",
        "events_by_place",
        "quotes_by_place",
        "entries_by_place",
        "threads",
        "questions",
        "entries",
    }
)
"""The index's lists that stably paginated listings are cut from: a first page reads them."""


def test_an_older_page_records_only_its_block_not_its_whole_list(small):
    saved = graph.load(small.docs_dir)
    assert saved is not None
    older = [p for p in saved.outputs if OLDER.match(p) and not p.startswith(NUMBERED)]
    assert len(older) > 20
    for path in older:
        keys = [saved.keys[n] for n in saved.outputs[path]]
        assert ("plan", path) in keys
        whole = [k for k in keys if k[0] in WHOLE_LISTS]
        assert whole == [], (path, whole)
    firsts = {first_page(OLDER.match(p)["base"], saved.outputs) for p in older}
    assert all(any(saved.keys[n][0] in WHOLE_LISTS for n in saved.outputs[p]) for p in firsts), (
        "a first page reads its whole lists"
    )


def test_publishing_and_withdrawing_briefs_incrementally_matches_a_clean_build(small, tmp_path):
    docs = small.docs_dir
    template = write_new_brief(small.briefings_dir, 30, seed=7)
    copies = [newest_copy(small.briefings_dir, template, n) for n in range(1, 3)]
    pipeline.generate(small)
    copies[0].unlink()  # withdraw one, publish two more: blocks fill and empty again
    for n in range(3, 5):
        newest_copy(small.briefings_dir, template, n)
    pipeline.generate(small)
    template.unlink()
    pipeline.generate(small)
    clean = dataclasses.replace(small, docs_dir=tmp_path / "clean-docs")
    pipeline.generate(clean)
    assert snapshot(docs) == snapshot(clean.docs_dir)


def test_a_publish_takes_the_older_pages_of_unchanged_listings_from_the_last_run(
    small, monkeypatch
):
    reused: list[int] = []
    settle = graph.Inputs.settle_plan

    def counting(self, *args, **kwargs):
        paths = settle(self, *args, **kwargs)
        reused.append(self.reused)
        return paths

    monkeypatch.setattr(graph.Inputs, "settle_plan", counting)
    saved = graph.load(small.docs_dir)
    assert saved is not None
    older = [p for p in saved.outputs if OLDER.match(p) and not p.startswith(NUMBERED)]
    write_new_brief(small.briefings_dir, 30, seed=7)
    pipeline.generate(small)  # every test digests what it takes again, and compares (conftest)
    assert 0 < reused[-1] < len(older), "the listings the new brief joins are digested again"


def test_an_older_page_taken_again_is_checked_against_its_digest(small, monkeypatch):
    monkeypatch.setattr(graph._Reuse, "plan", lambda *args: bytes(graph.DIGEST_SIZE))
    write_new_brief(small.briefings_dir, 30, seed=7)
    with pytest.raises(AssertionError, match="taken again, but it changed"):
        pipeline.generate(small)
