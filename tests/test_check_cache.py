"""The persisted check cache: a later check loads and validates only the briefs that changed."""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator import load, pipeline, validate
from generator.config import Settings
from tests.conftest import FIXTURES, make_project

REGISTRIES = {"actors.yml", "places.yml"}
"""Read on every check: only briefs are cached."""


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """The valid fixture briefs and the question briefs (which draw warnings), one process."""
    settings = make_project(tmp_path, FIXTURES / "valid")
    for brief in (FIXTURES / "questions").glob("*-*.yml"):
        (settings.briefings_dir / brief.name).write_bytes(brief.read_bytes())
    return replace(settings, jobs=1)


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The names of the files loaded to be checked from now on.

    A file read again only for the position of a cross-file warning is not counted.
    """
    names: list[str] = []
    real = load.load_yaml

    def counted(path: Path, **kwargs):
        if not kwargs.get("positions"):
            names.append(path.name)
        return real(path, **kwargs)

    monkeypatch.setattr(load, "load_yaml", counted)
    return names


def _said(checked: pipeline.Checked) -> list[str]:
    """Every problem as the command line prints it, errors first."""
    return [str(p) for p in (*checked.report.errors, *checked.report.warnings)]


def _briefs(checked: pipeline.Checked) -> list[tuple[str, str]]:
    return [(item.slug, item.brief.model_dump_json()) for item in checked.briefs]


def test_the_cache_round_trips_and_spares_every_unchanged_brief(project, loads):
    path = pipeline.cache_path(project)
    assert path == project.docs_dir.parent / "docs.check-cache.pickle"
    first = pipeline.check_with_cache_file(project)
    assert _said(first), "the fixture should draw warnings, so that they are compared too"
    assert any(p.severity.value == "warning" for p in first.report.problems)
    briefs = sorted(p.name for p in project.briefings_dir.glob("*.yml"))
    briefs = [name for name in briefs if name not in REGISTRIES]
    assert sorted(set(loads) - REGISTRIES) == briefs

    saved = pipeline.CheckCache.load(path)
    assert sorted(p.name for p in saved.entries) == briefs
    for _, doc, _, _ in saved.entries.values():  # only what the cross-file checks need
        assert doc.data is None and doc.values == {} and doc.keys == {}
        assert doc.references is not None and doc.publication is not None
    loads.clear()
    again = pipeline.check(project, saved)
    assert [name for name in loads if name in briefs] == []
    assert _said(again) == _said(first)
    assert _briefs(again) == _briefs(first)


def test_an_edited_added_or_removed_brief_is_checked_again(project, loads):
    pipeline.check_with_cache_file(project)
    folder = project.briefings_dir
    edited = folder / "border-talks.yml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("title:", "title: Edited\ntitel:", 1),
        encoding="utf-8",
    )
    (folder / "patrols-agreed.yml").unlink()
    (folder / "a-new-brief.yml").write_text(
        (folder / "ruritania-election.yml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    loads.clear()
    warm = pipeline.check_with_cache_file(project)
    assert sorted(set(loads) - REGISTRIES) == ["a-new-brief.yml", "border-talks.yml"]

    cold = pipeline.check(project)
    assert _said(warm) == _said(cold)
    assert "border-talks.yml" in "\n".join(_said(warm))  # the edit is reported
    assert any("titel" in line for line in _said(warm))
    assert _briefs(warm) == _briefs(cold)
    saved = pipeline.CheckCache.load(pipeline.cache_path(project))
    assert "patrols-agreed.yml" not in {p.name for p in saved.entries}
    assert "a-new-brief.yml" in {p.name for p in saved.entries}


@pytest.mark.parametrize(
    "content",
    [
        b"not a pickle at all",
        b"",
        "cut short",
        "other code",
        "not a cache",
    ],
)
def test_a_corrupt_or_stale_cache_file_is_ignored_and_rewritten(project, loads, content):
    path = pipeline.cache_path(project)
    pipeline.check_with_cache_file(project)
    whole = path.read_bytes()
    if content == "cut short":
        content = whole[: len(whole) // 2]
    elif content == "other code":
        stream = io.BytesIO(whole)
        _, head = pickle.load(stream)  # its entries follow, in shares
        content = pickle.dumps((b"another generator", head)) + whole[stream.tell() :]
    elif content == "not a cache":
        content = pickle.dumps((pipeline.code_version(), {"entries": {}})) + pickle.dumps(0)
    path.write_bytes(content)
    assert pipeline.CheckCache.load(path).entries == {}
    loads.clear()
    checked = pipeline.check_with_cache_file(project)
    assert "border-talks.yml" in loads  # everything is checked again
    assert _said(checked) == _said(pipeline.check(project))
    assert len(pipeline.CheckCache.load(path).entries) == len(checked.briefs)


def test_the_whole_cache_is_written_a_share_of_entries_at_a_time(project, monkeypatch):
    monkeypatch.setattr(pipeline, "ENTRIES_AT_ONCE", 2)
    checked = pipeline.check_with_cache_file(project)
    stream = io.BytesIO(pipeline.cache_path(project).read_bytes())
    version, head = pickle.load(stream)
    assert version == pipeline.code_version() and head.entries == {}
    shares = [pickle.load(stream) for _ in range(pickle.load(stream))]
    assert stream.tell() == len(stream.getbuffer())
    count = len(checked.briefs)
    assert count > 2
    assert [len(share) for share in shares] == [2] * (count // 2) + [1] * (count % 2)
    loaded = pipeline.CheckCache.load(pipeline.cache_path(project))
    assert loaded.entries.keys() == {path for share in shares for path, _ in share}
    assert [(v.slug, v.brief) for _, _, v, _ in loaded.entries.values()] == [
        (item.slug, item.brief) for item in checked.briefs
    ]


def test_a_missing_cache_is_an_empty_one(tmp_path):
    assert pipeline.CheckCache.load(tmp_path / "nothing.pickle").entries == {}


def test_an_unchanged_briefs_warnings_read_no_file_for_their_positions(project, monkeypatch):
    """A cross-file warning's position is kept with the cached brief, not read again each run.

    At 10,000 briefs the suggestion checks warn about most of them: reading each
    file again for its warnings' lines cost a publish as much as loading the archive.
    """
    first = pipeline.check_with_cache_file(project)
    warned = {p.file.name for p in first.report.warnings}
    assert warned, "the fixture should draw warnings"
    reread: list[str] = []
    real = load.load_yaml

    def counted(path: Path, **kwargs):
        if kwargs.get("positions"):
            reread.append(path.name)
        return real(path, **kwargs)

    monkeypatch.setattr(load, "load_yaml", counted)
    again = pipeline.check_with_cache_file(project)
    assert reread == []
    assert _said(again) == _said(first)  # the same lines and columns

    # An edited brief is read again: its lines may have moved.
    edited = project.briefings_dir / sorted(warned)[0]
    edited.write_text("# moved down a line\n" + edited.read_text(encoding="utf-8"), "utf-8")
    moved = pipeline.check_with_cache_file(project)
    mine = [p for p in moved.report.warnings if p.file.name == edited.name]
    before = [p for p in first.report.warnings if p.file.name == edited.name]
    assert [p.line for p in mine] == [p.line + 1 for p in before]


def _edit(settings: Settings, number: int) -> None:
    brief = settings.briefings_dir / "border-talks.yml"
    text = brief.read_text(encoding="utf-8").split("\n# edit ")[0]
    brief.write_text(f"{text}\n# edit {number}\n", encoding="utf-8")


def _entries(cache: pipeline.CheckCache) -> dict[str, bytes]:
    return {path.name: entry[0] for path, entry in cache.entries.items()}


def test_a_save_after_a_few_changes_writes_only_them_beside_the_whole_file(project, loads):
    path = pipeline.cache_path(project)
    pipeline.check_with_cache_file(project)
    whole = path.read_bytes()
    _edit(project, 1)
    (project.briefings_dir / "patrols-agreed.yml").unlink()
    pipeline.check_with_cache_file(project)
    assert path.read_bytes() == whole
    changes = sorted(p.name for p in path.parent.glob(f"{path.name}.*"))
    assert changes == [f"{path.name}.1"]
    assert pickle.loads(path.with_name(changes[0]).read_bytes())[2].keys() == {
        project.briefings_dir / "border-talks.yml"
    }  # only the edited brief's entry

    loaded = pipeline.CheckCache.load(path)
    fresh = pipeline.CheckCache()
    pipeline.check(project, fresh)
    assert _entries(loaded) == _entries(fresh)  # the edit applied, the removed brief gone
    loads.clear()
    warm = pipeline.check_with_cache_file(project)
    assert [name for name in loads if name not in REGISTRIES] == []
    assert _said(warm) == _said(pipeline.check(project))
    assert sorted(p.name for p in path.parent.glob(f"{path.name}.*")) == changes  # no change


def test_after_so_many_change_files_the_cache_is_written_whole_again(project):
    path = pipeline.cache_path(project)
    pipeline.check_with_cache_file(project)
    for number in range(1, pipeline.MAX_CHANGES + 1):
        _edit(project, number)
        pipeline.check_with_cache_file(project)
    assert len(list(path.parent.glob(f"{path.name}.*"))) == pipeline.MAX_CHANGES
    _edit(project, pipeline.MAX_CHANGES + 1)
    pipeline.check_with_cache_file(project)
    assert list(path.parent.glob(f"{path.name}.*")) == []
    fresh = pipeline.CheckCache()
    pipeline.check(project, fresh)
    assert _entries(pipeline.CheckCache.load(path)) == _entries(fresh)


@pytest.mark.parametrize("damage", ["cut short", "another whole file's"])
def test_a_damaged_or_stray_change_file_costs_only_a_check_again(project, loads, damage):
    path = pipeline.cache_path(project)
    pipeline.check_with_cache_file(project)
    _edit(project, 1)
    pipeline.check_with_cache_file(project)
    change = path.with_name(f"{path.name}.1")
    if damage == "cut short":
        change.write_bytes(change.read_bytes()[:100])
    else:
        version, _token, *rest = pickle.loads(change.read_bytes())
        change.write_bytes(pickle.dumps((version, "another", *rest)))
    loads.clear()
    checked = pipeline.check_with_cache_file(project)
    assert [name for name in loads if name not in REGISTRIES] == ["border-talks.yml"]
    assert _said(checked) == _said(pipeline.check(project))


def test_the_cross_file_problems_of_unchanged_briefs_are_kept_between_checks(project, monkeypatch):
    """As in the preview: one cache in memory, a check on every save."""
    folder = project.briefings_dir
    edited = folder / "ruritania-election.yml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("actors: [alliance,", "actors: [alliance, atlantis,"), "utf-8")
    checked: list[str] = []
    real = validate._cross_problems

    def counted(doc, *args):
        checked.append(doc.path.name)
        return real(doc, *args)

    monkeypatch.setattr(validate, "_cross_problems", counted)
    cache = pipeline.CheckCache()
    first = pipeline.check(project, cache, suggestions=False)
    assert any("unknown actor 'atlantis'" in line for line in _said(first))
    assert len(checked) == len(cache.entries)
    checked.clear()
    edited.write_text(text.replace("actors: [alliance,", "actors: [alliance, lemuria,"), "utf-8")
    again = pipeline.check(project, cache, suggestions=False)
    assert checked == [edited.name]  # the others are kept
    assert _said(again) == _said(pipeline.check(project, suggestions=False))
    assert any("unknown actor 'lemuria'" in line for line in _said(again))
    checked.clear()
    (folder / "patrols-agreed.yml").rename(folder / "patrols-renamed.yml")
    renamed = pipeline.check(project, cache, suggestions=False)  # a link may now be unknown
    assert len(checked) == len(cache.entries)
    assert _said(renamed) == _said(pipeline.check(project, suggestions=False))
    assert any("unknown brief 'patrols-agreed'" in line for line in _said(renamed))


def test_collisions_are_looked_for_again_only_when_a_brief_claims_other_names(project, monkeypatch):
    """As in the preview: a check that found no collision is repeated only when names change."""
    folder = project.briefings_dir
    edited = folder / "ruritania-election.yml"
    text = edited.read_text(encoding="utf-8")
    looked: list[int] = []
    real = validate._collisions

    def counted(docs, *args):
        looked.append(len(docs))
        return real(docs, *args)

    monkeypatch.setattr(validate, "_collisions", counted)
    cache = pipeline.CheckCache()

    def check_as_fresh() -> list[str]:
        said = _said(pipeline.check(project, cache, suggestions=False))
        assert said == _said(pipeline.check(project, suggestions=False))
        return said

    check_as_fresh()
    edited.write_text(text.replace("title: ", "title: Retitled ", 1), "utf-8")
    check_as_fresh()
    assert len(looked) == 3  # the first, and each fresh check; not the retitled brief's
    edited.write_text(text.replace("tags: [elections]", "tags: [elections, BORDER]"), "utf-8")
    said = check_as_fresh()
    assert len(looked) == 5  # a new tag: looked for again
    assert any("tag 'BORDER' and tag 'Border'" in line for line in said)
    other = folder / "patrols-agreed.yml"
    other.write_text(
        other.read_text(encoding="utf-8").replace("title: ", "title: New ", 1), "utf-8"
    )
    assert check_as_fresh() == said  # the same names, but the last check found a clash
    assert len(looked) == 7
    edited.write_text(text, "utf-8")
    assert not any("tag 'BORDER'" in line for line in check_as_fresh())
    assert len(looked) == 9
    (folder / "border-talks.yml").rename(folder / "talks.yml")
    check_as_fresh()
    (folder / "talks.yml").write_text("continues: patrols-agreed\n", "utf-8")
    (folder / "patrols-agreed.yaml").write_bytes((folder / "patrols-agreed.yml").read_bytes())
    said = check_as_fresh()
    assert any("would both be published at" in line for line in said)
    assert len(looked) == 13


def test_an_unchanged_file_is_not_read_again_once_its_stat_can_be_trusted(project, monkeypatch):
    """Like Git's index: a file's size, times and inode stand for its bytes, except just
    after it changed, when a second write in the same clock tick could leave them as they were."""
    path = project.briefings_dir / "ruritania-election.yml"
    hashed: list[Path] = []
    real = pipeline.file_signature

    def counted(file: Path) -> bytes:
        hashed.append(file)
        return real(file)

    monkeypatch.setattr(pipeline, "file_signature", counted)
    cache = pipeline.CheckCache()
    just_now = time.time_ns()
    later = just_now + 10 * pipeline.RACY_NS
    first = cache.signature(path, just_now)  # changed a moment ago (the copy): racy
    assert cache.signature(path, just_now) == first
    assert len(hashed) == 2
    assert cache.signature(path, later) == first
    assert cache.signature(path, later) == first
    assert len(hashed) == 3  # trusted from then on
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    same_size = text.replace("election", "elektion", 1)
    assert len(same_size) == len(text)
    path.write_text(same_size, encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # its old time, but a new ctime
    edited = cache.signature(path, later + pipeline.RACY_NS)
    assert edited != first and edited == real(path)
    assert len(hashed) == 4


def test_the_place_registry_is_read_again_only_when_a_registry_changed(project, monkeypatch):
    """As in the preview; the registries' signature covers both files."""
    read: list[Path] = []
    real = load.read_places

    def counted(folder: Path):
        read.append(folder)
        return real(folder)

    monkeypatch.setattr(load, "read_places", counted)
    cache = pipeline.CheckCache()
    first = pipeline.check(project, cache, suggestions=False)
    again = pipeline.check(project, cache, suggestions=False)
    assert len(read) == 1 and _said(again) == _said(first)
    places = project.briefings_dir / "places.yml"
    places.write_text(places.read_text(encoding="utf-8").replace("strelsau:", "strelzau:"), "utf-8")
    changed = pipeline.check(project, cache, suggestions=False)
    assert len(read) == 2
    assert _said(changed) == _said(pipeline.check(project, suggestions=False))
    assert any("unknown place 'strelsau'" in line for line in _said(changed))


def test_checks_across_briefs_are_run_again_only_when_a_save_can_change_what_they_find(
    project, monkeypatch
):
    """As in the preview: after a check that found nothing across briefs, a save that changes
    nothing they read (a title, a summary) skips them; any other save runs them again."""
    folder = project.briefings_dir
    runs: list[str] = []
    for name in ("thread_problems", "link_problems", "cross_check", "output_collisions"):
        real = getattr(validate, name)

        def counted(*args, _real=real, _name=name):
            runs.append(_name)
            return _real(*args)

        monkeypatch.setattr(validate, name, counted)
    cache = pipeline.CheckCache()
    brief = folder / "ruritania-election.yml"
    text = brief.read_text(encoding="utf-8")

    def save(new: str) -> tuple[bool, list[str]]:
        """Write the brief, check with the cache; whether the checks ran, and what was said."""
        brief.write_text(new, encoding="utf-8")
        runs.clear()
        said = _said(pipeline.check(project, cache, suggestions=False))
        ran = bool(runs)
        assert said == _said(pipeline.check(project, suggestions=False))
        return ran, said

    assert save(text)[0]  # the first check
    assert save(text.replace("title: ", "title: Retitled ", 1)) == (False, [])
    assert save(text.replace("title: ", "title: Again ", 1)) == (False, [])
    ran, said = save(text.replace("actors: [alliance,", "actors: [alliance, atlantis,"))
    assert ran and any("unknown actor 'atlantis'" in line for line in said)
    ran, said = save(text.replace("title: ", "title: Still ", 1).replace(
        "actors: [alliance,", "actors: [alliance, atlantis,"))  # fmt: skip
    assert ran and any("unknown actor 'atlantis'" in line for line in said)  # found before
    assert save(text) == (True, [])
    assert save(text.replace("title: ", "title: Quiet ", 1)) == (False, [])
    ran, said = save(text + "draft: true\n")  # published otherwise: links to it may warn
    assert ran
    assert save(text)[0]
    assert save(text)[0] is False
    runs.clear()
    earlier = replace(project, today=dt.date(2025, 3, 5))  # a brief it links is embargoed
    said = _said(pipeline.check(earlier, cache, suggestions=False))
    assert runs and said == _said(pipeline.check(earlier, suggestions=False))
    assert any("'patrols-agreed' is embargoed until" in line for line in said)
    (folder / "patrols-agreed.yml").rename(folder / "patrols-renamed.yml")
    ran, said = save(text.replace("title: ", "title: Renamed ", 1))
    assert ran and any("unknown brief 'patrols-agreed'" in line for line in said)
