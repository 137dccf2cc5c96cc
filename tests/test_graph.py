"""An incremental run gives byte for byte what a clean run gives, after any kind of edit.

Each case starts from the real briefs, generated once, edits the project one
way (a brief added, deleted, renamed, one field of each kind changed, a
registry or a setting changed), then generates again into the same docs folder,
which renders only what the dependency graph says changed, and compares every
file with a clean run into an empty folder.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli, engine, graph, pipeline, write
from generator.cli import main
from generator.config import Settings, load_settings
from tests.conftest import ROOT, make_project

THREAD_START = "nato-weighs-assertive-response"
THREAD_NEXT = "ft-report-armed-drones-rules-of-engagement"
PLAIN = "nato-eastern-sentry"
"""A brief that no other brief continues."""


def _read(folder: Path, slug: str) -> dict[str, Any]:
    return yaml.safe_load((folder / f"{slug}.yml").read_text(encoding="utf-8"))


def _write(folder: Path, slug: str, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    (folder / f"{slug}.yml").write_text(text, encoding="utf-8")


def _edit(slug: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = _read(folder, slug)
        change(data)
        _write(folder, slug, data)

    return edit


def _relink(folder: Path, old: str, new: str | None) -> None:
    """Point every brief's links to ``old`` at ``new``, or drop them (None)."""
    for path in folder.glob("*.yml"):
        if path.stem in {"actors", "places"}:
            continue
        data = _read(folder, path.stem)
        if "related" in data:
            data["related"] = [new if s == old else s for s in data["related"] if new or s != old]
        if data.get("continues") == old:
            if new:
                data["continues"] = new
            else:
                del data["continues"]
        for question in data.get("questions", []):
            if question.get("answered_by") == old:
                if new:
                    question["answered_by"] = new
                else:
                    del question["answered_by"]
            if "not_answered_by" in question:
                kept = [new if s == old else s for s in question["not_answered_by"]]
                question["not_answered_by"] = [s for s in kept if s]
                if not question["not_answered_by"]:
                    del question["not_answered_by"]
        _write(folder, path.stem, data)


def add_brief(folder: Path) -> None:
    data = _read(folder, PLAIN)
    data["title"] = "A second look at Eastern Sentry"
    data["date"] = "2025-12-20"
    data.pop("updated", None)
    data["related"] = [PLAIN]
    _write(folder, "eastern-sentry-second-look", data)


def delete_brief(folder: Path) -> None:
    (folder / f"{PLAIN}.yml").unlink()
    _relink(folder, PLAIN, None)


def rename_brief(folder: Path) -> None:
    (folder / f"{PLAIN}.yml").rename(folder / "eastern-sentry.yml")
    _relink(folder, PLAIN, "eastern-sentry")


def _registry(name: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / f"{name}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")

    return edit


def _first(field: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[field][0][key] = value

    return change


def _set(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[field] = value

    return change


def _append(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data.setdefault(field, []).append(value)

    return change


def _drop(*fields: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for field in fields:
            del data[field]

    return change


def _quote_speaker(data: dict[str, Any]) -> None:
    quote = next(q for q in data["quotes"] if q.get("speaker"))
    quote["speaker"] = "mark-rutte"
    quote.pop("role", None)
    if "mark-rutte" not in data["actors"]:
        data["actors"].append("mark-rutte")


def _event_place(data: dict[str, Any]) -> None:
    event = data["events"][0]
    event["places"] = ["brussels"]
    event.pop("place", None)


def _new_proposal_status(data: dict[str, Any]) -> None:
    data["proposals"][0]["status"] = "agreed"


def _position_stance(data: dict[str, Any]) -> None:
    position = data["positions"][0]
    position["stance"] = "opposes" if position["stance"] != "opposes" else "supports"


def _source_outlet(data: dict[str, Any]) -> None:
    data["sources"][0]["outlet"] = "Another Outlet"


def _embargo(data: dict[str, Any]) -> None:
    data["date"] = "2099-01-01"
    data.pop("updated", None)
    data.pop("changes", None)


def _a_correction(data: dict[str, Any]) -> None:
    source = data["sources"][0]["id"]
    data.setdefault("changes", []).append(
        {"date": "2025-12-15", "what": "Corrected a date.", "correction": True, "sources": [source]}
    )
    data["updated"] = "2025-12-15"


def _actor_name(data: dict[str, Any]) -> None:
    data["nato"]["name"] = "The North Atlantic Alliance"


def _new_actor(data: dict[str, Any]) -> None:
    data["new-actor"] = {"name": "A New Actor", "kind": "organisation", "description": "New."}


def _place_coordinates(data: dict[str, Any]) -> None:
    data["brussels"]["latitude"] = 50.9


def _place_name(data: dict[str, Any]) -> None:
    data["copenhagen"]["name"] = "Kobenhavn"


EDITS: dict[str, Callable[[Path], None]] = {
    "add a brief": add_brief,
    "delete a brief": delete_brief,
    "rename a brief": rename_brief,
    "summary in a story": _edit(THREAD_START, _set("summary", "The story's start, rewritten.")),
    "title": _edit(PLAIN, _set("title", "Eastern Sentry, retitled")),
    "summary": _edit(PLAIN, _set("summary", "A new bottom line.")),
    "date": _edit(PLAIN, _set("date", "2025-09-13")),
    "key point": _edit(PLAIN, _first("key_points", "text", "A rewritten key point.")),
    "section": _edit(PLAIN, _first("sections", "heading", "A new heading")),
    "proposal status": _edit(THREAD_NEXT, _new_proposal_status),
    "quote text": _edit(PLAIN, _first("quotes", "text", "words said again")),
    "quote speaker": _edit(PLAIN, _quote_speaker),
    "actors": _edit(PLAIN, _append("actors", "norway")),
    "event date": _edit(PLAIN, _first("events", "date", "2025-09-11")),
    "event place": _edit(PLAIN, _event_place),
    "position": _edit(PLAIN, _position_stance),
    "source": _edit(PLAIN, _source_outlet),
    "tag added": _edit(PLAIN, _append("tags", "Baltic Sea")),
    "tags removed": _edit(PLAIN, _set("tags", ["NATO"])),
    "related": _edit(PLAIN, _set("related", [THREAD_START])),
    "question": _edit(PLAIN, _append("questions", {"question": "What comes next?"})),
    "thread link removed": _edit(THREAD_NEXT, _drop("continues", "direction")),
    "draft": _edit(PLAIN, _set("draft", True)),
    "embargo": _edit(PLAIN, _embargo),
    "correction": _edit(PLAIN, _a_correction),
    "actor renamed": _registry("actors", _actor_name),
    "actor added": _registry("actors", _new_actor),
    "place moved": _registry("places", _place_coordinates),
    "place renamed": _registry("places", _place_name),
}

SETTINGS_EDITS: dict[str, Callable[[Settings], Settings]] = {
    "site name": lambda s: replace(s, site_name="Another Briefing Site"),
    "related weights": lambda s: replace(
        s, related=s.related.model_copy(update={"threshold": 1.0})
    ),
    "reading speed": lambda s: replace(s, words_per_minute=120),
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """The real briefs' project, generated once: each case copies it."""
    root = tmp_path_factory.mktemp("baseline")
    settings = make_project(root, ROOT / "briefings")
    pipeline.generate(replace(settings, schema_dir=None, jobs=1))
    return root


def _copy(baseline: Path, tmp_path: Path) -> Settings:
    shutil.copytree(baseline, tmp_path / "project")
    settings = load_settings(tmp_path / "project" / "site_config.yml")
    return replace(settings, schema_dir=None, jobs=1)


def _contents(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != graph.GRAPH_FILE
    }


def _same_as_clean(settings: Settings, tmp_path: Path) -> pipeline.Generated:
    incremental = pipeline.generate(settings)
    clean = replace(settings, docs_dir=tmp_path / "clean")
    everything = pipeline.generate(clean)
    assert everything.rendered is not None
    got, expected = _contents(settings.docs_dir), _contents(clean.docs_dir)
    assert sorted(got) == sorted(expected)
    differing = [path for path in expected if got[path] != expected[path]]
    assert differing == []
    return incremental


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_incremental_run_equals_a_clean_run(baseline, tmp_path, edit):
    settings = _copy(baseline, tmp_path)
    EDITS[edit](settings.briefings_dir)
    before = _contents(settings.docs_dir)
    incremental = _same_as_clean(settings, tmp_path)
    assert incremental.rendered is not None
    assert 0 < incremental.rendered < len(before), "rendered only part of the site"
    assert incremental.stats.written or incremental.stats.removed


@pytest.mark.parametrize("edit", SETTINGS_EDITS, ids=list(SETTINGS_EDITS))
def test_a_settings_change_renders_everything_and_equals_a_clean_run(baseline, tmp_path, edit):
    settings = SETTINGS_EDITS[edit](_copy(baseline, tmp_path))
    incremental = _same_as_clean(settings, tmp_path)
    assert incremental.rendered == len(incremental.stats.written) + len(incremental.stats.unchanged)
    assert incremental.stats.written


def test_a_run_with_nothing_changed_reads_and_renders_nothing(baseline, tmp_path, monkeypatch):
    settings = _copy(baseline, tmp_path)

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("read the briefs")

    monkeypatch.setattr(pipeline, "check", refuse)
    again = pipeline.generate(settings)
    assert again.rendered == 0
    assert again.stats.written == []
    assert len(again.stats.unchanged) == len(_contents(settings.docs_dir)) - 1  # the marker


def test_a_run_with_nothing_changed_says_the_same_warnings_one_per_line(baseline, tmp_path):
    settings = _copy(baseline, tmp_path)
    uncited = [{"id": f"wire-{n}", "outlet": f"Wire {n}"} for n in (1, 2)]
    _edit(PLAIN, lambda data: data["sources"].extend(uncited))(settings.briefings_dir)
    said = io.StringIO()
    handler = logging.StreamHandler(said)
    handler.setFormatter(cli._Lines())
    logger = logging.getLogger("generator.pipeline")
    logger.addHandler(handler)
    try:
        assert pipeline.generate(settings).rendered
        first = said.getvalue()
        said.truncate(0), said.seek(0)
        assert pipeline.generate(settings).rendered == 0
    finally:
        logger.removeHandler(handler)
    lines = first.splitlines()
    assert said.getvalue() == first
    assert len([line for line in lines if "is never cited" in line]) == 2
    assert all(re.match(rf"WARNING: \S+/{PLAIN}\.yml:\d+:\d+: warning: ", line) for line in lines)


def test_an_embargo_ending_renders_again(baseline, tmp_path):
    settings = _copy(baseline, tmp_path)
    _edit(PLAIN, _embargo)(settings.briefings_dir)
    held = pipeline.generate(settings)
    assert [h.path.name for h in held.held] == [f"{PLAIN}.yml"]
    assert pipeline.generate(settings).rendered == 0
    later = replace(settings, today=dt.date(2099, 1, 1))
    released = _same_as_clean(later, tmp_path)
    assert released.rendered
    assert f"briefings/{PLAIN}.md" in released.stats.written


def test_a_missing_or_unreadable_graph_means_a_full_run(baseline, tmp_path):
    settings = _copy(baseline, tmp_path)
    (settings.docs_dir / graph.GRAPH_FILE).write_bytes(b"not a graph")
    _edit(PLAIN, _set("title", "Retitled"))(settings.briefings_dir)
    full = pipeline.generate(settings)
    assert full.rendered == len(full.stats.written) + len(full.stats.unchanged)
    assert graph.load(settings.docs_dir) is not None


def test_a_deleted_output_is_written_again(baseline, tmp_path):
    settings = _copy(baseline, tmp_path)
    page = settings.docs_dir / "briefings" / f"{PLAIN}.md"
    expected = page.read_bytes()
    page.unlink()
    again = pipeline.generate(settings)
    assert page.read_bytes() == expected
    assert again.stats.written == [f"briefings/{PLAIN}.md"]


def _settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the folders a run just wrote count as settled: as if it ended a minute later."""
    real = time.time_ns
    monkeypatch.setattr(write.time, "time_ns", lambda: real() + 60 * 10**9)


def _listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders the run lists from now on, relative to nothing: as given."""
    listed: list[str] = []
    real = write._list_files

    def spy(folder: str) -> set[str]:
        listed.append(folder)
        return real(folder)

    monkeypatch.setattr(write, "_list_files", spy)
    return listed


def test_a_run_that_finds_nothing_changed_lists_only_the_folders_that_changed(
    baseline, tmp_path, monkeypatch
):
    settings = _copy(baseline, tmp_path)
    _settled_at_once(monkeypatch)
    _edit(PLAIN, _set("title", "Retitled"))(settings.briefings_dir)
    assert pipeline.generate(settings).rendered
    saved = graph.load_head(settings.docs_dir)
    assert saved is not None and "briefings" in saved.folders
    listed = _listed(monkeypatch)
    assert pipeline.generate(settings).rendered == 0
    assert listed == [os.fspath(settings.docs_dir)]  # the graph is saved there: listed
    stray = settings.docs_dir / "topics" / ".page.md.0a1b2c3d.briefings-tmp"
    stray.write_text("half a page", encoding="utf-8")
    listed.clear()
    assert pipeline.generate(settings).rendered == 0
    assert listed == [os.fspath(settings.docs_dir), f"{settings.docs_dir}/topics"]
    assert not stray.exists()


def test_an_output_removed_from_a_folder_a_run_trusts_is_written_again(
    baseline, tmp_path, monkeypatch
):
    settings = _copy(baseline, tmp_path)
    _settled_at_once(monkeypatch)
    _edit(PLAIN, _set("title", "Retitled"))(settings.briefings_dir)
    pipeline.generate(settings)
    page = settings.docs_dir / "briefings" / f"{THREAD_START}.md"
    expected = page.read_bytes()
    time.sleep(0.05)  # a clock tick or more after the run's last write there
    page.unlink()
    again = pipeline.generate(settings)
    assert again.stats.written == [f"briefings/{THREAD_START}.md"]
    assert page.read_bytes() == expected


def test_a_folder_changed_just_now_is_listed_next_time(tmp_path):
    (tmp_path / "fresh").mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "fresh" / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "old" / "b.md").write_text("b", encoding="utf-8")
    past = time.time_ns() - 2 * graph.RACY_NS
    os.utime(tmp_path / "old", ns=(past, past))
    times = write.folder_times(tmp_path, ["fresh/a.md", "old/b.md", "top.md"])
    assert times == {"old": past}
    assert write.missing_outputs(tmp_path, ["fresh/a.md", "old/b.md", "old/c.md"], times) == set()
    (tmp_path / "old" / "b.md").unlink()
    assert write.missing_outputs(tmp_path, ["fresh/a.md", "old/b.md"], times) == {"old/b.md"}
    assert write.missing_outputs(tmp_path, ["gone/x.md"], {}) == {"gone/x.md"}


def test_a_build_with_nothing_changed_leaves_the_site_alone_until_the_theme_changes(
    valid_project, monkeypatch, capsys
):
    first = pipeline.build(valid_project)
    assert first.site_built
    published = first.site_dir.resolve()

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("ran the site engine")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "build", refuse)
        again = pipeline.build(valid_project)
        assert main(["build", "-f", str(valid_project.config_file)]) == 0
    assert not again.site_built
    assert again.written == 0
    assert again.site_dir.resolve() == published
    said = capsys.readouterr().out
    assert (
        said
        == f"{valid_project.site_dir} is up to date: nothing changed since it was built from 4 briefs\n"
    )

    stylesheet = valid_project.root / "theme" / "assets" / "stylesheets" / "briefings.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* changed */\n", "utf-8")
    themed = pipeline.build(valid_project)
    assert themed.site_built
    assert themed.site_dir.resolve() != published
    assert "/* changed */" in (themed.site_dir / "assets/stylesheets/briefings.css").read_text()


def test_a_brief_in_a_new_month_renders_only_that_month_and_the_one_before(
    baseline, tmp_path, monkeypatch
):
    """A month page links its neighbours: the others do not change, and are not rendered."""
    from generator import render

    settings = _copy(baseline, tmp_path)
    rendered: list[str] = []
    real = render.Renderer._page  # not bound in the plan, whose digests would change

    def counted(self, path: str, template: str, **context: Any):
        if template == "archive_month.md.j2":
            rendered.append(path)
        return real(self, path, template, **context)

    monkeypatch.setattr(render.Renderer, "_page", counted)
    add_brief(settings.briefings_dir)  # December 2025; the newest month was October
    assert pipeline.generate(settings).rendered
    assert sorted(rendered) == ["archive/2025-10.md", "archive/2025-12.md"]


def test_the_graph_is_saved_a_share_at_a_time_and_read_back_whole(tmp_path, monkeypatch):
    import pickle
    from array import array

    monkeypatch.setattr(graph, "SHARE", 3)
    keys = [("brief", f"b{n}") for n in range(8)] + [("by_tag", "*")]
    made = graph.Graph(
        fingerprint=b"f",
        manifest=b"m",
        until=None,
        keys=keys,
        digests=[bytes([n]) * 16 for n in range(9)],
        outputs={f"p{n}.md": array("I", [n, n + 1]) for n in range(7)},
    )
    graph.save(made, tmp_path)
    with (tmp_path / graph.GRAPH_FILE).open("rb") as stream:
        pickle.load(stream)  # the head
        for column in (made.keys, made.digests, list(made.outputs.values())):
            shares = [pickle.load(stream) for _ in range(pickle.load(stream))]
            assert [len(share) for share in shares] == [len(s) for s in _split(column, 3)]
        assert stream.read() == b""
    assert graph.load(tmp_path) == made


def _split(items: list[Any], size: int) -> list[list[Any]]:
    return [items[n : n + size] for n in range(0, len(items), size)]


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note every input file the runs digest from its bytes (the rest by their ``stat``)."""
    read: list[str] = []
    digest = graph._file_digest

    def reading(path: Any) -> bytes:
        read.append(str(path))
        return digest(path)

    monkeypatch.setattr(graph, "_file_digest", reading)
    return read


def test_a_run_reads_only_the_input_files_whose_stat_changed(baseline, tmp_path, monkeypatch):
    settings = _copy(baseline, tmp_path)
    monkeypatch.setattr(graph, "RACY_NS", 0)  # files written a moment ago count as settled
    EDITS["summary"](settings.briefings_dir)
    pipeline.generate(settings)  # keeps each file's stat with its digest
    read = _count_reads(monkeypatch)
    assert pipeline.generate(settings).rendered == 0
    assert read == []
    EDITS["title"](settings.briefings_dir)
    assert pipeline.generate(settings).rendered
    assert read == [str(settings.briefings_dir / f"{PLAIN}.yml")], "the edited brief, once"


def test_a_brief_rewritten_with_its_size_and_time_is_read_again(baseline, tmp_path, monkeypatch):
    settings = _copy(baseline, tmp_path)
    monkeypatch.setattr(graph, "RACY_NS", 0)
    EDITS["summary"](settings.briefings_dir)
    pipeline.generate(settings)
    path = settings.briefings_dir / f"{PLAIN}.yml"
    before = path.stat()
    path.write_text(path.read_text("utf-8").replace("bottom line", "bottom-line"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as an old editor might
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert _same_as_clean(settings, tmp_path).rendered  # its change time moved: read again


def test_a_file_changed_as_the_run_began_is_not_trusted_by_the_next(tmp_path, monkeypatch):
    path = tmp_path / "brief.yml"
    path.write_text("title: T\n", "utf-8")
    files = graph.FileDigests()
    assert files(path) == graph._file_digest(path)
    assert files.table() == {}, "changed within RACY_NS of the run's start"
    monkeypatch.setattr(graph, "RACY_NS", -(10**12))  # as though it had been long before
    settled = graph.FileDigests()
    settled(path)
    assert list(settled.table()) == [str(path)]
    read = _count_reads(monkeypatch)
    assert graph.FileDigests(settled.table())(path) == files(path) and read == []
    path.write_text("title: U\n", "utf-8")
    assert graph.FileDigests(settled.table())(path) != files(path) and read == [str(path)]
