"""The tracker as a status board and the home page as a front page (issue 14, part E).

Unit tests read the small synthetic briefs of tests/fixtures/board: one proposal
goes from proposed to under discussion (reported twice) to agreed, a second is
rejected, a story runs over three briefings, one of them corrected. End-to-end
tests build that site and the real one, and read the HTML with a parser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from generator.index import Index, front_page, proposals_by_status, stance_grid
from generator.load import load_yaml
from generator.models import ProposalStatus, Stance
from generator.render import short_date, status_change
from generator.validate import validate_actors, validate_brief
from tests.conftest import FIXTURES, ROOT, fixture_index, make_project

BOARD = FIXTURES / "board"


@pytest.fixture(scope="module")
def index() -> Index:
    return fixture_index(BOARD)[0]


# --- Status history -------------------------------------------------------------------


def test_the_history_lists_changes_of_status_not_briefings(index):
    history = index.proposals["canal-toll"].history()
    assert [(c.before, c.status, c.entry.slug) for c in history] == [
        (None, ProposalStatus.PROPOSED, "canal-plan-floated"),
        (ProposalStatus.PROPOSED, ProposalStatus.UNDER_DISCUSSION, "canal-plan-debated"),
        # canal-hearing repeats "under discussion": no change, no line
        (ProposalStatus.UNDER_DISCUSSION, ProposalStatus.AGREED, "canal-toll-agreed"),
    ]
    assert len(index.proposals["canal-toll"].reports) == 4


def test_a_change_is_dated_by_its_brief_and_worded_as_a_move(index):
    first, second, last = index.proposals["canal-toll"].history()
    assert first.date == dt.date(2025, 2, 1)
    assert second.date == dt.date(2025, 3, 1)
    # the agreeing brief was corrected on 12 April: its status holds as of then
    assert last.date == dt.date(2025, 4, 12)
    assert [status_change(c) for c in (first, second, last)] == [
        "First reported as proposed",
        "Proposed → under discussion",
        "Under discussion → agreed",
    ]
    assert short_date(last.date) == "12 Apr 2025"
    assert index.proposals["canal-toll"].last_change == last


def test_a_proposal_reported_once_has_one_entry(index):
    (only,) = index.proposals["ferry-subsidy"].history()
    assert (only.before, only.status) == (None, ProposalStatus.REJECTED)


# --- Grouping by status and the stance grid -------------------------------------------


def test_the_board_groups_proposals_by_status_in_the_order_a_proposal_moves(index):
    board = [(status, [t.id for t in items]) for status, items in proposals_by_status(index)]
    assert board == [
        (ProposalStatus.AGREED, ["canal-toll"]),
        (ProposalStatus.REJECTED, ["ferry-subsidy"]),
    ]


def test_an_empty_site_has_an_empty_board():
    index = Index(entries=[], actors={})
    assert proposals_by_status(index) == []
    assert stance_grid(index).cells == {}
    assert front_page(index).lead is None


def test_the_stance_grid_has_one_cell_per_stance(index):
    grid = stance_grid(index)
    assert [t.id for t in grid.proposals] == ["canal-toll", "ferry-subsidy"]
    assert grid.cells == {
        ("canal-toll", "ruritania"): Stance.SUPPORTS,
        ("canal-toll", "alliance"): Stance.SUPPORTS,  # a position in an older brief
        # the newer brief lists Borduria as an opponent: its older cautious position yields
        ("canal-toll", "borduria"): Stance.OPPOSES,
        ("ferry-subsidy", "ruritania"): Stance.OPPOSES,
        # listed as an opponent, but its position in the same brief says cautious
        ("ferry-subsidy", "borduria"): Stance.CAUTIOUS,
        ("ferry-subsidy", "alice-example"): Stance.MIXED,
        ("ferry-subsidy", "bob-sample"): Stance.NEUTRAL,
    }
    # the actors with the most stances first, then by name
    assert grid.actors == ["borduria", "ruritania", "alice-example", "bob-sample", "alliance"]
    assert index.proposals["ferry-subsidy"].opposers() == ["ruritania"]
    assert index.proposals["canal-toll"].backers() == ["ruritania", "alliance"]


# --- The front page -------------------------------------------------------------------


def test_the_lead_is_the_story_most_recently_published_or_updated(index):
    front = front_page(index)
    assert front.lead is not None
    assert front.lead.entry.slug == "canal-toll-agreed"
    assert front.lead.earlier == 2 and front.lead.thread == "canal-plan-floated"
    assert front.lead.corrected


def test_the_rest_are_grouped_by_topic_each_story_once(index):
    front = front_page(index)
    sections = [
        (tag.name if tag else None, [s.entry.slug for s in stories])
        for tag, stories in front.sections
    ]
    # the story's earlier briefings (canal-plan-*) are not listed again
    assert sections == [("Parliament", ["canal-hearing"]), (None, ["lighthouse-notice"])]
    assert front.more == 0
    assert not any(s.corrected for _, stories in front.sections for s in stories)


def test_the_front_page_shows_the_latest_n_stories_and_counts_the_rest(index):
    front = front_page(index, limit=1)
    assert [[s.entry.slug for s in stories] for _, stories in front.sections] == [["canal-hearing"]]
    assert front.more == 1


# --- The built pages --------------------------------------------------------------------


def soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "lxml")


@pytest.fixture(scope="module")
def board_site(tmp_path_factory) -> Path:
    return pipeline.build(make_project(tmp_path_factory.mktemp("board"), BOARD)).site_dir


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    return pipeline.build(
        make_project(tmp_path_factory.mktemp("real"), ROOT / "briefings")
    ).site_dir


def words(node) -> str:
    return " ".join(node.get_text().split())


@pytest.mark.build
def test_the_tracker_is_a_board_of_cards_in_status_columns(board_site):
    article = soup(board_site, "proposals").select_one("article")
    assert article.find("table", recursive=True).find_parent(class_="stance-grid") is not None
    columns = article.select(".board > .board__column")
    assert [c.find("h2")["id"] for c in columns] == ["status-agreed", "status-rejected"]
    card = columns[0].select_one(".board-card")
    assert card.find("h3")["id"] == "proposal-canal-toll"
    assert words(card.select_one(".board-card__change")) == (
        "Last change: Under discussion → agreed, 12 Apr 2025"
    )
    assert words(card.select(".board-card__who")[0]) == "Backed by: Ruritania, The Alliance"
    history = [words(li) for li in card.select("ol > li")]
    assert history == [
        "First reported as proposed, 1 Feb 2025, in Ruritania floats a canal toll",
        "Proposed → under discussion, 1 Mar 2025, in The canal toll goes to talks",
        "Under discussion → agreed, 12 Apr 2025, in Canal toll agreed, ferry subsidy dropped",
    ]
    briefs = [a["href"] for a in card.select(".board-card__briefs a")]
    assert briefs == [
        "../briefings/canal-toll-agreed/#proposal-canal-toll",
        "../briefings/canal-hearing/#proposal-canal-toll",
        "../briefings/canal-plan-debated/#proposal-canal-toll",
        "../briefings/canal-plan-floated/#proposal-canal-toll",
    ]


def read_grid(page: BeautifulSoup) -> dict[tuple[str, str], str]:
    """(proposal id, actor name) → stance, from the stance grid's table."""
    region = page.select_one("div.stance-grid[role=region]")
    table = region.find("table")
    assert region["aria-labelledby"] == table.caption["id"]
    actors = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    cells: dict[tuple[str, str], str] = {}
    for row in table.select("tbody tr"):
        proposal = row.th.a["href"].removeprefix("#proposal-")
        assert row.th["scope"] == "row"
        for actor, td in zip(actors, row.find_all("td"), strict=True):
            if td.get("data-stance"):
                # colour and a symbol for the eye, the word for a screen reader
                symbol, word = td.find_all("span")
                assert symbol["aria-hidden"] == "true" and symbol.get_text().strip()
                assert word.get_text() == td["data-stance"].capitalize()
                cells[(proposal, actor)] = td["data-stance"]
            else:
                assert td.get_text() == ""
    return cells


@pytest.mark.build
def test_the_stance_grid_has_one_cell_per_position(board_site):
    cells = read_grid(soup(board_site, "proposals"))
    assert cells == {
        ("canal-toll", "Ruritania"): "supports",
        ("canal-toll", "The Alliance"): "supports",
        ("canal-toll", "Borduria"): "opposes",
        ("ferry-subsidy", "Ruritania"): "opposes",
        ("ferry-subsidy", "Borduria"): "cautious",
        ("ferry-subsidy", "Alice Example"): "mixed",
        ("ferry-subsidy", "Bob Sample"): "neutral",
    }


@pytest.mark.build
def test_every_position_about_a_proposal_has_its_cell_on_the_real_tracker(real_site):
    """Read from the briefs themselves, not from the index that drew the grid."""
    actors, _ = validate_actors(load_yaml(ROOT / "briefings" / "actors.yml"))
    names = {actor_id: actor.name for actor_id, actor in actors.items()}
    expected: set[tuple[str, str]] = set()
    for path in (ROOT / "briefings").glob("*.yml"):
        if path.name in ("actors.yml", "places.yml"):
            continue
        valid, _ = validate_brief(load_yaml(path))
        for position in valid.brief.positions:
            if position.proposal:
                expected.add((position.proposal, names[position.actor]))
        for proposal in valid.brief.proposals:
            expected |= {(proposal.id, names[a]) for a in proposal.proponents}
            expected |= {(proposal.id, names[a]) for a in proposal.opponents}
    cells: dict[tuple[str, str], str] = {}
    tracker = [p.parent for p in real_site.glob("proposals/**/index.html")]  # board, status pages
    assert len(tracker) > 1, "the real tracker has no status page: is BOARD_LIMIT still small?"
    for folder in tracker:
        cells |= read_grid(soup(real_site, str(folder.relative_to(real_site))))
    assert set(cells) == expected
    assert len(cells) == len(expected)


def read_chart(page: BeautifulSoup) -> list[tuple[str, int]]:
    svg = page.select_one("figure.status-overview svg.status-chart")
    assert svg["role"] == "img"
    bars = [(r["data-status"], int(r["data-count"])) for r in svg.find_all("rect")]
    x = 0
    for rect, (_, count) in zip(svg.find_all("rect"), bars, strict=True):
        assert (int(rect["x"]), int(rect["width"])) == (x, count)
        x += count
    assert svg["viewbox"] == f"0 0 {x} 1"
    label = ", ".join(f"{n} {s.replace('-', ' ')}" for s, n in bars)
    assert svg["aria-label"] == f"{x} proposal{'s' if x != 1 else ''}: {label}"
    return bars


@pytest.mark.build
def test_the_status_board_draws_one_bar_per_status_as_wide_as_its_count(board_site, real_site):
    assert read_chart(soup(board_site, "")) == [("agreed", 1), ("rejected", 1)]
    assert read_chart(soup(board_site, "proposals")) == [("agreed", 1), ("rejected", 1)]
    statuses: dict[str, set[str]] = {}
    for path in (ROOT / "briefings").glob("*.yml"):
        if path.name not in ("actors.yml", "places.yml"):
            valid, _ = validate_brief(load_yaml(path))
            for p in valid.brief.proposals:
                statuses.setdefault(p.id, set()).add(p.status.value)
    counts = read_chart(soup(real_site, ""))
    assert sum(n for _, n in counts) == len(statuses)
    tiles = soup(real_site, "").select(".status-tiles .status-tile")
    assert [t.h3.span.get_text() for t in tiles] == [str(n) for _, n in counts]


@pytest.mark.build
def test_the_front_page_leads_with_one_story_then_groups_the_rest_by_topic(board_site):
    article = soup(board_site, "").select_one("article")
    lead = article.select_one("section.lead-story")
    assert lead.h2.a["href"] == "briefings/canal-toll-agreed/"
    assert words(lead.select_one(".brief-meta")) == (
        "1 April 2025 · Updated 12 Apr 2025 · Corrected · Improved"
    )
    assert [words(li) for li in lead.select(".lead-story__points li")] == [
        "The canal toll was agreed.",
        "The ferry subsidy was dropped.",
    ]
    earlier = lead.select_one("p.story-earlier a")
    assert (words(earlier), earlier["href"]) == (
        "2 earlier briefings in this story",
        "threads/canal-plan-floated/",
    )
    groups = article.select("section.story-group")
    assert [g.h2.contents[0].strip() for g in groups] == ["Parliament", "More briefings"]
    stories = [a["href"] for a in article.select(".story-card h3 a:not(.headerlink)")]
    assert stories == ["briefings/canal-hearing/", "briefings/lighthouse-notice/"]
    assert groups[0].select_one(".story-group__more a")["href"] == "topics/parliament/"
    assert article.select_one(".story-card .brief-meta").get_text(strip=True) == "10 March 2025"


@pytest.mark.build
def test_each_real_story_appears_once_on_the_front_page(real_site):
    article = soup(real_site, "").select_one("article")
    heads = [
        a["href"]
        for a in article.select("section.lead-story h2 a, .story-card h3 a")
        if not a.get("class")
    ]
    assert len(heads) == len(set(heads)) == 5  # six briefs, two of them one story
    seed, ft = "nato-weighs-assertive-response", "ft-report-armed-drones-rules-of-engagement"
    assert f"briefings/{ft}/" in heads and f"briefings/{seed}/" not in heads
    thread_links = [a["href"] for a in article.select("p.story-earlier a")]
    assert thread_links == [f"threads/{seed}/"]
