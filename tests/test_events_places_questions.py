"""Issue 12: shared events, places, and questions that other briefings answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from generator.config import RelatedWeights, load_settings
from generator.feeds import news_article, places_data
from generator.index import build_index
from generator.models import PartialDate
from generator.render import render_briefings
from tests.conftest import FIXTURES, ROOT, make_project


def checked_fixture(tmp_path: Path, name: str) -> pipeline.Checked:
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / name, folder)
    return pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))


def located(problems) -> list[str]:
    return [str(p).split("briefings/", 1)[1] for p in problems]


# --- Item 7: shared events ----------------------------------------------------------


def test_an_event_like_one_of_an_earlier_brief_is_warned_with_the_id_to_reuse(tmp_path):
    checked = checked_fixture(tmp_path, "shared-events")
    assert checked.report.errors == []
    folder = tmp_path / "briefings"
    assert located(checked.report.warnings) == [
        "border-week.yml:5:9: warning: events[1].id: this event looks like event "
        "'border-shooting' of brief 'border-shooting' (10 April 2025, Borduria); if it is the "
        "same event, give it the id 'border-shooting' so that the timeline lists it once; if "
        "not, add 'border-shooting' to its 'not_same_as'",
        "border-week.yml:10:9: warning: events[2].id: this event looks like event "
        "'border-shooting' of brief 'border-shooting' (10 April 2025, Northern crossing); if it "
        "is the same event, give it the id 'border-shooting' so that the timeline lists it "
        "once; if not, add 'border-shooting' to its 'not_same_as'",
        "border-week.yml:15:9: warning: events[3].id: this event looks like events[2] of brief "
        "'border-shooting' (April 2025, The Alliance and Ruritania); if it is the same event, "
        f"give both the same id (in {folder}/border-shooting.yml too) so that the timeline "
        "lists it once",
    ]


def test_an_event_given_the_earlier_id_is_listed_once_citing_both_briefs(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "shared-events", folder)
    week = folder / "border-week.yml"
    week.write_text(
        week.read_text().replace("id: shooting-at-the-border", "id: border-shooting"), "utf-8"
    )
    checked = pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))
    assert not any("'border-shooting' of brief" in str(p) for p in checked.report.warnings)
    index = build_index(checked.briefs, checked.actors, RelatedWeights())
    shootings = [t for t in index.timeline if t.event.id == "border-shooting"]
    assert [t.slugs for t in shootings] == [["border-shooting", "border-week"]]


def test_a_month_only_date_sorts_after_the_days_of_its_month():
    days = [PartialDate.parse(v) for v in ("2025-09-30", "2025-09-01", "2025-10-01")]
    month = PartialDate.parse("2025-09")
    ordered = sorted([*days, month])
    assert [str(d) for d in ordered] == ["2025-09-01", "2025-09-30", "2025-09", "2025-10-01"]
    assert month.human() == "September 2025"


def test_the_seed_page_lists_the_month_only_events_after_the_months_days(real_project):
    checked = pipeline.check(real_project)
    index = build_index(checked.briefs, checked.actors, RelatedWeights())
    [page] = render_briefings(index, real_project, ["nato-weighs-assertive-response"])
    poland = page.text.index("- **10 September 2025** · Poland")
    estonia = page.text.index("- **September 2025** · Estonia")
    october = page.text.index("- **8 October 2025**")
    assert poland < estonia < october


# --- Item 9: questions that resolve ---------------------------------------------------


def test_a_question_another_brief_answers_is_warned_with_its_slug(tmp_path):
    checked = checked_fixture(tmp_path, "questions")
    assert checked.report.errors == []
    assert located(checked.report.warnings) == [
        "coast-questions.yml:8:15: warning: questions[1].question: brief 'harbour-strike' may "
        "answer this question (its proposal 'harbour-pay-deal'); if it does, add 'answered_by: "
        "harbour-strike' to the question; if not, add 'harbour-strike' to its 'not_answered_by'",
        "coast-questions.yml:9:15: warning: questions[2].question: brief 'harbour-strike' may "
        "answer this question (its title shares 'docker' and 'strike'); if it does, add "
        "'answered_by: harbour-strike' to the question; if not, add 'harbour-strike' to its "
        "'not_answered_by'",
    ]


@pytest.mark.parametrize("asker_names_it", [False, True])
def test_one_shared_title_word_and_an_actor_the_question_names_make_a_match(
    tmp_path, asker_names_it
):
    """The prefilter keeps a brief that shares one title word when it is about an actor
    the question names and the asking brief does not; it drops it otherwise."""
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "questions", folder)
    path = folder / "coast-questions.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "questions:\n", "questions:\n  - question: What did Ruritania tell the dockers?\n", 1
    )
    if asker_names_it:
        text = text.replace("sources:\n", "actors: [ruritania]\nsources:\n", 1)
    path.write_text(text, encoding="utf-8")
    checked = pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))
    said = [str(p) for p in checked.report.warnings if "questions[1]." in str(p)]
    if asker_names_it:
        assert said == []
    else:
        assert len(said) == 1
        assert "(its title shares 'docker'; it is about Ruritania)" in said[0]


def test_not_answered_by_names_only_briefs_that_exist(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "questions", folder)
    path = folder / "coast-questions.yml"
    path.write_text(path.read_text().replace("[harbour-strike]", "[harbor-strike]"), "utf-8")
    checked = pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))
    assert located(checked.report.errors) == [
        "coast-questions.yml:12:23: questions[4].not_answered_by[1]: unknown brief "
        "'harbor-strike'; did you mean 'harbour-strike'?"
    ]


def test_the_real_briefs_link_every_question_another_briefing_answers(real_project):
    checked = pipeline.check(real_project)
    assert [str(p) for p in checked.report.warnings if "may answer" in str(p)] == []
    index = build_index(checked.briefs, checked.actors, RelatedWeights())
    answered = {(q.slug, q.question.answered_by) for q in index.questions if q.question.answered_by}
    assert {
        ("nato-weighs-assertive-response", "poland-drone-incursion-september-2025"),
        ("nato-weighs-assertive-response", "nato-eastern-sentry"),
        ("nato-weighs-assertive-response", "airport-drone-disruptions"),
        ("nato-weighs-assertive-response", "eu-response-drone-wall-grey-zone"),
    } <= answered


def test_the_real_briefs_hold_no_event_twice_under_two_ids(real_project):
    checked = pipeline.check(real_project)
    assert [str(p) for p in checked.report.warnings if "looks like event" in str(p)] == []


# --- Item 8: places ---------------------------------------------------------------------


def test_place_registry_and_references_are_checked_with_located_errors(tmp_path):
    checked = checked_fixture(tmp_path, "places")
    assert located(checked.report.errors) == [
        "castle-siege.yml:13:21: events[2].places[2]: unknown place 'strelau'; did you mean "
        "'strelsau'?",
        "places.yml:12:13: zenda.latitude: latitude 91 is out of range; a latitude is between "
        "-90 (south) and 90 (north)",
        "places.yml:14:1: Szohod: 'Szohod' is not a valid place id; use lowercase and hyphens, "
        "like 'szohod'",
        "places.yml:22:14: klow.longitude: longitude -181 is out of range; a longitude is "
        "between -180 (west) and 180 (east)",
        "places.yml:25:12: tarlenheim.country: unknown actor 'bordurria'; did you mean 'borduria'?",
    ]


def test_a_bad_place_is_reported_once_and_the_others_still_resolve(tmp_path):
    checked = checked_fixture(tmp_path, "places")
    assert sorted(checked.places) == ["strelsau", "tarlenheim"]
    assert checked.places["strelsau"].id == "strelsau"
    # 'zenda' is named by the brief too, but reported only in the registry
    assert not [p for p in checked.report.errors if "'zenda'" in str(p)]


def test_the_place_registry_cannot_be_a_symbolic_link(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    target = tmp_path / "elsewhere.yml"
    (folder / "places.yml").rename(target)
    (folder / "places.yml").symlink_to(target)
    checked = pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))
    # the briefs' places are not each reported unknown: the registry itself is the problem
    assert located(checked.report.errors) == [
        "places.yml: the place registry cannot be a symbolic link; copy the file instead"
    ]


def test_a_place_page_cannot_take_the_address_of_another_page(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "valid", folder)
    with (folder / "places.yml").open("a", encoding="utf-8") as registry:
        registry.write("index:\n  name: Index\n  latitude: 1\n  longitude: 2\n")
    checked = pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))
    assert located(checked.report.errors) == [
        "places.yml:10:1: index: place 'index' and the site's own page would both be published "
        "at /places/; choose another id for the place"
    ]


def test_places_export_their_coordinates_for_maps(valid_project):
    checked = pipeline.check(valid_project)
    index = build_index(checked.briefs, checked.actors, RelatedWeights(), checked.places)
    data = places_data(index, valid_project)["places"]
    assert data["strelsau"]["latitude"] == 50.5
    assert data["strelsau"]["longitude"] == 14.25
    assert data["strelsau"]["country"] == "ruritania"
    assert data["strelsau"]["events"] == 1
    assert data["strelsau"]["url"].endswith("/places/strelsau/")
    assert [e.slug for e in index.entries_by_place["strelsau"]] == ["border-talks"]


@pytest.mark.build
def test_a_strict_build_has_place_pages_feeds_and_linked_events(tmp_path):
    folder = tmp_path / "briefs"
    shutil.copytree(FIXTURES / "valid", folder)
    site = pipeline.build(make_project(tmp_path / "project", folder)).site_dir
    page = BeautifulSoup((site / "places/strelsau/index.html").read_text("utf-8"), "lxml")
    article = page.select_one("article")
    assert article.h1.get_text().rstrip("¶") == "Strelsau"
    meta = article.select_one("p.place-meta").get_text()
    assert "50.5° N, 14.25° E" in meta and "Ruritania" in meta
    events = [li.get_text(" ", strip=True) for li in article.select("#events + ul > li")]
    assert events == [
        "February 2025 — First incident on the border. ( Alliance weighs border patrols ; "
        "Alliance agrees joint patrols )"
    ]
    assert article.select_one("p.quote-text").get_text() == "“We will not wait.”"
    assert page.select_one('link[type="application/atom+xml"][href$="places/strelsau.xml"]')
    assert (site / "feeds/places/strelsau.json").is_file()
    assert (
        json.loads((site / "data/places.json").read_text("utf-8"))["places"]["strelsau"]["latitude"]
        == 50.5
    )
    brief = BeautifulSoup((site / "briefings/border-talks/index.html").read_text("utf-8"), "lxml")
    place_links = [a for a in brief.select("#timeline + ul a") if a.get_text() == "Strelsau"]
    assert place_links and place_links[0]["href"] == "../../places/strelsau/"
    listing = BeautifulSoup((site / "places/index.html").read_text("utf-8"), "lxml")
    assert [a.get_text() for a in listing.select("article li a")] == ["Strelsau"]


def test_a_briefing_s_json_ld_names_its_places_with_coordinates(valid_project):
    checked = pipeline.check(valid_project)
    index = build_index(checked.briefs, checked.actors, RelatedWeights(), checked.places)
    article = news_article(index, valid_project, index.by_slug["border-talks"])
    assert article["contentLocation"] == [
        {
            "@type": "Place",
            "name": "Strelsau",
            "geo": {"@type": "GeoCoordinates", "latitude": 50.5, "longitude": 14.25},
        }
    ]
    assert "contentLocation" not in news_article(
        index, valid_project, index.by_slug["patrols-agreed"]
    )


def test_editing_the_place_registry_changes_what_the_preview_compares(valid_project):
    before = pipeline.registry_signature(valid_project)
    places = valid_project.briefings_dir / "places.yml"
    places.write_text(places.read_text("utf-8").replace("Strelsau", "Strelsau City"), "utf-8")
    assert pipeline.registry_signature(valid_project) != before


@pytest.mark.parametrize(
    ("words", "ids", "shown"),
    [
        (
            "European Parliament, Strelsau",
            ["strelsau"],
            "European Parliament, [Strelsau](strelsau.md)",
        ),
        ("Near the border", ["strelsau"], "Near the border ([Strelsau](strelsau.md))"),
        (None, ["strelsau"], "[Strelsau](strelsau.md)"),
        ("Strelsau <b>", [], "Strelsau &lt;b&gt;"),
    ],
)
def test_an_event_names_each_place_once(valid_project, words, ids, shown):
    """A place the author's words name is linked in place, not repeated in brackets."""
    from generator.models import Event
    from generator.render import _PageHelpers

    checked = pipeline.check(valid_project)
    index = build_index(checked.briefs, checked.actors, RelatedWeights(), checked.places)
    event = Event(date="2025-02-01", what="x", place=words, places=ids, sources=["gazette"])
    assert _PageHelpers("places/other.md", index).event_place(event) == shown


def test_among_equally_close_matches_the_oldest_brief_gives_the_id(tmp_path):
    """The first brief to hold an event gives the id, whatever the files' names."""
    folder = tmp_path / "briefings"
    shutil.copytree(FIXTURES / "shared-events", folder)
    (folder / "z-first-report.yml").write_text(
        "title: First report of shots\n"
        "date: 2025-04-10\n"
        "summary: Shots are reported on the border.\n"
        "events:\n"
        "  - id: first-report-shots\n"
        "    date: 2025-04-10\n"
        "    what: Shots are reported.\n"
        "    actors: [borduria]\n"
        "    sources: [gazette]\n"
        "sources:\n"
        "  - id: gazette\n"
        "    outlet: The Example Gazette\n",
        "utf-8",
    )
    checked = pipeline.check(load_settings(ROOT / "site_config.yml", briefings_dir=folder))
    week = [w for w in located(checked.report.warnings) if w.startswith("border-week.yml:5:9:")]
    assert len(week) == 1
    assert "looks like event 'first-report-shots' of brief 'z-first-report'" in week[0]
