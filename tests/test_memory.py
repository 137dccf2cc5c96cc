"""Compact briefs: shared text, dates and field sets change nothing a reader of the model sees."""

from __future__ import annotations

import functools
import pickle
import sys
from dataclasses import replace
from unittest import mock

import pytest

from generator import graph, load, models, render, validate
from generator.models import EMPTY_LIST, PACKED, Brief, PartialDate, Record, compact
from generator.reads import ALL
from tests.conftest import FIXTURES


def _brief(name: str):
    doc = load.load_yaml(FIXTURES / "valid" / name)
    valid, problems = validate.validate_brief(doc)
    assert valid is not None, problems
    return valid.brief


def test_two_briefs_share_their_repeated_ids_and_field_sets_but_compare_as_before():
    one, two = _brief("border-talks.yml"), _brief("border-talks.yml")
    assert one == two and one is not two
    assert one.events[0].id is two.events[0].id  # interned once validated
    assert one.events[0].model_fields_set is two.events[0].model_fields_set
    assert compact(one) is one and one == two


def _records(value):
    """Every record in ``value``, itself included."""
    if isinstance(value, Record):
        yield value
        for name in value.model_fields:
            yield from _records(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _records(item)


def test_a_checked_brief_is_kept_in_slots_and_gives_back_its_model():
    brief = _brief("border-talks.yml")
    doc = load.load_yaml(FIXTURES / "valid" / "border-talks.yml")
    model = Brief.model_validate(doc.data)
    kept = list(_records(brief))
    assert len(kept) > 10 and not any(hasattr(item, "__dict__") for item in kept)
    assert {type(item).__name__ for item in kept} >= {"BriefRecord", "SourceRecord"}
    assert brief.to_model() == model and brief.model_dump() == model.model_dump()
    assert pickle.loads(pickle.dumps(brief)) == brief
    assert brief.actor_ids() == model.actor_ids()


def test_every_empty_list_of_the_records_is_one_list_that_refuses_to_grow():
    one, two = _brief("border-talks.yml"), _brief("border-talks.yml")
    empties = [
        getattr(item, name)
        for brief in (one, two)
        for item in _records(brief)
        for name in item.model_fields
        if getattr(item, name) == []
    ]
    assert len(empties) > 10 and all(value is EMPTY_LIST for value in empties)
    for grow in (lambda e: e.append(1), lambda e: e.extend([1]), lambda e: e.insert(0, 1)):
        with pytest.raises(TypeError):
            grow(EMPTY_LIST)
    assert EMPTY_LIST == [] and not EMPTY_LIST
    assert pickle.loads(pickle.dumps(one)).changes is EMPTY_LIST
    model = one.to_model()
    assert model.changes == [] and model.changes is not EMPTY_LIST  # a model's own list


def test_the_fields_only_a_brief_s_page_reads_are_kept_packed_and_read_as_before():
    brief = _brief("border-talks.yml")
    doc = load.load_yaml(FIXTURES / "valid" / "border-talks.yml")
    model = Brief.model_validate(doc.data)
    names = PACKED[Brief]
    held = dict(zip(type(brief).__dataclass_fields__, brief.__getstate__(), strict=True))
    assert all(isinstance(held[name], bytes) for name in names if getattr(model, name))
    assert not any(isinstance(value, bytes) for name, value in held.items() if name not in names)
    for name in names:
        assert getattr(brief, name) == [compact(item) for item in getattr(model, name)]
        assert getattr(brief, name) is getattr(brief, name)  # unpacked once while read
    assert brief.to_model() == model and brief.disputes() == compact(model).disputes()
    loaded = pickle.loads(pickle.dumps(brief))
    assert loaded == brief and loaded.__getstate__() == brief.__getstate__()
    fewer = brief.model_copy(update={"sources": brief.sources[:1]})
    assert fewer.sources == brief.sources[:1]
    assert isinstance(dict(zip(held, fewer.__getstate__(), strict=True))["sources"], bytes)


def test_only_the_latest_unpacked_fields_are_kept():
    briefs = [_brief("border-talks.yml") for _ in range(models.UNPACKED_KEPT + 4)]
    for brief in briefs:
        assert brief.sources
    assert len(models._UNPACKED) == models.UNPACKED_KEPT
    latest = briefs[-models.UNPACKED_KEPT :]
    assert all(any(record is b for b in latest) for record, _ in models._UNPACKED.values())
    assert briefs[0].sources == briefs[-1].sources  # unpacked again, equal


def test_a_copy_with_an_update_leaves_the_shared_field_set_alone():
    brief = _brief("border-talks.yml")
    source = brief.sources[0]
    written = set(source.model_fields_set)
    unset = next(name for name in type(source).model_fields if name not in written)
    copy = source.model_copy(update={unset: None})
    assert unset in copy.model_fields_set
    assert source.model_fields_set == written
    assert _brief("border-talks.yml").sources[0].model_fields_set == written


def test_a_date_written_twice_is_one_object_and_a_bad_one_still_fails():
    assert PartialDate.parse("2024-05") is PartialDate.parse("2024-05")
    assert str(PartialDate.parse("2024-05-06")) == "2024-05-06"
    for bad in ("2024-13", "2024-02-30"):
        try:
            PartialDate.parse(bad)
        except ValueError as exc:
            assert "not a real date" in str(exc)
        else:
            raise AssertionError(f"{bad} was accepted")


def test_the_words_cached_for_the_suggestions_are_dropped_once_they_are_made(
    valid_project, monkeypatch
):
    from generator import pipeline

    held = []
    forget = validate.forget_words
    monkeypatch.setattr(
        validate, "forget_words", lambda: (held.append(validate._words.cache_info()), forget())
    )
    pipeline.check(valid_project)
    pipeline.check(valid_project, pipeline.CheckCache())  # the cached path, too
    assert len(held) == 2 and all(info.currsize > 0 for info in held)  # the check used them
    assert validate._words.cache_info().currsize == 0


def test_a_forked_workers_reads_reach_the_graph_as_one_process_records_them(valid_project):
    import dataclasses

    from generator import pipeline

    given: list[dict[str, tuple[object, ...]]] = []
    real = graph.updated

    def updated(old, inputs, reads, plan, **fields):
        pairs = list(reads)
        given.append(dict(pairs))
        assert len(pairs) == len(given[-1])  # each output once
        return real(old, inputs, pairs, plan, **fields)

    with mock.patch.object(graph, "updated", updated):
        for jobs, docs in ((2, "docs-2"), (1, "docs-1")):  # 2: a forked worker writes a share
            settings = dataclasses.replace(
                valid_project, jobs=jobs, docs_dir=valid_project.root / docs
            )
            stats = pipeline.generate(settings).stats
            assert list(stats.reads.drain()) == []  # drained by the graph
    forked, alone = given
    assert len(forked) > 20 and all(isinstance(keys, tuple) for keys in forked.values())
    assert {path: set(keys) for path, keys in forked.items()} == {
        path: set(keys) for path, keys in alone.items()
    }


def test_a_read_log_gives_back_what_it_noted_in_order_once_across_batches_and_a_fork():
    import os

    from generator.reads import ReadLog

    log, worker = ReadLog(), ReadLog(for_fork=True)
    pickle.dumps(ReadLog())  # a worker's own, empty, goes back as a new one
    noted = [(f"{n}.md", (("brief", str(n)), ("by_tag", "t"))) for n in range(ReadLog.BATCH + 3)]
    for path, keys in noted[:-2]:
        log.add(path, keys)
    child = os.fork()
    if child == 0:  # a worker writes the log made before the fork, and flushes it
        for path, keys in noted[-2:]:
            worker.add(path, keys)
        worker.flush()
        os._exit(0)
    assert os.waitpid(child, 0)[1] == 0
    log.extend(worker)
    with pytest.raises(TypeError):
        pickle.dumps(log)  # its file is shared by a fork, never sent
    assert list(log.drain()) == noted
    assert list(log.drain()) == [] and list(worker.drain()) == []


def test_the_warnings_a_graph_keeps_come_back_as_they_were_said():
    from generator import graph

    said = ["a.yml:1:2: warning: one", "b.yml:3:4: warning: two\n  with a second line", ""]
    assert graph.unpack_notes(graph.pack_notes(said)) == said
    assert graph.unpack_notes(graph.pack_notes([])) == []
    assert len(graph.pack_notes(said * 1000)) < len("".join(said * 1000)) / 10


def _watch(monkeypatch, made: list, module, *names: str) -> None:
    """Keep a weak reference to each value ``module``'s ``names`` return, in ``made``."""
    import weakref

    for name in names:
        real = getattr(module, name)

        def keeping(*args, _real=real, **kwargs):
            value = _real(*args, **kwargs)
            made.append(weakref.ref(value))
            return value

        monkeypatch.setattr(module, name, keeping)


def _alive_when(monkeypatch, made: list, module, name: str) -> list[bool]:
    """Whether each of ``made`` is alive, noted each time ``module.name`` is called."""
    alive_then: list[bool] = []
    real = getattr(module, name)

    def calling(*args, **kwargs):
        alive_then.extend(ref() is not None for ref in made)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, calling)
    return alive_then


def test_the_schemas_are_written_once_the_graph_and_its_digests_are_let_go(
    valid_project, monkeypatch
):
    from generator import pipeline, schema

    made: list = []
    _watch(monkeypatch, made, graph, "Inputs", "updated", "load")
    alive_then = _alive_when(monkeypatch, made, schema, "write_schemas")
    assert pipeline.generate(valid_project).rendered
    assert len(alive_then) == 2 and not any(alive_then)  # the digests, the graph saved
    made.clear(), alive_then.clear()
    brief = next(valid_project.briefings_dir.glob("border-talks.yml"))
    brief.write_text(brief.read_text(encoding="utf-8").replace("title: ", "title: Now ", 1))
    assert pipeline.generate(valid_project).rendered
    assert len(alive_then) == 3 and not any(alive_then)  # and the graph read from the folder


def test_the_digests_and_their_memo_are_let_go_before_the_graph_is_pickled(
    valid_project, monkeypatch
):
    from generator import pipeline

    made: list = []
    _watch(monkeypatch, made, graph, "Inputs")
    alive_then = _alive_when(monkeypatch, made, graph, "save")
    assert pipeline.generate(valid_project).rendered
    assert alive_then == [False]


def test_the_render_plan_is_let_go_before_the_graph_is_made(valid_project, monkeypatch):
    import weakref

    from generator import pipeline, render

    made: list = []
    real = render.plan_outputs

    def keeping(*args, **kwargs):
        for path, output in real(*args, **kwargs):
            made.append(weakref.ref(output))  # a bound method, or a partial
            yield path, output

    monkeypatch.setattr(render, "plan_outputs", keeping)
    alive_then = _alive_when(monkeypatch, made, graph, "updated")
    assert pipeline.generate(valid_project).rendered
    assert len(alive_then) > 50 and not any(alive_then)


def test_the_plan_settled_before_rendering_gives_the_digests_the_plan_gives(valid_project):
    from generator import pipeline, render
    from generator.index import build_index

    checked = pipeline.check(valid_project)
    index = build_index(checked.briefs, checked.actors, valid_project.related, checked.places)
    outputs = dict(render.render_plan(index, valid_project))
    settled = graph.Inputs(index, {}, outputs, valid_project)
    assert settled.settle_plan() == list(outputs)
    assert settled.plan == {} and not settled.memo
    with mock.patch.object(graph, "PLAN_MEMO", 3):  # given one at a time, a memo per three
        drawn = graph.Inputs(index, {}, {}, valid_project)
        assert drawn.settle_plan(iter(outputs.items())) == list(outputs)
    assert drawn.plan == {} and not drawn.memo
    kept = graph.Inputs(index, {}, outputs, valid_project)
    keys = [graph.plan_key(path) for path in outputs] + [graph.plan_key("gone.md")]
    assert [settled.digest(k) for k in keys] == [kept.digest(k) for k in keys]
    assert [drawn.digest(k) for k in keys] == [kept.digest(k) for k in keys]
    assert len(set(map(settled.digest, keys))) == len(keys)  # each output's own


def test_the_text_links_and_feed_entries_cached_for_rendering_are_dropped_before_the_graph(
    valid_project, monkeypatch
):
    from generator import feeds, graph, mdtext, pipeline, render

    caches = (mdtext._escape, mdtext.rich, mdtext.plain, render._relative)
    sizes: list[tuple[int, ...]] = []
    made = pipeline._render_and_write
    update = graph.updated

    def held() -> tuple[int, ...]:
        feed_entries = sum(items.held() for items in feeds._ITEMS)
        return (*(cached.cache_info().currsize for cached in caches), feed_entries)

    def rendering(*args, **kwargs):
        stats = made(*args, **kwargs)
        sizes.append(held())
        return stats

    def updating(*args, **kwargs):
        sizes.append(held())
        return update(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_render_and_write", rendering)
    monkeypatch.setattr(graph, "updated", updating)
    valid_project = replace(valid_project, jobs=1)  # rendered here, not in a worker
    assert pipeline.generate(valid_project).rendered
    assert all(sizes[0][:4])  # the text caches were used
    assert sizes[1] == (0, 0, 0, 0, 0)


def test_no_output_of_the_digested_plan_is_alive_while_the_pages_are_rendered(
    valid_project, monkeypatch
):
    import gc
    import weakref

    from generator import pipeline, render

    planned: list[weakref.ref] = []
    alive: list[int] = []
    plan, made = render.plan_outputs, pipeline._render_and_write

    def planning(*args):
        for path, output in plan(*args):
            if isinstance(output, functools.partial) and not alive:  # the plan digested
                planned.append(weakref.ref(output))
            yield path, output

    def rendering(*args):
        gc.collect()
        alive.append(sum(ref() is not None for ref in planned))
        return made(*args)

    monkeypatch.setattr(render, "plan_outputs", planning)
    monkeypatch.setattr(pipeline, "_render_and_write", rendering)
    assert pipeline.generate(replace(valid_project, jobs=1)).rendered
    assert len(planned) > 10 and alive == [0]


def test_each_share_makes_the_plan_itself_and_renders_every_step_th_output_of_todo():
    from generator import pipeline

    made: list[str] = []
    plan = [
        (f"page-{n}.md", functools.partial(render.Page, f"page-{n}.md", str(n))) for n in range(9)
    ]

    def outputs():
        made.append("plan")
        return iter(plan)

    paths = [path for path, _ in plan]
    share = pipeline._share(outputs, paths, None, 1, 3)
    assert made == []  # made when the first page is drawn, in the process that draws it
    assert [page.path for page in share] == ["page-1.md", "page-4.md", "page-7.md"]
    todo = {"page-0.md", "page-2.md", "page-3.md", "page-8.md"}
    assert [page.text for page in pipeline._share(outputs, paths, todo, 0, 2)] == ["0", "3"]
    pages = list(pipeline._share(outputs, paths, None, 0, 1))
    assert all(page.reads == () for page in pages)
    assert all(page.path is path for page, path in zip(pages, paths, strict=True))  # one string
    assert made == ["plan"] * 3
    with pytest.raises(ValueError):  # a plan made again must list what was digested
        list(pipeline._share(outputs, paths[:-1], None, 0, 1))


def test_a_share_hands_the_freed_heap_back_every_so_many_outputs(monkeypatch):
    from generator import heap, pipeline

    trims: list[int] = []
    drawn: list[str] = []
    monkeypatch.setattr(heap, "trim", lambda: trims.append(len(drawn)) or True)
    monkeypatch.setattr(pipeline, "TRIM_EVERY", 3)
    plan = [(f"{n}.md", functools.partial(render.Page, f"{n}.md", "")) for n in range(8)]
    for page in pipeline._share(lambda: iter(plan), [path for path, _ in plan], None, 0, 1):
        drawn.append(page.path)
    assert trims == [3, 6] and len(drawn) == 8  # after the third and the sixth


def test_a_checked_brief_keeps_its_references_as_two_shared_tuples_that_read_as_pairs():
    docs = [load.load_yaml(FIXTURES / "valid" / "border-talks.yml") for _ in range(2)]
    written = validate.references(docs[0].data, validate.ACTOR_FIELDS)
    for doc in docs:
        validate.settle(doc)
    one, two = (doc.references[0] for doc in docs)
    assert isinstance(one, validate.References) and type(one.paths) is tuple
    assert list(one) == written and len(one) == len(written) > 3
    assert all(a is b for a, b in zip(one.paths, two.paths, strict=True))  # shared


def test_the_warnings_are_let_go_once_said_and_packed_before_the_pages_are_rendered(
    valid_project, monkeypatch
):
    import weakref

    from generator import graph, pipeline
    from generator.errors import Problem, Severity

    checking = pipeline.check_with_cache_file
    planted: list[weakref.ref] = []

    def check(settings, *args):
        checked = checking(settings, *args)
        path = settings.briefings_dir / "border-talks.yml"
        warning = Problem(path, "a planted warning", severity=Severity.WARNING)
        checked.report.add(warning)
        planted.append(weakref.ref(warning))
        return checked

    alive: list[bool] = []
    rendering = pipeline._render_and_write

    def render(*args, **kwargs):
        alive.append(planted[0]() is not None)
        return rendering(*args, **kwargs)

    monkeypatch.setattr(pipeline, "check_with_cache_file", check)
    monkeypatch.setattr(pipeline, "_render_and_write", render)
    assert pipeline.generate(valid_project).rendered
    assert alive == [False]
    head = graph.load_head(valid_project.docs_dir)
    assert any("a planted warning" in line for line in head.warnings)  # said again later


def test_a_word_is_one_string_in_every_set_of_words_the_suggestions_keep():
    validate.forget_words()
    first = validate._words("Drones over the harbour at dawn")
    second = validate._words("The harbour's drones")
    assert first & second == {"drone", "harbour"}
    for word in first & second:
        (a,) = (w for w in first if w == word)
        (b,) = (w for w in second if w == word)
        assert a is b


def test_feeds_keep_each_briefs_summary_once_as_text_and_build_their_entries_each_time(
    valid_project, monkeypatch
):
    from generator import feeds, pipeline

    summarized: list[str] = []
    made: list[feeds.FeedItems] = []
    entries: list[object] = []
    plain, init, atom = feeds.plain, feeds.FeedItems.__init__, feeds.FeedItems.atom

    def summarizing(text: str) -> str:
        if sys._getframe(1).f_code is feeds.FeedItems._summary.__code__:  # not the JSON-LD's
            summarized.append(text)
        return plain(text)

    def keeping(self, settings) -> None:
        made.append(self)  # alive to the end, to be looked at
        init(self, settings)

    def building(self, entry):
        entries.append(atom(self, entry))
        assert all(type(kept) is str for kept in self._summaries.values())
        return entries[-1]

    monkeypatch.setattr(feeds, "plain", summarizing)
    monkeypatch.setattr(feeds.FeedItems, "__init__", keeping)
    monkeypatch.setattr(feeds.FeedItems, "atom", building)
    pipeline.generate(replace(valid_project, jobs=1))  # rendered here, not in a worker
    assert len(summarized) == 4  # once each, though every brief is in several feeds
    assert len(entries) > 8 and len({id(e) for e in entries}) == len(entries)  # one per feed
    assert made and all(items.held() == 0 for items in made)  # let go once feeds were written


def test_the_documents_of_checked_briefs_hold_only_their_path_once_the_check_is_saved(
    valid_project, monkeypatch
):
    from generator import index, pipeline

    seen = []
    real = index.build_index

    def indexing(published, *args):
        seen.extend(item.doc for item in published)
        return real(published, *args)

    monkeypatch.setattr(index, "build_index", indexing)
    pipeline.generate(replace(valid_project, jobs=1))
    assert len(seen) == 4
    for doc in seen:
        assert doc.forgotten and doc.values == doc.keys == {}
        assert (doc.references, doc.place_references, doc.publication, doc.asked) == (None,) * 4
    # A later message still finds its place, from the file.
    fresh = load.load_yaml(seen[0].path, positions=True)
    assert seen[0].position(("summary",)) == fresh.position(("summary",)) is not None


def test_many_warnings_are_said_in_records_of_a_thousand_not_joined_unless_a_handler_asks(
    monkeypatch,
):
    import io
    import logging

    from generator import cli, pipeline

    joined: list[str] = []
    text = pipeline._Joined.__str__
    monkeypatch.setattr(pipeline._Joined, "__str__", lambda self: joined.append("") or text(self))
    monkeypatch.setattr(pipeline.log, "propagate", False)  # only the handler below sees it
    said = ["a.yml:1:1: warning: one", "b.yml:2:3: warning: two", "c.yml:4:5: warning: three"]
    prefixed = "".join(f"WARNING: {line}\n" for line in said)
    for at_once, records in ((1000, 1), (2, 2)):
        monkeypatch.setattr(pipeline, "WARNINGS_AT_ONCE", at_once)
        for formatter, expected, joins in (
            (cli._Lines(), prefixed, 0),
            (logging.Formatter("%(message)s"), "".join(f"{line}\n" for line in said), records),
        ):
            out = io.StringIO()
            handler = logging.StreamHandler(out)
            handler.setFormatter(formatter)
            pipeline.log.addHandler(handler)
            try:
                joined.clear()
                pipeline.warn_all(said)
            finally:
                pipeline.log.removeHandler(handler)
            assert (out.getvalue(), len(joined)) == (expected, joins)
    packed = graph.pack_notes(iter(said))  # worded once, packed one at a time
    assert graph.unpack_notes(packed) == said


def test_the_old_graph_is_let_go_before_rendering_when_every_output_renders_again(
    valid_project, monkeypatch
):
    import gc
    import weakref

    from generator import pipeline

    valid_project = replace(valid_project, jobs=1)  # rendered here, not in a worker
    pipeline.generate(valid_project)
    loaded: list[weakref.ref] = []
    alive: list[bool] = []
    load, render = graph.load, pipeline._render_and_write

    def loading(folder):
        found = load(folder)
        loaded.append(weakref.ref(found))
        return found

    def rendering(*args):
        gc.collect()
        alive.append(loaded[0]() is not None)
        return render(*args)

    monkeypatch.setattr(graph, "load", loading)
    monkeypatch.setattr(pipeline, "_render_and_write", rendering)
    stamp = pipeline.stamp(valid_project)
    monkeypatch.setattr(pipeline, "stamp", lambda settings: stamp + b"new code")
    assert pipeline.generate(valid_project).rendered
    assert alive == [False]


def test_a_digest_not_kept_is_the_digest_kept_and_leaves_no_entry(valid_project):
    from generator import pipeline, render
    from generator.index import build_index

    checked = pipeline.check(valid_project)
    index = build_index(checked.briefs, checked.actors, valid_project.related, checked.places)
    outputs = dict(render.render_plan(index, valid_project))
    keys = [("brief", item.slug) for item in checked.briefs] + [("by_slug", ALL), ("brief", "gone")]
    kept = graph.Inputs(index, {b.slug: b"v" for b in checked.briefs}, outputs, valid_project)
    passing = graph.Inputs(index, {b.slug: b"v" for b in checked.briefs}, outputs, valid_project)
    assert [passing.digest(k, keep=False) for k in keys] == [kept.digest(k) for k in keys]
    assert passing.known == {} and len(kept.known) == len(keys)


def test_digests_taken_table_by_table_are_those_of_one_memo_and_no_memo_is_kept(
    valid_project, monkeypatch
):
    from generator import pipeline, reads, render
    from generator.index import build_index

    checked = pipeline.check(valid_project)
    index = build_index(checked.briefs, checked.actors, valid_project.related, checked.places)
    outputs = dict(render.render_plan(index, valid_project))
    files = {b.slug: b"v" for b in checked.briefs}
    tables = ["by_slug", "by_tag", "timeline", "quotes_by_speaker", "appearances", "actors"]
    keys = [("brief", slug) for slug in files] + [(t, ALL) for t in tables]
    dicts = [t for t in tables if isinstance(getattr(index, t), reads.RecordingDict)]
    assert len(dicts) >= 4
    keys += [(t, key) for t in dicts for key in list(getattr(index, t).raw())[:5]]
    one = graph.Inputs(index, files, outputs, valid_project)
    memos: list[int] = []
    by_table = graph.Inputs(index, files, outputs, valid_project)
    made = reads.Memo.__init__

    def counting(self):
        made(self)
        memos.append(id(self))

    monkeypatch.setattr(reads.Memo, "__init__", counting)
    assert by_table.digest_all(keys, keep=False) == [one.digest(key) for key in keys]
    assert len(memos) > len(tables) and not by_table.memo and by_table.known == {}
