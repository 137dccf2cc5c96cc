"""Disputes, certainty and the objects of positions (issue 12, items 1 to 3).

Unit tests on the model and the index, word-for-word checks of the problems
authors see, and an end-to-end strict build of the fixture briefs and of the
real ones, whose HTML is read with a real parser.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from generator.config import load_settings
from generator.errors import Problem
from generator.feeds import brief_data, load_export
from generator.index import Entry, build_index
from generator.load import load_yaml
from generator.models import Certainty, Event, Point, Position
from generator.validate import validate_actors, validate_brief
from tests.conftest import FIXTURES, ROOT, make_project

GOOD = FIXTURES / "disagreement"
BAD = FIXTURES / "disagreement-bad"


def _index(folder: Path = GOOD):
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    actors, _ = validate_actors(load_yaml(folder / "actors.yml"))
    briefs = [validate_brief(load_yaml(path))[0] for path in sorted(folder.glob("*.yml"))]
    return build_index([b for b in briefs if b], actors, settings.related)


# --- The model ------------------------------------------------------------------


def test_contested_is_read_as_disputed_and_not_exported():
    point = Point.model_validate({"text": "A claim.", "contested": True})
    event = Event.model_validate({"date": "2025-09", "what": "It happened.", "contested": True})
    assert point.certainty is not None and point.certainty.level is Certainty.DISPUTED
    assert event.certainty is not None and event.certainty.level is Certainty.DISPUTED
    assert "contested" not in point.model_dump()
    assert Point.model_validate(point.model_dump()) == point


def test_certainty_given_beside_contested_wins():
    point = Point.model_validate(
        {"text": "A claim.", "contested": True, "certainty": {"level": "reported"}}
    )
    assert point.certainty is not None and point.certainty.level is Certainty.REPORTED


def test_a_position_cannot_be_about_a_proposal_and_an_issue():
    with pytest.raises(ValueError, match="give 'proposal' or 'issue', not both"):
        Position.model_validate(
            {"actor": "x", "stance": "supports", "summary": "S.", "proposal": "p", "issue": "I"}
        )


def test_the_json_export_round_trips_disputes_and_certainty():
    index = _index()
    entry = index.by_slug["border-clash"]
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=GOOD)
    text = json.dumps(brief_data(settings, entry))
    assert load_export(text) == entry.brief
    exported = json.loads(text)
    assert exported["events"][0]["certainty"] == {
        "level": "reported",
        "reason": "one newspaper's account",
    }
    assert exported["events"][0]["disputes"][0]["by"] == ["borduria", "bob-envoy"]


# --- Validation -----------------------------------------------------------------


def test_mistakes_are_reported_where_they_are_written(tmp_path):
    shutil.copytree(BAD, tmp_path / "briefings")
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=tmp_path / "briefings")
    checked = pipeline.check(settings)
    problems = sorted(checked.report.problems, key=Problem.sort_key)
    shown = [str(p).split("briefings/", 1)[1] for p in problems]
    assert shown == [
        "bad-disputes.yml:7:24: key_points[1].certainty.level: 'confirmd' is not one of: "
        "confirmed, reported, unconfirmed, disputed; did you mean 'confirmed'?",
        "bad-disputes.yml:9:14: key_points[1].disputes[1].by[1]: unknown actor 'borduira'; "
        "did you mean 'borduria'?",
        "bad-disputes.yml:20:12: positions[1].issue: a position is about one thing: give 'proposal' "
        "or 'issue', not both",
        "bad-references.yml:7:5: warning: events[1].contested: 'contested' is deprecated; it is "
        "read as 'certainty: {level: disputed}'; write 'certainty:' with a 'level' (confirmed, "
        "reported, unconfirmed or disputed) and a short 'reason', and name who disputes it "
        "under 'disputes'",
        "bad-references.yml:11:19: events[1].disputes[1].sources[1]: unknown source 'gazete'; "
        "did you mean 'gazette'?",
        "bad-references.yml:17:5: warning: positions[1]: the position does not say what it is "
        "about; add 'proposal: <id of one of the brief's proposals>' or 'issue: <what the "
        "stance is about>'",
        "bad-references.yml:22:15: positions[2].proposal: unknown proposal 'bufer-zone'; "
        "did you mean 'buffer-zone'?",
    ]


def test_the_fixture_and_the_real_briefs_have_no_problem(tmp_path):
    for folder in (GOOD, ROOT / "briefings"):
        settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
        checked = pipeline.check(settings)
        assert [str(p) for p in checked.report.problems] == []


# --- The index ------------------------------------------------------------------


def test_the_merged_timeline_keeps_each_briefs_certainty():
    (item,) = [t for t in _index().timeline if t.event.id == "border-clash"]
    levels = {slug: note.level.value for slug, note in item.certainties.items() if note}
    assert levels == {"border-clash": "reported", "clash-inquiry": "confirmed"}
    assert item.certainty_differs


def test_the_merged_timeline_shows_one_certainty_when_briefs_agree(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(GOOD, folder)
    inquiry = folder / "clash-inquiry.yml"
    inquiry.write_text(
        inquiry.read_text(encoding="utf-8").replace(
            "{level: confirmed, reason: the Alliance's inquiry}",
            "{level: reported, reason: one newspaper's account}",
        ),
        encoding="utf-8",
    )
    (item,) = [t for t in _index(folder).timeline if t.event.id == "border-clash"]
    assert not item.certainty_differs
    assert item.certainty is not None and item.certainty.level is Certainty.REPORTED


def test_each_actor_has_their_disputes_numbered_as_on_the_page():
    index = _index()
    envoy = [(r.entry.slug, r.number, r.claim) for r in index.disputes_by_actor["bob-envoy"]]
    assert envoy == [
        ("border-clash", 2, "Troops clash at two border posts."),
        ("border-clash", 3, "Who fired first"),
    ]
    assert [r.number for r in index.disputes_by_actor["borduria"]] == [1, 2]
    assert "bob-envoy" in index.by_slug["border-clash"].brief.actor_ids()


def test_positions_about_a_proposal_feed_the_tracker():
    tracked = _index().proposals["buffer-zone"]
    assert tracked.backers() == ["ruritania", "alliance"]
    assert tracked.opposers() == ["borduria"]
    stands = {
        actor: [s for s, ref in refs if ref.proposal.id == "buffer-zone"]
        for actor, refs in _index().proposals_by_actor.items()
    }
    assert stands["borduria"] == ["opposes"]
    assert stands["alliance"] == ["backs"]


def test_a_cautious_position_stays_out_of_the_tracker_columns():
    index = _index()
    entry: Entry = index.by_slug["border-clash"]
    assert entry.brief.positions[1].stance.value == "cautious"
    assert "alliance" not in index.proposals["buffer-zone"].opposers()


# --- End to end -------------------------------------------------------------------


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "lxml")


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    settings = make_project(tmp_path_factory.mktemp("disagreement"), GOOD)
    return pipeline.build(settings).site_dir


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    settings = make_project(tmp_path_factory.mktemp("real"), ROOT / "briefings")
    return pipeline.build(settings).site_dir


@pytest.mark.build
def test_every_dispute_mark_links_to_its_block(fixture_site):
    page = soup(fixture_site, "briefings/border-clash/index.html")
    marks = page.select("a.dispute-mark")
    assert [(a.get_text(), a["href"]) for a in marks] == [
        ("Disputed by Borduria", "#dispute-1"),
        ("Disputed by Borduria and Bob Envoy", "#dispute-2"),
        ("Disputed by Bob Envoy", "#dispute-3"),
    ]
    block = page.find(id="disagreement")
    assert block is not None and block.get_text(strip=True).startswith("Room for disagreement")
    for mark in marks:
        target = page.find(id=mark["href"][1:])
        assert target is not None and "dispute-claim" in target["class"]
    says = [p.get_text(" ", strip=True) for p in page.select("p.dispute-says")]
    assert says[2] == "What they say instead: Ruritanian guards fired first . [2]"
    assert page.select("p.dispute-says em")[0].get_text() == "fired first"


@pytest.mark.build
def test_certainty_shows_level_and_reason_on_each_item(fixture_site):
    page = soup(fixture_site, "briefings/border-clash/index.html")
    shown = [
        (badge.get_text(), badge.find_next_sibling("span", class_="certainty-reason").get_text())
        for badge in page.select("span.certainty")
    ]
    assert shown == [
        ("Disputed", "Borduria denies it"),
        ("Confirmed", "photographed by the Gazette"),
        ("Reported", "one newspaper's account"),
        ("Unconfirmed", "no independent witness"),
    ]


@pytest.mark.build
def test_every_stance_has_its_object(fixture_site):
    page = soup(fixture_site, "briefings/border-clash/index.html")
    rows = page.find(id="positions").find_next("table").select("tbody tr")
    objects = [row.select("td")[2].get_text(strip=True) for row in rows]
    assert objects == ["A buffer zone along the border", "Sending observers to the border"]
    assert rows[0].select("td")[2].a["href"] == "#proposal-buffer-zone"
    card = soup(fixture_site, "proposals/index.html").find(id="proposal-buffer-zone").parent
    backed, opposed = card.select("p.board-card__who")[:2]
    assert [a.get_text() for a in backed.select("a")] == ["Ruritania", "The Alliance"]
    assert opposed.get_text(strip=True) == "Opposed by:Borduria"


@pytest.mark.build
def test_the_timeline_and_actor_pages_show_each_briefs_certainty(fixture_site):
    (month,) = [
        str(p.relative_to(fixture_site)) for p in fixture_site.glob("timeline/*/index.html")
    ]
    for page in (month, "actors/borduria/index.html"):
        html = soup(fixture_site, page)
        assert html.select_one("span.certainty-differs") is not None, page
        assert [b.get_text() for b in html.select("span.certainty")] == ["Reported", "Confirmed"]
    actor = soup(fixture_site, "actors/bob-envoy/index.html")
    links = [a["href"] for a in actor.find(id="disputes").find_next("ul").select("a")]
    assert links == [
        "../../briefings/border-clash/#dispute-2",
        "../../briefings/border-clash/#dispute-3",
    ]


@pytest.mark.build
def test_the_real_site_shows_russias_denials_and_every_stance_with_its_object(real_site):
    seed = soup(real_site, "briefings/nato-weighs-assertive-response/index.html")
    rows = seed.find(id="positions").find_next("table").select("tbody tr")
    by_actor = {r.select("td")[0].get_text(strip=True): r.select("td") for r in rows}
    assert by_actor["Cautious NATO allies"][1].get_text(strip=True) == "Cautious"
    assert by_actor["Russia"][1].get_text(strip=True) == "Opposes"
    for page in sorted(real_site.glob("briefings/*/index.html")):
        html = soup(real_site, str(page.relative_to(real_site)))
        heading = html.find(id="positions")
        if heading is None:
            continue
        for row in heading.find_next("table").select("tbody tr"):
            assert row.select("td")[2].get_text(strip=True), (page, row)
    for slug in ("nato-weighs-assertive-response", "poland-drone-incursion-september-2025"):
        page = soup(real_site, f"briefings/{slug}/index.html")
        blocks = [p.get_text(" ", strip=True) for p in page.select("p.dispute-says")]
        assert any("called the accusations groundless" in b for b in blocks), slug
    months = [
        soup(real_site, str(p.relative_to(real_site)))
        for p in real_site.glob("timeline/*/index.html")
    ]
    (estonia,) = [
        li for month in months for li in month.select("li") if "Estonia —" in li.get_text()
    ]
    assert [b.get_text() for b in estonia.select("span.certainty")] == ["Reported", "Disputed"]
    russia = soup(real_site, "actors/russia/index.html")
    assert russia.find(id="disputes") is not None
