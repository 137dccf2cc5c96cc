"""Story threads, updates and corrections, why it matters and what's next, brief related reasons.

Issue 12, items 4, 5, 6 and 10: the checks (located, word for word), the index,
the pages as built by a strict MkDocs build and read with a parser, the feeds
and the JSON-LD.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import types
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from generator import pipeline, render
from generator.config import load_settings
from generator.feeds import load_export
from generator.index import Related, index_threads, reason
from generator.load import load_yaml
from generator.models import Brief
from generator.validate import output_collisions, validate_brief
from tests.conftest import FIXTURES, ROOT, fixture_index, make_project

THREADS = FIXTURES / "threads"
ERRORS = FIXTURES / "thread-errors"
STORY = "ferry-talks-open"
"""The thread's id: the slug of the story's first brief."""


# --- Model and checks ---------------------------------------------------------------


def test_updated_is_the_latest_change_when_left_out():
    brief = Brief.model_validate(
        {
            "title": "T",
            "date": "2025-01-01",
            "summary": "S",
            "sources": [{"id": "src", "outlet": "O"}],
            "changes": [
                {"date": "2025-02-03", "what": "Later."},
                {"date": "2025-01-10", "what": "Earlier."},
            ],
        }
    )
    assert brief.updated == dt.date(2025, 2, 3)
    assert "updated" not in brief.model_fields_set


EXPECTED_ERRORS = [  # the fixtures of tests/fixtures/thread-errors, checked on 1 June 2025
    "after-draft.yml:4:12: continues: continues 'draft-start', which is a draft; "
    "publish 'draft-start' first, or remove 'continues'",
    "bad-changes.yml:3:10: updated: 'updated' (2025-01-06) disagrees with the latest change "
    "(2025-01-07); remove 'updated': it is taken from the latest entry of 'changes'",
    "bad-changes.yml:5:12: direction: 'direction' says where the story went since the brief "
    "this one continues, but 'continues' is missing; add 'continues: <slug of the earlier "
    "brief>', or remove 'direction'",
    "bad-changes.yml:8:13: why_it_matters.sources[1]: unknown source 'nowhere'; "
    "sources defined in this brief: src",
    "bad-changes.yml:10:11: changes[1].date: change dated 2025-01-04 is before 'date' "
    "(2025-01-05); a change comes after publication; correct the date",
    "bad-fields.yml:6:12: whats_next.sources: needs at least 1 item(s)",
    "bad-fields.yml:7:12: direction: 'worse' is not one of: deteriorated, unchanged, improved",
    "before-its-start.yml:4:12: continues: continues 'after-draft', which is dated later "
    "(2025-01-02); a brief continues an earlier one; check both dates",
    "future-change.yml:5:11: changes[1].date: change dated 2099-01-01 is later than the day "
    "of the build (2025-06-01); write the day the brief was changed",
    "loop-a.yml:4:12: continues: 'continues' makes a cycle: loop-a → loop-b → loop-a; "
    "the first brief of a story continues nothing; remove 'continues' there",
    "loop-b.yml:4:12: continues: 'continues' makes a cycle: loop-b → loop-a → loop-b; "
    "the first brief of a story continues nothing; remove 'continues' there",
    "missing-start.yml:4:12: continues: unknown brief 'no-such-brief'; "
    "use the file name of a brief, without .yml",
]


def test_story_errors_are_reported_where_they_are(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(ERRORS, folder)
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    settings = dataclasses.replace(settings, today=dt.date(2025, 6, 1))
    checked = pipeline.check(settings)
    found = sorted(str(p).split("briefings/", 1)[1] for p in checked.report.errors)
    assert found == sorted(EXPECTED_ERRORS)


def test_the_story_fixtures_are_valid():
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=THREADS)
    assert pipeline.check(settings).report.errors == []


def test_thread_pages_join_the_generated_path_check():
    """A thread's outputs are claimed like a brief's: here one lands on the home page."""
    docs = [load_yaml(p) for p in sorted(THREADS.glob("*.yml")) if p.name != "actors.yml"]
    registry = load_yaml(THREADS / "actors.yml")
    assert output_collisions(docs, registry, render, ["index.md"]) == []
    clashing = types.SimpleNamespace(
        brief_outputs=render.brief_outputs,
        actor_outputs=render.actor_outputs,
        topic_outputs=render.topic_outputs,
        place_outputs=render.place_outputs,
        thread_outputs=lambda thread_id: ("index.md",),
        address=render.address,
    )
    problems = output_collisions(docs, registry, clashing, ["index.md"])
    assert [str(p).split("threads/", 1)[1] for p in problems] == [
        "ferry-talks-open.yml:1:1: story thread 'ferry-talks-open' and the site's own page would "
        "both be published at /; rename the first brief of the story"
    ]


# --- Index ----------------------------------------------------------------------------


def test_a_thread_holds_its_briefings_in_order_with_one_merged_timeline():
    index, _ = fixture_index(THREADS)
    assert list(index.threads) == [STORY]
    thread = index.threads[STORY]
    assert [e.slug for e in thread.entries] == [
        "ferry-talks-open",
        "ferry-talks-stall",
        "ferry-deal-signed",
    ]
    assert [(i.event.what, i.slugs) for i in thread.timeline] == [
        ("Ferry talks open.", ["ferry-talks-open", "ferry-talks-stall"]),
        ("Talks stall over fares.", ["ferry-talks-stall"]),
        ("The ferry deal is signed.", ["ferry-deal-signed"]),
    ]
    # Like the site's timeline, the story's keeps each brief's certainty of each event.
    assert [list(i.certainties) for i in thread.timeline] == [i.slugs for i in thread.timeline]
    assert "lighthouse-repainted" not in index.thread_of


def test_listings_show_a_story_once_by_its_latest_briefing():
    index, _ = fixture_index(THREADS)
    grouped = [(e.slug, [x.slug for x in earlier]) for e, earlier in index.by_story(index.entries)]
    assert grouped == [
        ("ferry-deal-signed", ["ferry-talks-stall", "ferry-talks-open"]),
        ("lighthouse-repainted", []),
    ]
    # A listing that holds only part of the story shows that part.
    part = [index.by_slug["ferry-talks-stall"], index.by_slug["ferry-talks-open"]]
    assert [(e.slug, [x.slug for x in r]) for e, r in index.by_story(part)] == [
        ("ferry-talks-stall", ["ferry-talks-open"])
    ]


def test_a_continues_to_a_brief_off_the_site_starts_the_story_there():
    index, _ = fixture_index(THREADS)
    entries = [e for e in index.entries if e.slug != "ferry-talks-open"]
    brief = index.by_slug["ferry-talks-stall"].brief
    assert brief.continues == "ferry-talks-open"
    index.entries = entries
    index.by_slug = {e.slug: e for e in entries}
    index_threads(index)
    assert [e.slug for e in index.threads["ferry-talks-stall"].entries] == [
        "ferry-talks-stall",
        "ferry-deal-signed",
    ]


def test_related_briefings_of_one_story_are_labelled_and_name_a_shared_event():
    index, _ = fixture_index(THREADS)
    related = {r.slug: r for r in index.related["ferry-talks-stall"]}
    first = related["ferry-talks-open"]
    assert first.same_story
    assert reason(first).startswith("same story · same event: “Ferry talks open")


def test_a_reason_names_three_items_then_how_many_more():
    item = Related(
        "x",
        explicit=False,
        shared=("proposal: P", "“E” (1 May 2025)", "Ruritania", "Borduria", "ferries"),
        same_story=True,
        same_events=("“E” (1 May 2025)",),
    )
    assert reason(item) == (
        "same story · same event: “E” (1 May 2025) · shared: proposal: P, Ruritania and 2 more"
    )
    assert reason(Related("y", explicit=True)) == "suggested by the author"
    assert reason(Related("z", explicit=False, shared=("A", "B"))) == "shared: A, B"
    events = ("“E1”", "“E2”", "“E3”", "“E4”")
    crowded = Related("w", explicit=False, shared=(*events, "Ruritania"), same_events=events)
    assert reason(crowded) == "same events: “E1”, “E2”, “E3” and 1 more · 1 more in common"


# --- The built site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def story_site(tmp_path_factory) -> Path:
    settings = make_project(tmp_path_factory.mktemp("story"), THREADS)
    return pipeline.build(settings).site_dir


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "lxml")


def texts(nodes) -> list[str]:
    return [" ".join(n.get_text().split()) for n in nodes]


@pytest.mark.build
def test_the_thread_page_lists_the_briefings_in_order_with_their_direction(story_site):
    thread = page(story_site, f"threads/{STORY}").select_one("article")
    items = thread.find(id="briefings").find_next("ol").find_all("li", recursive=False)
    assert [li.a["href"] for li in items] == [
        "../../briefings/ferry-talks-open/",
        "../../briefings/ferry-talks-stall/",
        "../../briefings/ferry-deal-signed/",
    ]
    assert texts(li.select_one("span.direction") for li in items) == [
        "First briefing",
        "Deteriorated",
        "Improved",
    ]
    timeline = thread.find(id="timeline").find_next("ul").find_all("li")
    assert [t.split(" — ")[0] for t in texts(timeline)] == [
        "1 March 2025",
        "30 March 2025",
        "1 May 2025",
    ]


@pytest.mark.build
def test_home_and_topic_pages_show_the_story_once(story_site):
    home = page(story_site, "").select_one("article")
    heads = home.select("section.lead-story h2 a, .story-card h3 a")
    assert [a["href"] for a in heads if not a.get("class")] == [
        "briefings/ferry-deal-signed/",
        "briefings/lighthouse-repainted/",
    ]
    earlier = home.select_one("p.story-earlier")  # the story's page lists the earlier ones
    assert [(a["href"], a.get_text()) for a in earlier.select("a")] == [
        (f"threads/{STORY}/", "2 earlier briefings in this story"),
    ]
    topic = page(story_site, "topics/ferries").select_one("article")
    top = [li.a["href"] for li in topic.select("article > ul > li")]
    assert top == ["../../briefings/ferry-deal-signed/", "../../briefings/lighthouse-repainted/"]
    assert len(topic.select("p.story-earlier")) == 1


@pytest.mark.build
def test_a_correction_leads_the_page_and_why_and_next_follow_the_bottom_line(story_site):
    article = page(story_site, "briefings/ferry-talks-stall").select_one("article")
    blocks = [
        " ".join(c.get("class", []))
        for c in article.find_all(["div", "p", "details"], recursive=False)
    ]
    order = [b.split()[-1] if b.startswith("admonition") else b for b in blocks if b]
    # The correction first, then the story note, the bottom line, why it matters, what's next.
    assert order[:6] == [
        "brief-meta", "danger", "story-note", "abstract", "why-it-matters", "whats-next"
    ]  # fmt: skip
    correction = article.select_one("div.admonition.danger")
    assert texts([correction.select_one(".admonition-title")]) == ["Correction, 5 April 2025"]
    assert "not over timetables as first written" in correction.get_text()
    assert texts(article.select("p.why-it-matters")) == [
        "Why it matters. The ferry is the only crossing for the border towns.[1]"
    ]
    assert texts(article.select("p.whats-next")) == [
        "What's next. Negotiators meet again on 1 May.[2]"
    ]
    note = article.select_one("p.story-note")
    assert (
        "Continues Ferry talks open between Ruritania and Borduria; since then: Deteriorated."
        in (" ".join(note.get_text().split()))
    )
    changes = article.find(id="changes").find_next("ul").find_all("li")
    assert texts(changes) == [
        "5 April 2025 Correction — The talks stalled over fares, not over timetables as first "
        "written.[1]",
        "3 April 2025 — Added the Gazette's report of the next meeting.[2]",
    ]
    assert "Updated 5 April 2025" in article.select_one("p.brief-meta").get_text()


@pytest.mark.build
def test_related_briefings_of_the_story_say_same_story(story_site):
    article = page(story_site, "briefings/ferry-talks-stall").select_one("article")
    items = texts(article.find(id="related").find_next("ul").find_all("li"))
    assert any(
        t.startswith("Ferry talks open between Ruritania and Borduria — same story") for t in items
    )


@pytest.mark.build
def test_json_ld_carries_the_correction_date_modified_and_the_story(story_site):
    data = json.loads(
        page(story_site, "briefings/ferry-talks-stall")
        .select_one('script[type="application/ld+json"]')
        .get_text()
    )
    assert data["dateModified"] == "2025-04-05"
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The talks stalled over fares, not over timetables as first written.",
            "datePublished": "2025-04-05",
        }
    ]
    assert data["isPartOf"]["url"].endswith(f"/threads/{STORY}/")


@pytest.mark.build
def test_each_story_has_its_feeds_with_the_changes(story_site):
    atom = feedparser.parse((story_site / "feeds" / "threads" / f"{STORY}.xml").read_bytes())
    assert atom.bozo == 0, atom.get("bozo_exception")
    assert [e.link.split("/")[-2] for e in atom.entries] == [
        "ferry-deal-signed",
        "ferry-talks-stall",
        "ferry-talks-open",
    ]
    stall = atom.entries[1]
    assert stall.updated.startswith("2025-04-05")
    assert "Correction (2025-04-05): The talks stalled over fares" in stall.content[0].value
    feed = json.loads((story_site / "feeds" / "threads" / f"{STORY}.json").read_text())
    item = feed["items"][1]
    assert item["date_modified"].startswith("2025-04-05")
    assert [c["correction"] for c in item["_briefings"]["changes"]] == [True, False]
    head = page(story_site, f"threads/{STORY}").head
    assert f"../../feeds/threads/{STORY}.xml" in [
        link["href"] for link in head.select('link[rel~="alternate"]')
    ]


@pytest.mark.build
def test_the_export_keeps_the_story_fields_and_round_trips(story_site):
    text = (story_site / "data" / "briefings" / "ferry-talks-stall.json").read_text()
    brief = load_export(text)
    original, _ = validate_brief(load_yaml(THREADS / "ferry-talks-stall.yml"))
    assert brief == original.brief
    assert brief.continues == "ferry-talks-open" and len(brief.changes) == 2


# --- The real site ---------------------------------------------------------------------


@pytest.mark.build
def test_the_seed_and_the_ft_report_are_one_story_on_the_real_site(tmp_path):
    site = pipeline.build(make_project(tmp_path, ROOT / "briefings")).site_dir
    seed, ft = "nato-weighs-assertive-response", "ft-report-armed-drones-rules-of-engagement"
    home = page(site, "").select_one("article")
    heads = [a["href"] for a in home.select("h3 a:not(.headerlink)")]
    assert f"briefings/{ft}/" in heads and f"briefings/{seed}/" not in heads
    thread = page(site, f"threads/{seed}").select_one("article")
    items = thread.find(id="briefings").find_next("ol").find_all("li", recursive=False)
    assert [li.a["href"] for li in items] == [f"../../briefings/{seed}/", f"../../briefings/{ft}/"]
    related = page(site, f"briefings/{ft}").find(id="related").find_next("ul")
    assert texts(related.find_all("li"))[0].split(" — ")[1].startswith("same story")
