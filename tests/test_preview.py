"""The preview regenerates incrementally, and its pages always equal a full regeneration."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator import pipeline
from generator.serve import Preview
from tests.conftest import FIXTURES, ROOT, make_project


def contents(folder: Path) -> dict[str, bytes]:
    return {  # bytes: social cards are PNG
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def full(settings, tmp_path: Path) -> dict[str, str]:
    """What a from-scratch regeneration of the same briefs writes."""
    fresh = replace(settings, docs_dir=tmp_path / "full-docs")
    shutil.rmtree(fresh.docs_dir, ignore_errors=True)
    pipeline.generate(fresh)
    return contents(fresh.docs_dir)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fixture_edits(folder: Path):
    talks, agreed = folder / "border-talks.yml", folder / "patrols-agreed.yml"
    yield "summary", lambda: edit(talks, "after a series of incidents", "after incidents")
    yield (
        "tag added",
        lambda: edit(agreed, "tags: [Border, patrols]", "tags: [Border, patrols, ceasefire]"),
    )
    yield "speaker", lambda: edit(talks, "speaker: alice-example", "speaker: bob-sample")
    yield (
        "shared event",
        lambda: edit(talks, "First incident on the border.", "The first incident."),
    )
    yield (
        "event actors",
        lambda: edit(
            agreed,
            "    what: First incident on the border.\n",
            "    what: First incident on the border.\n    actors: [bob-sample]\n",
        ),
    )
    yield (
        "title of a linked brief",
        lambda: edit(agreed, "title: Alliance agrees joint patrols", "title: Patrols agreed"),
    )
    yield "date reorders", lambda: edit(agreed, "date: 2025-04-10", "date: 2025-01-01")
    yield "proposal status", lambda: edit(agreed, "status: agreed", "status: rejected")
    yield "brief removed", lambda: (folder / "sanctions-on-borduria.yml").unlink()
    yield (
        "brief added",
        lambda: shutil.copy(
            FIXTURES / "valid" / "sanctions-on-borduria.yml", folder / "sanctions-again.yml"
        ),
    )
    yield (
        "related added",
        lambda: edit(
            folder / "sanctions-again.yml",
            "tags: [sanctions, Border]",
            "tags: [sanctions, Border]\nrelated: [border-talks]",
        ),
    )
    yield (
        "actor renamed",
        lambda: edit(folder / "actors.yml", "name: Alice Example", "name: Alice Q. Example"),
    )
    yield "draft", lambda: edit(agreed, "summary:", "draft: true\nsummary:")
    yield "undraft", lambda: edit(agreed, "draft: true\n", "")  # fmt: skip


@pytest.fixture
def preview(tmp_path):
    settings = replace(make_project(tmp_path, FIXTURES / "valid"), schema_dir=None)
    return Preview(replace(settings, docs_dir=tmp_path / "docs"))


def test_every_incremental_refresh_equals_a_full_regeneration(preview, tmp_path):
    assert preview.refresh()
    assert contents(preview.settings.docs_dir) == full(preview.settings, tmp_path)
    for name, change in _fixture_edits(preview.settings.briefings_dir):
        change()
        assert preview.refresh(), name
        assert contents(preview.settings.docs_dir) == full(preview.settings, tmp_path), name


def test_a_summary_edit_renders_only_what_it_affects(preview, tmp_path, monkeypatch):
    preview.refresh()
    rendered: list[str] = []
    import generator.serve as serve

    real = serve.render_some

    def spy(plan, paths):
        pages = real(plan, paths)
        rendered.extend(p.path for p in pages)
        return pages

    monkeypatch.setattr(serve, "render_some", spy)
    edit(preview.settings.briefings_dir / "ruritania-election.yml", "held a general", "held a")
    assert preview.refresh()
    assert "briefings/ruritania-election.md" in rendered
    unrelated = {
        "briefings/border-talks.md",
        "briefings/patrols-agreed.md",
        "briefings/sanctions-on-borduria.md",
        "actors/alice-example.md",
        "actors/borduria.md",
        "topics/border.md",
        "guide.md",
        "feeds/topics/sanctions.xml",
    }
    assert unrelated.isdisjoint(rendered)


def test_a_save_during_the_listing_pages_stops_them_and_they_are_done_later(
    preview, tmp_path, monkeypatch
):
    import generator.serve as serve

    assert preview.refresh()
    before = contents(preview.settings.docs_dir)
    folder = preview.settings.briefings_dir
    edit(folder / "border-talks.yml", "title: ", "title: Edited ")
    first = preview.start()
    assert first is not None and first.written == ["briefings/border-talks.md"]
    assert preview.finish(stop=lambda: True).written == []  # saved again before the index
    assert preview.busy
    monkeypatch.setattr(serve, "FINISH_BATCH", 1)
    left: list[int] = []

    def after_one_batch() -> bool:  # saved once the first listing page was written
        if preview.pending is not None:
            left.append(len(preview.pending.rest))
        return len(set(left)) > 1

    partly = preview.finish(stop=after_one_batch)
    assert len(partly.written + partly.unchanged) == 1 and preview.busy
    edit(folder / "patrols-agreed.yml", "title: ", "title: Also edited ")
    second = preview.start()
    assert second is not None and second.written == ["briefings/patrols-agreed.md"]
    rest = preview.finish()
    assert not preview.busy
    assert len(rest.written + rest.unchanged) > 1
    now = contents(preview.settings.docs_dir)
    assert now == full(preview.settings, tmp_path)
    assert now != before


def test_a_save_during_the_index_or_the_digests_stops_them_and_changes_nothing(preview, tmp_path):
    """The index, plan and digests look for a save between their items, not only between them."""
    assert preview.refresh()
    folder = preview.settings.briefings_dir
    edit(folder / "border-talks.yml", "tags: [", "tags: [Talks, ")
    assert preview.start() is not None
    deferred, renders = preview.deferred, preview.renders
    look = 0
    while preview.pending is None:  # stop at the first look, the second, …, until past them
        look += 1
        calls = itertools.count(1)
        stopped = preview.finish(stop=lambda: next(calls) >= look)  # noqa: B023 (called here)
        if preview.pending is None:
            assert stopped.written == [] and preview.deferred is deferred
            assert preview.renders is renders  # the last plan, for the next save's page
    assert look > 20  # the 9 steps of the index, and items within the index, plan and digests
    preview.finish()
    assert not preview.busy
    assert contents(preview.settings.docs_dir) == full(preview.settings, tmp_path)


def test_the_schemas_follow_the_pages_and_give_way_to_a_save_too(tmp_path):
    from generator.schema import BRIEF_IDS_SCHEMA

    settings = make_project(tmp_path, FIXTURES / "valid")
    preview = Preview(replace(settings, docs_dir=tmp_path / "docs"))
    assert preview.refresh()
    ids = settings.schema_dir / BRIEF_IDS_SCHEMA
    assert "sanctions-again" not in ids.read_text(encoding="utf-8")
    shutil.copy(
        FIXTURES / "valid" / "sanctions-on-borduria.yml",
        settings.briefings_dir / "sanctions-again.yml",
    )
    assert preview.start() is not None

    def after_the_pages() -> bool:
        return not preview.pending or not preview.pending.rest

    preview.finish(stop=after_the_pages)
    assert preview.busy and "sanctions-again" not in ids.read_text(encoding="utf-8")
    preview.finish()
    assert not preview.busy and "sanctions-again" in ids.read_text(encoding="utf-8")


def test_a_broken_save_keeps_the_last_good_pages_then_recovers(preview, tmp_path, capsys):
    preview.refresh()
    before = contents(preview.settings.docs_dir)
    talks = preview.settings.briefings_dir / "border-talks.yml"
    good = talks.read_text(encoding="utf-8")
    talks.write_text(good.replace("date: 2025-03-02", "date: 2025-02-30"), encoding="utf-8")
    assert not preview.refresh()
    assert "the preview keeps the last good pages" in capsys.readouterr().err
    assert contents(preview.settings.docs_dir) == before
    talks.write_text(good.replace("Alliance weighs", "Alliance ponders"), encoding="utf-8")
    assert preview.refresh()
    assert contents(preview.settings.docs_dir) == full(preview.settings, tmp_path)


@pytest.mark.build
def test_incremental_equals_full_on_the_real_briefs(tmp_path):
    settings = replace(make_project(tmp_path, ROOT / "briefings"), schema_dir=None)
    preview = Preview(replace(settings, docs_dir=tmp_path / "docs"))
    preview.refresh()
    brief = settings.briefings_dir / "nato-eastern-sentry.yml"
    edit(brief, "title: ", "title: Updated — ")
    assert preview.refresh()
    assert contents(preview.settings.docs_dir) == full(preview.settings, tmp_path)
