"""Issue 12: shared events, places, and questions that other briefings answer."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator import pipeline
from generator.config import RelatedWeights, load_settings
from generator.index import build_index
from generator.models import PartialDate
from generator.render import render_briefings
from tests.conftest import FIXTURES, ROOT


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
