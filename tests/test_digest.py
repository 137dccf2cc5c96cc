"""The dependency graph's digests: canonical in every process, different for different content.

And :func:`generator.graph.updated`: outputs not rendered keep their arrays, keys
no output reads any more are dropped once they are many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from array import array
from collections import Counter
from functools import partial
from pathlib import PurePosixPath

import pytest

from generator import graph
from generator.index import Entry, Index, Related, TimelineEntry
from generator.models import Actor, Stance, Tag
from generator.reads import ALL, Key, Memo, digest
from tests.conftest import FIXTURES, ROOT, fixture_index

SAMPLE = """
import datetime as dt
from generator.index import Entry, Related
from generator.models import Actor, Stance, Tag
from generator.reads import digest

value = {
    "tags": {Tag(f"topic {n}") for n in range(50)},
    "names": frozenset(f"name-{n}" for n in range(50)),
    "entries": {Entry(f"brief-{n}", None) for n in range(20)},
    "related": [Related("a-brief", False, ("x", "y"), 1.5)],
    "actor": Actor(name="NATO", kind="organisation"),
    "stance": Stance.SUPPORTS,
    "day": dt.date(2025, 9, 12),
}
print(digest(value).hex())
"""


def _sample_digest(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SAMPLE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_two_processes_with_different_hash_seeds_give_the_same_digest():
    first, second = _sample_digest("1"), _sample_digest("2")
    assert len(first) == 32
    assert first == second
    here: dict[str, object] = {}
    exec(SAMPLE.replace("print(digest(value).hex())", ""), here)
    assert digest(here["value"]).hex() == first


def _inserted(*items: int) -> set[int]:
    found: set[int] = set()
    for item in items:
        found.add(item)
    return found


def test_sets_in_another_order_give_the_same_digest():
    one, other = _inserted(1, 9, 17), _inserted(17, 9, 1)  # colliding: iterated as inserted
    assert list(one) != list(other)
    assert digest(one) == digest(other)
    tags = [Tag(f"topic {n}") for n in range(30)]
    assert digest(frozenset(tags)) == digest(frozenset(reversed(tags)))


def _timeline_entry(**changes: object) -> TimelineEntry:
    entry = TimelineEntry(event=None, slugs=["a", "b"], certainties={"a": None})  # type: ignore[arg-type]
    return dataclasses.replace(entry, **changes)


@pytest.mark.parametrize(
    "changed",
    [
        Related("a-brief", True, ("x", "y"), 1.5),
        Related("a-brief", False, ("x",), 1.5),
        Related("a-brief", False, ("x", "y"), 1.25),
        Related("b-brief", False, ("x", "y"), 1.5),
        Related("a-brief", False, ("x", "y"), 1.5, same_story=True),
    ],
)
def test_a_changed_field_changes_the_digest(changed):
    same = Related("a-brief", False, ("x", "y"), 1.5)
    assert digest([same]) == digest([Related("a-brief", False, ("x", "y"), 1.5)])
    assert digest([changed]) != digest([same])


def test_a_changed_model_or_nested_record_changes_the_digest():
    nato = Actor(name="NATO", kind="organisation")
    assert digest({"x": nato}) == digest({"x": Actor(name="NATO", kind="organisation")})
    assert digest({"x": nato}) != digest({"x": Actor(name="NATO", kind="group")})
    plain = _timeline_entry()
    assert digest([plain]) != digest([_timeline_entry(slugs=["a", "c"])])
    assert digest([plain]) != digest([_timeline_entry(certainties={"b": None})])


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (1, "1"),
        (None, "None"),
        (True, 1),
        ([1, 2], {1, 2}),
        ({"a": 1}, [("a", 1)]),
        (["ab", "c"], ["a", "bc"]),
        (Entry("x", None), "entry:x"),  # type: ignore[arg-type]
        (Stance.SUPPORTS, "supports"),
        (dt.date(2025, 1, 2), "2025-01-02"),
        (PurePosixPath("a/b"), "a/b"),
        (b"ab", "ab"),
        (Tag("NATO"), "NATO"),
    ],
)
def test_different_types_give_different_digests(one, other):
    assert digest(one) != digest(other)


def test_an_entry_is_digested_by_its_slug_alone():
    assert digest([Entry("x", None)]) == digest([Entry("x", object())])  # type: ignore[arg-type]
    assert digest([Entry("x", None)]) != digest([Entry("y", None)])  # type: ignore[arg-type]


def _render(path: str, number: int = 1) -> str:
    return f"{path} {number}"


def test_a_bound_render_step_is_digested_by_its_function_and_arguments():
    assert digest(partial(_render, "a", number=2)) == digest(partial(_render, "a", number=2))
    assert digest(partial(_render, "a", number=2)) != digest(partial(_render, "a", number=3))
    assert digest(partial(_render, "a")) != digest(partial(_test_render_other, "a"))


def _test_render_other(path: str) -> str:
    return path


def test_a_shared_memo_gives_the_digests_of_separate_calls():
    related = [Related(f"brief-{n}", False, ("x",), n / 3) for n in range(10)]
    inner = Related("inner", False)  # a record inside a record
    timeline = [_timeline_entry(slugs=[f"s{n}"], event=inner) for n in range(10)]
    values = [related, related[::2], timeline, {"t": timeline[3:]}, {Tag("NATO"), Tag("EU")}]
    alone = [digest(value) for value in values]
    memo = Memo()
    assert [digest(value, memo=memo) for value in values] == alone
    assert [digest(value, memo=memo) for value in values] == alone
    assert memo and all(any(pin is one for pin in memo.pins) for one in timeline)
    assert id(timeline[0]) in memo and id(inner) not in memo  # walked with each entry


def test_tokens_stand_for_their_objects():
    one, two = object(), object()
    assert digest([one], {id(one): "settings"}) == digest([two], {id(two): "settings"})
    assert digest([one], {id(one): "settings"}) != digest([one], {id(one): "index"})
    with pytest.raises(TypeError, match="no digest for object"):
        digest([one])


# --- updated() ------------------------------------------------------------------------


class _Digests:
    """Stands for :class:`generator.graph.Inputs`: every key's digest is its repr."""

    def digest(self, key: Key, *, keep: bool = True) -> bytes:
        return repr(key).encode()

    def digest_all(self, keys: list[Key], *, keep: bool) -> list[bytes]:
        return [self.digest(key) for key in keys]

    def has_binding(self, path: str) -> bool:
        return False  # no output here is an older page of a listing


def _keys_of(saved: graph.Graph) -> dict[str, set[Key]]:
    return {path: {saved.keys[n] for n in found} for path, found in saved.outputs.items()}


def _graph(reads: dict[str, frozenset[Key]]) -> graph.Graph:
    return graph.updated(None, _Digests(), reads.items(), list(reads), **_FIELDS)


_FIELDS = {"fingerprint": b"", "manifest": b"", "until": None}


def test_an_output_not_rendered_keeps_its_keys_and_its_array():
    reads = {f"{n}.md": frozenset({("brief", str(n))}) for n in range(10)}
    old = _graph(reads)
    new = graph.updated(
        old, _Digests(), [("1.md", frozenset({("brief", "z")}))], list(reads), **_FIELDS
    )
    assert all(new.outputs[path] is old.outputs[path] for path in reads if path != "1.md")
    assert _keys_of(new) == {
        path: {("brief", "z" if path == "1.md" else path[:-3]), ("plan", path)} for path in reads
    }
    assert new.digests == [repr(key).encode() for key in new.keys]


def test_keys_no_output_reads_are_dropped_once_they_are_more_than_one_in_eight():
    reads = {f"{n}.md": frozenset({("brief", str(n))}) for n in range(20)}
    old = _graph(reads)
    assert len(old.keys) == 40
    few = {"0.md": frozenset({("brief", "new")})}  # one key of 41 unread: kept
    kept = graph.updated(old, _Digests(), few.items(), list(reads), **_FIELDS)
    assert len(kept.keys) == 41
    assert _keys_of(kept)["0.md"] == {("brief", "new"), ("plan", "0.md")}
    many = {f"{n}.md": frozenset({("brief", f"new-{n}")}) for n in range(10)}
    dropped = graph.updated(kept, _Digests(), many.items(), list(reads), **_FIELDS)
    assert len(dropped.keys) == 40
    expected = {
        f"{n}.md": {("brief", f"new-{n}" if n < 10 else str(n)), ("plan", f"{n}.md")}
        for n in range(20)
    }
    assert _keys_of(dropped) == expected
    assert all(isinstance(found, array) for found in dropped.outputs.values())
    assert dropped.digests == [repr(key).encode() for key in dropped.keys]


def test_digests_kept_in_one_bytes_object_read_as_a_list_of_them():
    listed = [bytes([n]) * graph.DIGEST_SIZE for n in range(5)]
    packed = graph.Digests(b"".join(listed))
    assert len(packed) == 5 and list(packed) == listed and packed == listed
    assert packed[1] == listed[1] and packed[-1] == listed[-1] and packed[1:4] == listed[1:4]
    with pytest.raises(IndexError):
        packed[5]
    assert packed != listed[:4] and len(packed.data) == 5 * graph.DIGEST_SIZE


def test_tables_that_list_the_same_events_are_digested_walking_each_event_once(monkeypatch):
    index, settings = fixture_index(FIXTURES / "shared-events")
    assert set(graph.SHARED_MEMO) <= {f.name for f in dataclasses.fields(Index)}
    keys: list[Key] = [("by_tag", tag) for tag in index.by_tag.raw()]
    keys += [("events_by_actor", actor) for actor in index.events_by_actor.raw()]
    keys += [("timeline", ALL)]
    keys += [("timeline_by_month", month) for month in index.timeline_by_month.raw()]
    alone = [graph.Inputs(index, {}, {}, settings).digest(key) for key in keys]  # a memo each
    memos: list[Memo] = []

    class Kept(Memo):
        def __init__(self) -> None:
            super().__init__()
            memos.append(self)

    monkeypatch.setattr(graph, "Memo", Kept)
    assert list(graph.Inputs(index, {}, {}, settings).digest_all(keys, keep=False)) == alone
    walked = Counter(id(pin) for memo in memos for pin in memo.pins)
    events = index.timeline
    assert len(events) > 3 and all(walked[id(event)] == 1 for event in events)
    by_actor = [event for listed in index.events_by_actor.raw().values() for event in listed]
    assert {id(event) for event in by_actor} <= {id(event) for event in events}


def test_a_checked_brief_keeps_its_records_digests_through_the_check_cache(monkeypatch):
    import pickle

    from generator import reads
    from generator.load import load_yaml
    from generator.validate import validate_brief

    monkeypatch.setattr(reads, "VERIFY_KEPT", False)
    item, _ = validate_brief(load_yaml(ROOT / "briefings" / "nato-eastern-sentry.yml"))
    assert item is not None
    events = item.brief.events
    assert events and all(getattr(e, reads.KEPT) is not None for e in events)
    again = pickle.loads(pickle.dumps(events))  # as the check cache keeps them
    walked = []
    walk = reads._Canon._walk

    def walking(canon, value):
        walked.append(type(value).__name__)
        return walk(canon, value)

    monkeypatch.setattr(reads._Canon, "_walk", walking)
    assert digest(again) == digest(events)
    assert walked == [], "kept digests are not walked"
    changed = events[0].model_copy(update={"what": "Something else happened."})
    assert getattr(changed, reads.KEPT) is None, "a changed copy keeps no digest"
    assert digest([changed]) != digest([events[0]])
    assert [kind for kind in walked if kind.endswith("Record")] == ["EventRecord"]


def test_a_kept_digest_that_differs_from_the_content_fails_when_verified(monkeypatch):
    from generator import reads
    from generator.load import load_yaml
    from generator.validate import validate_brief

    item, _ = validate_brief(load_yaml(ROOT / "briefings" / "nato-eastern-sentry.yml"))
    assert item is not None
    event = item.brief.events[0]
    object.__setattr__(event, reads.KEPT, bytes(reads.DIGEST_SIZE))
    with pytest.raises(AssertionError, match="kept a digest it does not have"):
        digest([event])  # the tests verify (conftest)
