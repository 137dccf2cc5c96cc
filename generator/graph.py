"""The dependency graph of the generated site: which inputs each output read.

Every output is rendered inside :func:`generator.reads.recording`, which collects
the keys it read of the index (a brief, an actor, one topic's list, the whole
timeline …) and of its own place in the render plan (what the plan bound it to).
The graph keeps, per output, those keys, and per key a digest of what it held.
The next run computes the digests of the same keys from the new index and
renders again only the outputs one of whose keys changed, plus the outputs that
are new; outputs no longer in the plan are removed.

Everything a page can show comes from those keys, or from the code and the
settings: a change to either (the :func:`fingerprint`) renders everything again.

Before even reading the briefs, a run compares a digest of every input file
with the one the graph was saved with (:func:`manifest`): when nothing changed
and no embargo has ended since, the docs folder is already what a run would
write, and the run stops there. A file whose ``stat`` is as the graph kept it
is not even read (:class:`FileDigests`).

The graph is a file in the docs folder (``.briefings-graph``, which the site
engines skip as a dot-file): the folder and its graph are the generator's own.
It is removed before a run writes any page and saved after the last one, so a
run cut short leaves no graph, and the next run renders everything. It holds
pickles: first its :class:`Head`, all that a run which finds nothing changed
reads, then the keys, digests and arrays, in shares (at 10,000 briefs, most of 24 MB).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import os
import pickle
import sys
import time
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from generator import pickles
from generator.config import Settings
from generator.reads import ALL, DIGEST_SIZE, Key, Memo, RecordingDict, digest
from generator.stops import checked

if TYPE_CHECKING:
    from generator.index import Index

log = logging.getLogger(__name__)

GRAPH_FILE = ".briefings-graph"
"""The graph's file, in the docs folder."""

FORMAT = 7
"""Bumped when the file's layout changes: an older graph is then ignored."""

_ABSENT = object()


@dataclasses.dataclass
class Graph:
    """What the last run rendered from what, and what it saw of the inputs."""

    fingerprint: bytes
    """The code and settings the outputs were rendered with."""
    manifest: bytes
    """A digest of every input file, for the run that finds nothing changed."""
    until: dt.date | None
    """The day the first held brief comes out of its embargo: from then, a run renders."""
    keys: list[Key]
    digests: Sequence[bytes]
    """Each key's digest as the run saw it: a :class:`Digests` once made or read."""
    outputs: dict[str, array[int]]
    """Each output's keys, as positions in :attr:`keys`."""
    briefs: int = 0
    """How many briefs were published, for the report of a run that stops early."""
    notes: bytes = b""
    """The warnings of that run, said again by a run that stops early (:func:`pack_notes`)."""
    held: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """The briefs that run held back (file name, why), reported again likewise."""
    files: dict[str, tuple[Stat, bytes]] = dataclasses.field(default_factory=dict)
    """Each input file's digest by its ``stat`` then, for the next run (:class:`FileDigests`)."""
    folders: dict[str, int] = dataclasses.field(default_factory=dict)
    """The docs folder's subfolders' modification times, as the run left them: the next
    run lists only those that changed (:func:`generator.write.missing_outputs`)."""

    def stale(self, inputs: Inputs, *, planned: bool | None = None) -> set[int]:
        """The positions of the keys whose digest changed.

        With ``planned``, only the keys of the plan (True: :data:`PLANNED`) or
        only the others (False): the plan is digested after the others changed.
        """
        chosen = [
            n
            for n, key in enumerate(self.keys)
            if planned is None or (key[0] in PLANNED) == planned
        ]
        now = inputs.digest_all([self.keys[n] for n in chosen], keep=True)
        digests = self.digests
        return {n for n, found in zip(chosen, now, strict=True) if digests[n] != found}

    @property
    def head(self) -> Head:
        """What a run that finds nothing changed needs of this graph."""
        return Head(**{**_head_fields(self), "outputs": list(self.outputs)})


class Digests(Sequence[bytes]):
    """Digests of :data:`~generator.reads.DIGEST_SIZE` bytes each, kept in one bytes object.

    At 10,000 briefs a graph has 116,000 keys: as bytes objects of 64 bytes
    each, their digests took 7.4 MB while the graph was made (the peak of a
    cold run) and read; here they take 1.9 MB.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes | bytearray) -> None:
        self.data = bytes(data)

    def __len__(self) -> int:
        return len(self.data) // DIGEST_SIZE

    def __iter__(self) -> Iterator[bytes]:
        data = self.data
        return (data[n : n + DIGEST_SIZE] for n in range(0, len(data), DIGEST_SIZE))

    @overload
    def __getitem__(self, n: int) -> bytes: ...
    @overload
    def __getitem__(self, n: slice) -> list[bytes]: ...
    def __getitem__(self, n: int | slice) -> bytes | list[bytes]:
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        if not -len(self) <= n < len(self):
            raise IndexError(n)
        start = (n % len(self)) * DIGEST_SIZE
        return self.data[start : start + DIGEST_SIZE]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


@dataclasses.dataclass
class Head:
    """The part of a :class:`Graph` that is read without the rest (see the module's text)."""

    fingerprint: bytes
    manifest: bytes
    until: dt.date | None
    outputs: list[str]
    """The outputs' paths, in the order of the graph's arrays."""
    briefs: int
    notes: bytes
    held: list[tuple[str, str]]
    files: dict[str, tuple[Stat, bytes]] = dataclasses.field(default_factory=dict)
    folders: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """The warnings of the run that saved the graph."""
        return unpack_notes(self.notes)


def pack_notes(warnings: Iterable[str]) -> bytes:
    """Warnings as the graph keeps them: compressed, since most runs never read them.

    At 10,000 briefs a run may say 30,000 warnings; as strings they took 30 MB
    of every run that loads the graph, and only a run that stops early says them.
    They are compressed one at a time: joined first, they made two texts of 10 MB.
    """
    packer = zlib.compressobj()
    packed = []
    for number, warning in enumerate(warnings):
        packed.append(packer.compress((b"\0" if number else b"") + warning.encode()))
    return b"".join(packed) + packer.flush() if packed else b""


def unpack_notes(packed: bytes) -> list[str]:
    """The warnings :func:`pack_notes` packed."""
    text = zlib.decompress(packed).decode() if packed else ""
    return text.split("\0") if text else []


# --- Fingerprints and manifests --------------------------------------------------------


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """A digest of the generator's own files: new code may render every page differently."""
    package = Path(__file__).parent
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())
    return hasher.digest()


_NOT_SHAPING = frozenset(
    {
        "jobs",
        "memory_mb",
        "today",
        "root",
        "config_file",
        "briefings_dir",
        "docs_dir",
        "site_dir",
        "schema_dir",
    }
)
"""Settings that change nothing on a page: where things are, how many processes render."""


def fingerprint(settings: Settings, extra: Iterable[Path] = ()) -> bytes:
    """The code, the settings that shape pages, and the data files pictures are drawn from.

    Where the folders are and how many processes render change nothing on a
    page; the day of the run changes a page only in a preview (its embargo
    marks), and otherwise only which briefs are published, which the index holds.
    """
    shaping = {
        f.name: getattr(settings, f.name)
        for f in dataclasses.fields(settings)
        if f.name not in _NOT_SHAPING
    }
    if settings.preview:
        shaping["today"] = settings.today
    files = [path.read_bytes() for path in extra if path.is_file()]
    return digest((FORMAT, code_digest(), shaping, files))


Stat = tuple[int, int, int, int]
"""A file's modification and change times (ns), size and inode: what tells it changed."""

RACY_NS = 2_000_000_000
"""How recently changed (ns) a file must not be for its ``stat`` to stand for its bytes."""


def file_stat(path: str | os.PathLike[str]) -> Stat:
    """What ``stat`` says of a file that tells it changed; raises OSError as ``stat`` does."""
    info = os.stat(path)  # noqa: PTH116 (a str: see manifest())
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def settled(stat: Stat, start: int) -> bool:
    """Whether ``stat`` may stand for the file's bytes in a later run begun after ``start`` (ns).

    Like Git's index: a file changed within :data:`RACY_NS` before ``start``
    is not, since a second write in the same clock tick can leave its times
    and size as they were.
    """
    return start - max(stat[0], stat[1]) > RACY_NS


class FileDigests:
    """The digests of input files, each read again only when its ``stat`` changed.

    A run digested every brief three times (the manifest, the check, the
    index's keys): 100 MB read each time at 10,000 briefs, and where the
    system keeps little of it cached, a run that found nothing changed spent
    seconds reading. Like Git's index, the digests a run took are kept with
    each file's ``stat`` (:attr:`Graph.files`), and the next run trusts a file
    whose ``stat`` is the same; a file changed within :data:`RACY_NS` before
    the run began is read each time, since a second write in the same clock
    tick can leave its times and size as they were.
    """

    def __init__(self, known: Mapping[str, tuple[Stat, bytes]] | None = None) -> None:
        self.known = known or {}
        self.start = time.time_ns()
        self.found: dict[str, tuple[Stat | None, bytes]] = {}

    def __call__(self, path: str | os.PathLike[str]) -> bytes:
        """The digest of the file at ``path``, the same as :func:`_file_digest` gives."""
        name = os.fspath(path)
        found = self.found.get(name)
        if found is not None:
            return found[1]
        try:
            stat = file_stat(name)
        except OSError:
            return _file_digest(name)
        was = self.known.get(name)
        digest = was[1] if was is not None and was[0] == stat else _file_digest(name)
        self.found[name] = (stat if settled(stat, self.start) else None, digest)
        return digest

    def table(self) -> dict[str, tuple[Stat, bytes]]:
        """What the next run may trust: the files whose ``stat`` stood still long enough."""
        return {name: (stat, d) for name, (stat, d) in self.found.items() if stat is not None}


def manifest(settings: Settings, stamp: bytes, files: FileDigests | None = None) -> bytes:
    """A digest of every file under the briefings folder and of the site configuration.

    ``files`` digests each file, reading only those that changed since the last run.
    """
    files = files if files is not None else FileDigests()
    hasher = hashlib.blake2b(stamp, digest_size=16)
    folder = os.fspath(settings.briefings_dir)
    # Plain strings, not paths: at 10,000 briefs, pathlib's parsing was most of the time.
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        relative = os.path.relpath(root, folder).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in sorted(names):
            hasher.update(f"{prefix}{name}".encode() + b"\0")
            hasher.update(files(f"{root}/{name}"))
    hasher.update(files(settings.config_file))
    return hasher.digest()


def _file_digest(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as stream:  # noqa: PTH123 (a str: see manifest())
            return hashlib.blake2b(stream.read(), digest_size=16).digest()
    except OSError:
        return b"unreadable"


def digest_files(parts: Iterable[bytes], files: Iterable[Path]) -> bytes:
    """A digest of some bytes and of the names and contents of some files."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(hashlib.blake2b(part, digest_size=16).digest())
    for path in files:
        hasher.update(path.as_posix().encode() + b"\0" + _file_digest(path))
    return hasher.digest()


def file_digests(paths: Mapping[str, Path], files: FileDigests | None = None) -> dict[str, bytes]:
    """Each brief's file digest, by slug: a brief's content is a function of its file."""
    files = files if files is not None else FileDigests()
    return {slug: files(path) for slug, path in paths.items()}


# --- The digests of the current inputs -------------------------------------------------


class Inputs:
    """The digests of what the current index and plan hold, computed once per key."""

    def __init__(
        self,
        index: Index,
        briefs: Mapping[str, bytes],
        plan: Mapping[str, Callable[..., Any]],
        settings: Settings,
    ) -> None:
        self.index = index
        self.briefs = briefs
        self.plan = plan
        self.tokens = {id(index): "index", id(settings): "settings"}
        self.known: dict[Key, bytes] = {}
        self.planned: dict[str, bytes] = {}
        """The plan's digests by output (:meth:`settle_plan`): a path is kept once, not in a key."""
        self.memo = Memo()
        """The digests of the records and models met so far (:func:`generator.reads.digest`)."""
        self.reused = 0
        """How many older pages' plan digests :meth:`settle_plan` took from the last run."""

    def digest(self, key: Key, *, keep: bool = True) -> bytes:
        """The digest of ``key`` now; a key that no longer exists has one of its own.

        Without ``keep``, a digest not taken yet is not kept for the next call:
        :func:`updated` asks once for every key (a table of 200,000 at 10,000 briefs).
        """
        found = self.known.get(key)
        if found is None and key[0] in PLANNED:
            settled = self.planned.get(key[1])
            if settled is not None:  # the plan's digest, then the binding's (a block's page)
                found = settled[:DIGEST_SIZE] if key[0] == "plan" else settled[DIGEST_SIZE:] or None
        if found is None:
            found = digest(self._value(key), self.tokens, self.memo)
            if keep:
                self.known[key] = found
        return found

    def digest_all(self, keys: Sequence[Key], *, keep: bool) -> Digests:
        """The digests of ``keys``, taken table by table, each group of tables with a memo.

        The records of one table are listed under many of its keys (a month's
        events, an actor's quotes). One memo for every key held the whole
        index's records at once: 194,000 of them, some 26 MB (traced), the peak
        of a publish at 10,000 briefs before its render. By table, it held a
        quarter of them at 1,000 briefs; the tables that list the same records
        (the timeline, its months, each actor's events) walked them once each,
        which took half again the time, until they shared a memo (:data:`SHARED_MEMO`).
        """
        found = bytearray(DIGEST_SIZE * len(keys))
        # Each table's keys in their order, as arrays: sorting the keys' numbers by their
        # group took 11 MB of numbers and tuples at 10,000 briefs, the peak of a cold run.
        by_table: dict[str, array[int]] = defaultdict(lambda: array("I"))
        for n, key in enumerate(keys):
            by_table[key[0]].append(n)
        group = None
        for table in sorted(by_table, key=_memo_group):
            if _memo_group(table)[0] != group:
                group, self.memo = _memo_group(table)[0], Memo()
            for n in checked(by_table.pop(table)):
                found[n * DIGEST_SIZE : (n + 1) * DIGEST_SIZE] = self.digest(keys[n], keep=keep)
        self.memo = Memo()
        return Digests(found)

    def settle_plan(
        self,
        outputs: Iterable[tuple[str, Callable[..., Any]]] = (),
        *,
        old: Graph | None = None,
        stale: set[int] | None = None,
    ) -> list[str]:
        """Take the digest of what the plan binds each output to, then let the plan go.

        ``outputs`` are the plan's, one at a time, when the plan was not given
        whole: each is let go of once digested (at 10,000 briefs the whole plan
        was 39 MB of bound renders, page lists and paths, the peak of a publish
        before its render). Returns the outputs' paths. The memo goes too: the
        digests taken after rendering are of the few keys not digested yet in a
        run that renders some outputs, and in a full run its memo is made
        afresh then, when the render's caches are gone.

        With the ``old`` graph and its ``stale`` keys other than the plan's
        (:meth:`Graph.stale`), an older page of a listing that did not change
        keeps the digest it had (:meth:`_settled`).
        """
        paths = list(self.plan)
        for path in paths:
            self.planned[path] = self._settled(path, self.plan[path], None)
        reuse = _Reuse(old, stale) if old is not None and stale is not None else None
        for path, render in checked(outputs):
            self.plan = {path: render}
            self.planned[path] = self._settled(path, render, reuse)
            paths.append(path)
            if len(paths) % PLAN_MEMO == 0:
                self.memo = Memo()  # it holds what it digested: each listing's page lists
        self.plan = {}
        self.memo = Memo()
        return paths

    def _settled(self, path: str, render: Callable[..., Any], reuse: _Reuse | None) -> bytes:
        """The digest of ``path``'s binding; for an older page, then that of its binding's rest.

        An older page's items are taken again from the last run when its
        listing is as it was (:class:`_Reuse`): at 10,000 briefs a publish
        walked the items of 14,000 older pages, most of the plan's four
        seconds, to find all but a few unchanged.
        """
        block = _block_of(render)
        if block is None:
            return self.digest(plan_key(path), keep=False)
        rest = digest(_without_items(render, block), self.tokens, self.memo)
        found = reuse.plan(path, block.listing, rest, self.planned) if reuse else None
        if found is not None:
            self.reused += 1
        if found is None or VERIFY_REUSE:
            made = self.digest(plan_key(path), keep=False)
            if found is not None and found != made:
                raise AssertionError(f"the plan of {path} was taken again, but it changed")
            found = made
        return found + rest

    def has_binding(self, path: str) -> bool:
        """Whether ``path`` is an older page, whose binding has a key of its own."""
        settled = self.planned.get(path)
        if settled is not None:
            return len(settled) > DIGEST_SIZE
        return _block_of(self.plan.get(path)) is not None

    def _value(self, key: Key) -> Any:
        kind, name = key
        if kind == "brief":
            return self.briefs.get(name, _ABSENT_TOKEN)
        if kind == "plan":
            return self.plan.get(name, _ABSENT_TOKEN)
        if kind == "binding":
            render = self.plan.get(name)
            block = _block_of(render)
            return _without_items(render, block) if block is not None else _ABSENT_TOKEN
        table = object.__getattribute__(self.index, kind)
        if isinstance(table, RecordingDict):
            return table.raw() if name == ALL else table.peek(name, _ABSENT_TOKEN)
        return table


def _memo_group(table: str) -> tuple[str, str]:
    """The memo a table's keys are digested with (:meth:`Inputs.digest_all`), then the table."""
    return SHARED_MEMO.get(table, table), table


SHARED_MEMO = {
    **dict.fromkeys(
        ("timeline", "timeline_by_month", "events_by_actor", "events_by_place"), "events"
    ),
    **dict.fromkeys(("quotes_by_speaker", "anonymous_quotes", "quotes_by_place"), "quotes"),
    **dict.fromkeys(("proposals", "proposals_by_actor", "proposals_by_status"), "proposals"),
}
"""Tables that list the same records, digested with one memo: each record is walked once.

With a memo per table, the timeline, its months and each actor's events walked
the same events three times. At 10,000 briefs, one memo per group took the
digests of every key a publish compares from 5.0 s to 3.3 s, with the same
traced peak (13.7 MB): the memo of one group holds only that group's records.
"""


_ABSENT_TOKEN = "\0absent"
"""What a key that no longer exists holds (no real value is this string)."""


PLAN_MEMO = 1000
"""Outputs of a plan given one at a time digested with one memo (:meth:`Inputs.settle_plan`).

The memo holds each object it digested, among them the lists of a listing's
pages, which are the plan's own: with one memo for the whole plan, it was
held whole again.
"""


def plan_key(path: str) -> Key:
    """The key of what the render plan binds an output to."""
    return ("plan", path)


PLANNED = frozenset({"plan", "binding"})
"""The kinds of key digested from the plan, after the others (:meth:`Inputs.settle_plan`).

An older page of a stable listing reads, besides its ``plan`` key (its whole
binding), a ``binding`` key: its binding without the block's items.
"""

VERIFY_REUSE = False
"""Digest an older page's binding even when it is taken from the last run, and
fail if they differ: the tests set it."""


def _block_of(render: Any) -> Any:
    """The block an older page is bound to (:class:`generator.render.Block`), or None.

    Told by its shape, a ``block`` keyword with a ``listing``: this module sits
    below the renderer and does not import it.
    """
    if not isinstance(render, functools.partial):
        return None
    block = render.keywords.get("block")
    return block if hasattr(block, "listing") and hasattr(block, "items") else None


def _without_items(render: functools.partial[Any], block: Any) -> functools.partial[Any]:
    """``render`` bound to its block without its items: what else the page is bound to."""
    bare = dataclasses.replace(block, items=())
    return functools.partial(render.func, *render.args, **{**render.keywords, "block": bare})


class _Reuse:
    """Tells when an older page's items are as they were, without walking them.

    An older page's block is cut from the lists of its listing's first page,
    and the first page reads those lists whole while it renders. If none of
    the keys the first page read changed, its own binding included, and the
    rest of the older page's binding is as it was, its items are as they were
    too, and so is the digest of its whole binding.
    """

    def __init__(self, old: Graph, stale: set[int]) -> None:
        self.old, self.stale = old, stale
        self.listings: dict[str, bool] = {}
        """Whether each listing met so far is as it was: its older pages follow it."""

    def plan(
        self, path: str, listing: str, rest: bytes, planned: Mapping[str, bytes]
    ) -> bytes | None:
        """The digest of ``path``'s binding in the last run, if it cannot have changed."""
        keys = self.old.outputs.get(path)
        if keys is None or not self._unchanged(listing, planned):
            return None
        old = self.old
        was = dict.fromkeys(PLANNED)
        for n in keys:
            key = old.keys[n]
            if key[0] in PLANNED and key[1] == path:
                was[key[0]] = old.digests[n]
        return was["plan"] if was["binding"] == rest else None

    def _unchanged(self, listing: str, planned: Mapping[str, bytes]) -> bool:
        """Whether none of the keys ``listing`` read changed, its own binding included."""
        found = self.listings.get(listing)
        if found is None:
            if len(self.listings) > LISTINGS_KEPT:
                self.listings.clear()  # a listing's older pages follow it in the plan
            found = self.listings[listing] = self._first_unchanged(listing, planned)
        return found

    def _first_unchanged(self, listing: str, planned: Mapping[str, bytes]) -> bool:
        old = self.old
        first, now = old.outputs.get(listing), planned.get(listing)
        if first is None or now is None:
            return False
        for n in first:
            if old.keys[n][0] in PLANNED:
                if old.keys[n] != plan_key(listing) or old.digests[n] != now[:DIGEST_SIZE]:
                    return False
            elif n in self.stale:
                return False
        return True


LISTINGS_KEPT = 64
"""Listings whose verdict :class:`_Reuse` keeps at once."""


@dataclasses.dataclass(frozen=True)
class HeldNote:
    """A brief held back, as a run that found nothing changed reports it again."""

    path: Path
    reason: str

    def __init__(self, name: str, reason: str) -> None:
        object.__setattr__(self, "path", Path(name))
        object.__setattr__(self, "reason", reason)


def next_release(held: Iterable[Any]) -> dt.date | None:
    """The first day an embargoed brief is published: a run from that day must render."""
    days = [h.item.brief.date for h in held if not h.item.brief.draft]
    return min(days, default=None)


# --- Deciding, saving and loading -----------------------------------------------------


def stale_inputs(old: Graph | None, inputs: Inputs, stamp: bytes) -> set[int] | None:
    """The positions of ``old``'s keys, other than the plan's, whose digest changed.

    None when every output renders again: there is no graph, or it was made
    with other code or settings.
    """
    if old is None or old.fingerprint != stamp:
        return None
    return old.stale(inputs, planned=False)


def to_render(
    old: Graph | None,
    inputs: Inputs,
    stamp: bytes,
    plan: Iterable[str],
    missing: set[str],
    changed: set[int] | None = None,
) -> set[str] | None:
    """The outputs to render: those whose inputs changed, or that are new or ``missing``.

    None means all of them: there is no graph, or it was made with other code or settings.
    ``changed`` are the keys other than the plan's found stale already (:func:`stale_inputs`).
    """
    if old is None or old.fingerprint != stamp:
        return None
    if changed is None:
        changed = old.stale(inputs, planned=False)
    changed = changed | old.stale(inputs, planned=True)
    todo = set()
    for path in plan:
        keys = old.outputs.get(path)
        if keys is None or path in missing or not changed.isdisjoint(keys):
            todo.add(path)
    return todo


def updated(
    old: Graph | None,
    inputs: Inputs,
    reads: Iterable[tuple[str, Iterable[Key]]],
    plan: Iterable[str],
    **fields: Any,
) -> Graph:
    """The graph after a run: new reads for what was rendered, the old ones for the rest.

    ``reads`` gives each rendered output's path and keys, once, in any order
    (a :class:`~generator.reads.ReadLog` drained). The old keys keep their
    positions, so an output that was not rendered keeps its array as it is;
    the keys no output reads any more are dropped once they are more than
    :data:`SLACK` of them (until then they cost a digest each).
    """
    keys: list[Key] = list(old.keys) if old is not None else []
    positions = {key: n for n, key in enumerate(keys)}
    plan = list(plan)
    # One string for each name the new keys hold: read back from a log, every batch of
    # outputs has its own copies (at 10,000 briefs the graph's peak fell by 2 MB). The
    # plan's paths are the plan's; the index's slugs, ids and tags are interned already.
    names: dict[str, str] = {path: path for path in plan}

    def position(key: Key) -> int:
        found = positions.get(key)
        if found is None:
            key = tuple([(names.get(p) or sys.intern(p)) if type(p) is str else p for p in key])
            found = positions[key] = len(keys)
            keys.append(key)
        return found

    recorded: dict[str, array[int]] = {}
    for path, read in reads:
        found = {position(key) for key in read}
        found.add(position(plan_key(path)))
        if inputs.has_binding(path):
            found.add(position(("binding", path)))
        recorded[path] = array("I", sorted(found))
    outputs: dict[str, array[int]] = {}
    for path in plan:
        if path in recorded:
            outputs[path] = recorded.pop(path)
        elif old is not None and path in old.outputs:
            outputs[path] = old.outputs[path]
        else:  # rendered without recording: depends on everything
            raise ValueError(f"no reads recorded for {path}")
    positions.clear()  # a dict entry per key: let go before the digests are taken
    names.clear()
    keys, outputs = _compacted(keys, outputs)
    digests = inputs.digest_all(keys, keep=False)
    return Graph(keys=keys, digests=digests, outputs=outputs, **fields)


SLACK = 8
"""Keys no output reads are dropped when they are more than one in this many."""


def _compacted(
    keys: list[Key], outputs: dict[str, array[int]]
) -> tuple[list[Key], dict[str, array[int]]]:
    """The keys some output reads, and the outputs renumbered to them, if many are unread."""
    read: set[int] = set()
    for found in outputs.values():
        read.update(found)
    if (len(keys) - len(read)) * SLACK <= len(keys):
        return keys, outputs
    kept = sorted(read)
    renumbered = array("I", [0]) * len(keys)
    for new, n in enumerate(kept):
        renumbered[n] = new
    at = renumbered.__getitem__
    return [keys[n] for n in kept], {path: array("I", map(at, p)) for path, p in outputs.items()}


def load_head(folder: Path) -> Head | None:
    """The head of the graph saved in ``folder``, or None when there is none this code can use."""
    try:
        with (folder / GRAPH_FILE).open("rb") as stream:
            return _head(stream)
    except FileNotFoundError:
        return None
    except Exception as exc:
        log.info("ignoring the dependency graph in %s: %s", folder, exc)
        return None


def load(folder: Path) -> Graph | None:
    """The graph saved in ``folder``, or None when there is none that this code can use."""
    try:
        with (folder / GRAPH_FILE).open("rb") as stream:
            head = _head(stream)
            if head is None:
                return None
            keys = _column(stream)
            digests = Digests(b"".join(b"".join(share) for share in pickles.load_shares(stream)))
            arrays = _column(stream)
    except FileNotFoundError:
        return None
    except Exception as exc:
        log.info("ignoring the dependency graph in %s: %s", folder, exc)
        return None
    outputs = dict(zip(head.outputs, arrays, strict=True))
    return Graph(**{**_head_fields(head), "outputs": outputs}, keys=keys, digests=digests)


def _head_fields(source: Graph | Head) -> dict[str, Any]:
    """The fields a graph and its head share, as the head names them."""
    return {f.name: getattr(source, f.name) for f in dataclasses.fields(Head)}


def _head(stream: Any) -> Head | None:
    saved = pickle.load(stream)  # our own file, in our own folder
    if not isinstance(saved, tuple) or saved[0] != FORMAT or not isinstance(saved[1], Head):
        return None
    return saved[1]


def discard(folder: Path) -> None:
    """Remove the graph before pages are written: a run cut short must not leave one."""
    (folder / GRAPH_FILE).unlink(missing_ok=True)


def save(graph: Graph, folder: Path) -> None:
    """Save the graph after every page is written (to a temporary file, then renamed)."""
    target = folder / GRAPH_FILE
    temporary = target.with_name(f"{GRAPH_FILE}.tmp")
    with temporary.open("wb") as stream:
        pickle.dump((FORMAT, graph.head), stream, protocol=pickle.HIGHEST_PROTOCOL)
        for column in (graph.keys, graph.digests, list(graph.outputs.values())):
            pickles.dump_shares(column, stream, SHARE)
    temporary.replace(target)


SHARE = 20_000
"""Items of a column of the graph pickled at once: the three columns pickled whole
took 9 MB more at 10,000 briefs, the peak of a run (see :mod:`generator.pickles`)."""


def _column(stream: Any) -> list[Any]:
    """A column of the graph, as :func:`save` wrote it."""
    return [item for share in pickles.load_shares(stream) for item in share]
