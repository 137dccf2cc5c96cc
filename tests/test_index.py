"""The index: merging across briefs, ordering, and related briefings with a cut-off."""

from __future__ import annotations

import pytest

from generator import models, pipeline
from generator.config import RelatedWeights
from generator.index import Tag, build_index
from tests.conftest import FIXTURES, make_project


@pytest.fixture
def index(valid_project):
    checked = pipeline.check(valid_project)
    assert checked.report.errors == []
    return build_index(checked.briefs, checked.actors, valid_project.related)


def test_briefs_are_listed_newest_first(index):
    assert [e.slug for e in index.entries] == [
        "sanctions-on-borduria",
        "patrols-agreed",
        "border-talks",
        "ruritania-election",
    ]


def test_same_event_id_in_two_briefs_is_listed_once_citing_both(index):
    merged = [t for t in index.timeline if t.event.id == "first-incident"]
    assert len(merged) == 1
    assert merged[0].slugs == ["border-talks", "patrols-agreed"]
    assert len(index.timeline) == 4


def test_proposal_history_is_newest_first_and_status_comes_from_the_latest(index):
    tracked = index.proposals["joint-patrols"]
    assert [r.entry.slug for r in tracked.reports] == ["patrols-agreed", "border-talks"]
    assert tracked.latest.proposal.status == "agreed"
    assert [p.id for p in index.open_proposals()] == ["sanctions-package"]


def test_quotes_are_grouped_by_speaker_and_anonymous_apart(index):
    assert [(q.slug, q.number) for q in index.quotes_by_speaker["alice-example"]] == [
        ("sanctions-on-borduria", 1),
        ("border-talks", 1),
    ]
    assert [q.quote.role for q in index.anonymous_quotes] == ["a diplomat", "an Alliance official"]


def test_tags_differing_in_case_are_one_topic(index):
    assert [e.slug for e in index.by_tag[Tag("border")]] == [
        "sanctions-on-borduria",
        "patrols-agreed",
        "border-talks",
    ]
    assert Tag("Border") == Tag("border")
    assert sorted([Tag("b"), Tag("A")]) == [Tag("A"), Tag("b")]


def test_related_lists_explicit_first_then_by_score_with_reasons(index):
    related = index.related["border-talks"]
    assert [(r.slug, r.explicit) for r in related] == [
        ("patrols-agreed", True),
        ("sanctions-on-borduria", False),
    ]
    assert related[0].shared == (
        "proposal: Joint border patrols",
        "“First incident on the border.” (February 2025)",
        "patrols",
    )
    assert related[1].shared == ("Alice Example", "Borduria")


def test_terms_shared_by_most_briefs_relate_nothing(index):
    # 'The Alliance', 'Ruritania' and the tag 'Border' each appear in three or four of
    # the four briefs: past the cut-off, so the election brief relates to nothing.
    assert index.related["ruritania-election"] == []
    reasons = {reason for links in index.related.values() for r in links for reason in r.shared}
    assert reasons.isdisjoint({"The Alliance", "Ruritania", "Border"})


def test_threshold_and_limit_are_honoured(valid_project):
    checked = pipeline.check(valid_project)
    strict = RelatedWeights(threshold=100.0)
    index = build_index(checked.briefs, checked.actors, strict)
    assert [r.slug for r in index.related["border-talks"]] == ["patrols-agreed"]
    none = build_index(checked.briefs, checked.actors, RelatedWeights(limit=0))
    assert [r.slug for r in none.related["border-talks"]] == ["patrols-agreed"]


def test_most_cited_actors(index):
    top = [(a.id, n) for a, n in index.most_cited_actors(3)]
    assert top == [("ruritania", 4), ("alliance", 4), ("alice-example", 2)]  # ties by name


def test_the_index_reads_each_briefs_packed_fields_once(tmp_path, monkeypatch):
    settings = make_project(tmp_path, FIXTURES / "disagreement")
    checked = pipeline.check(settings)
    assert checked.report.errors == []
    briefs = [item.brief for item in checked.briefs]
    disputed = [brief for brief in briefs if brief.disputes()]
    assert disputed  # the fixture disputes key points and events
    for brief in briefs:  # the disputes the index read once name the same actors
        said = [dispute for _, _, dispute in brief.disputes()]
        assert brief.actor_ids(said) == brief.actor_ids()
    assert any(set(d.by) <= set(b.actor_ids()) for b in disputed for _, _, d in b.disputes())
    unpacked = []
    real = models.zlib.decompress
    monkeypatch.setattr(models, "UNPACKED_KEPT", 1)  # nothing read stays unpacked for long
    monkeypatch.setattr(models.zlib, "decompress", lambda data: unpacked.append(1) or real(data))
    models._UNPACKED.clear()
    index = build_index(checked.briefs, checked.actors, settings.related)
    assert index.disputes_by_actor
    # key points and sections, once each; reading disputes for each use took six
    assert len(unpacked) <= 3 * len(briefs)
