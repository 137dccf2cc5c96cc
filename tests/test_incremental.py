"""Rebuilds write only what changed: nothing when nothing changed, and after an edit
exactly the pages whose content depends on it."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from generator import graph, pipeline, write
from tests.conftest import FIXTURES


class Workers:
    """The processes that did a share of the work, each known by the file it leaves.

    Forked workers cannot append to a list in the test's process, so each one
    that writes pages (or checks briefs) touches a file named after its PID.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()

    def spy(self, function: Callable) -> Callable:
        def recorded(*args, **kwargs):
            mark = self.folder / str(os.getpid())
            if not mark.exists():
                mark.touch()
                # A process's first share takes a moment, so that an idle worker takes
                # the next share rather than this one taking both.
                time.sleep(0.3)
            return function(*args, **kwargs)

        return recorded

    def count(self) -> int:
        return len(list(self.folder.iterdir()))


@pytest.fixture
def workers(tmp_path, monkeypatch) -> Workers:
    """Records every process that writes pages or checks a brief."""
    found = Workers(tmp_path / "pids")
    monkeypatch.setattr(write, "_write", found.spy(write._write))
    monkeypatch.setattr(pipeline, "_check_brief", found.spy(pipeline._check_brief))
    return found


@pytest.fixture(params=[1, 2], ids=["one process", "two processes"])
def jobs(request, workers) -> int:
    """Each check runs with the pages written by one process, and shared between two.

    Two processes must be two: where they cannot be forked the variant fails,
    rather than passing on what one process did.
    """
    yield request.param
    if request.param == 1:
        assert workers.count() == 1
    else:  # each run forks its own workers
        assert workers.count() >= request.param


def _generate(settings):
    return pipeline.generate(settings).stats


def test_a_rebuild_with_nothing_changed_writes_nothing(valid_project, jobs):
    settings = replace(valid_project, schema_dir=None, jobs=jobs)
    first = _generate(settings)
    assert first.written and not first.unchanged
    second = _generate(settings)
    assert second.written == []
    assert second.removed == []
    assert sorted(second.unchanged) == sorted(first.written)


FEEDS_OF_BORDER_TALKS = [
    "index",
    "topics/border",
    "topics/patrols",
    "actors/alice-example",
    "actors/alliance",
    "actors/borduria",
    "actors/ruritania",
    "places/strelsau",
]
"""Every feed an entry of border-talks appears in: all, its topics, its actors, its places."""


def test_editing_one_summary_rewrites_exactly_the_pages_that_show_it(valid_project, jobs):
    settings = replace(valid_project, schema_dir=None, jobs=jobs)
    _generate(settings)
    brief = settings.briefings_dir / "border-talks.yml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("after a series of incidents", "after incidents"),
        encoding="utf-8",
    )
    stats = _generate(settings)
    pages = [p for p in stats.written if p.endswith(".md")]
    assert sorted(pages) == [
        "archive/2025-03.md",  # its month of the archive lists bottom lines
        "briefings/border-talks.md",  # its own page
        "index.md",  # the home page lists bottom lines
        "topics/border.md",  # its topics list bottom lines
        "topics/patrols.md",
    ]
    others = sorted(p for p in stats.written if not p.endswith(".md"))
    feeds = [f"feeds/{name}.{ext}" for name in FEEDS_OF_BORDER_TALKS for ext in ("json", "xml")]
    card = "cards/border-talks.png"  # the social card shows the bottom line
    assert others == sorted(["data/briefings/border-talks.json", "data/index.json", card, *feeds])


def test_editing_a_quote_rewrites_the_speaker_and_the_quote_index(valid_project, jobs):
    settings = replace(valid_project, schema_dir=None, jobs=jobs)
    _generate(settings)
    brief = settings.briefings_dir / "border-talks.yml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("We will not wait.", "We will not wait long."), encoding="utf-8")
    stats = _generate(settings)
    assert sorted(stats.written) == [
        "actors/alice-example.md",
        "briefings/border-talks.md",
        "data/briefings/border-talks.json",  # feeds carry bottom lines, not quotes
        "places/strelsau.md",  # the quote was said there
        "quotes/alice-example.md",  # the speaker's quotes (the index only counts them)
    ]


def test_removing_a_brief_removes_its_page(valid_project, jobs):
    settings = replace(valid_project, schema_dir=None, jobs=jobs)
    _generate(settings)
    (settings.briefings_dir / "ruritania-election.yml").unlink()
    stats = _generate(settings)
    assert stats.removed == [
        "archive/2025-01.md",  # its month had no other briefing, nor other event
        "briefings/ruritania-election.md",
        "cards/ruritania-election.png",
        "data/briefings/ruritania-election.json",
        "feeds/topics/elections.json",
        "feeds/topics/elections.xml",
        "timeline/2025-01.md",
        "topics/elections.md",
    ]
    assert not (settings.docs_dir / "briefings" / "ruritania-election.md").exists()


def test_pages_shared_between_processes_are_the_pages_one_process_writes(
    valid_project, tmp_path, workers
):
    one = replace(valid_project, schema_dir=None, docs_dir=tmp_path / "one", jobs=1)
    three = replace(valid_project, schema_dir=None, docs_dir=tmp_path / "three", jobs=3)
    written = sorted(_generate(one).written)
    assert workers.count() == 1
    assert sorted(_generate(three).written) == written
    assert workers.count() >= 3

    def contents(folder):
        files = (p for p in folder.rglob("*") if p.is_file() and p.name != graph.GRAPH_FILE)
        return {p.relative_to(folder): p.read_bytes() for p in files}

    assert contents(tmp_path / "one") == contents(tmp_path / "three")
    assert _reads(graph.load(tmp_path / "one")) == _reads(graph.load(tmp_path / "three"))


def test_with_jobs_0_the_render_forks_only_as_many_processes_as_the_memory_budget_holds(
    valid_project, tmp_path, workers, monkeypatch
):
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pipeline, "PARALLEL_CHECK_FROM", 10**9)  # the check in this process
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    settings = replace(valid_project, schema_dir=None, jobs=0)
    _generate(replace(settings, docs_dir=tmp_path / "tight", memory_mb=1))
    assert workers.count() == 1
    _generate(replace(settings, docs_dir=tmp_path / "unlimited", memory_mb=0))
    assert workers.count() == 2


def test_with_jobs_0_the_check_forks_only_if_the_memory_budget_holds_what_it_loads(
    valid_project, workers, monkeypatch
):
    monkeypatch.setattr(pipeline, "PARALLEL_CHECK_FROM", 1)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(pipeline.heap, "resident_mb", lambda: 50.0)
    briefs, _ = pipeline.load.find_brief_files(valid_project.briefings_dir)
    size = sum(path.stat().st_size for path in briefs) / 2**20
    held = 50 + pipeline.CHECKED_PER_BYTE * size  # what one process would hold
    pipeline.check(replace(valid_project, jobs=0, memory_mb=int(held * 2) - 1))
    assert workers.count() == 1
    pipeline.check(replace(valid_project, jobs=0, memory_mb=int(held * 2) + 1))
    assert workers.count() == 2


def _reads(saved: graph.Graph | None) -> dict[str, list[str]]:
    """Each output's keys: their numbering follows the order processes met them in."""
    assert saved is not None
    return {
        path: sorted(map(repr, (saved.keys[n] for n in at))) for path, at in saved.outputs.items()
    }


def test_a_check_shared_between_processes_finds_what_one_process_finds(valid_project, workers):
    """Same briefs, same problems in the same order, with their lines and columns."""
    shutil.copy(FIXTURES / "three-errors" / "broken.yml", valid_project.briefings_dir)
    alone = pipeline.check(replace(valid_project, jobs=1))
    assert workers.count() == 1
    shared = pipeline.check(replace(valid_project, jobs=3))
    assert workers.count() >= 3
    assert [str(p) for p in shared.report.problems] == [str(p) for p in alone.report.problems]
    assert len(alone.report.errors) >= 3 and alone.report.errors[0].position is not None
    assert [(b.slug, b.brief) for b in shared.briefs] == [(b.slug, b.brief) for b in alone.briefs]
