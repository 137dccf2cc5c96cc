"""What a page reads while it is rendered, and a digest of each thing it can read.

The incremental build (:mod:`generator.graph`) must know which inputs each output
depends on without a hand-kept list that drifts from the templates. So the index
records its own reads: while an output renders inside :func:`recording`, every
lookup in one of the index's tables adds a key to the output's set: ``("by_tag",
tag)`` for one topic's list, ``("by_tag", ALL)`` for a walk over all of them,
``("brief", slug)`` when a brief's content is read through its entry. After the
next change, an output is rendered again only if the digest of one of its keys
changed.

A digest is taken of what a key holds, canonically: entries by their slug alone
(what a page reads of a brief is its own key), models field by field, sets in
sorted order, so that equal content gives equal digests in every process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import operator
import os
import pickle
import tempfile
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any, BinaryIO

from pydantic import BaseModel

Key = tuple[Any, ...]
"""What an output read: a table's name and a key in it, or ``("brief", slug)``."""

ALL = "*"
"""The key of a read that took a whole table: iterating it, counting it."""

_reads: set[Key] | None = None
"""The keys read by the output being rendered in this process, if one is."""


class ReadLog:
    """What each output read, kept in a temporary file rather than in memory.

    At 10,000 briefs, 52,742 outputs read 1.5 million keys. Kept as a tuple of
    shared keys per output until the graph was made, they and the table that
    shared them were 20 MB of the render's peak, and more of the graph's.
    Written as they are recorded, a batch at a time, they are read back once,
    by :func:`generator.graph.updated`.

    The file has no name: it is gone once closed, even if the process is
    killed. A log made ``for_fork`` before a fork is written by the forked
    worker (which must :meth:`flush` it) and read by its parent: they share the file.
    """

    BATCH = 256
    """Outputs pickled together: their keys' strings are written once per batch."""

    def __init__(self, *, for_fork: bool = False) -> None:
        """A log; ``for_fork`` opens its file now, so that a process forked next writes it."""
        self._stream: BinaryIO | None = tempfile.TemporaryFile() if for_fork else None  # noqa: SIM115
        self._batch: list[tuple[str, tuple[Key, ...]]] = []
        self._more: list[ReadLog] = []

    def __reduce__(self) -> tuple[Any, ...]:
        if self._stream is not None or self._batch or self._more:  # a worker's is empty
            raise TypeError("a read log is shared by a fork, never pickled")
        return (ReadLog, ())

    def add(self, path: str, keys: tuple[Key, ...]) -> None:
        """Note what the output at ``path`` read."""
        self._batch.append((path, keys))
        if len(self._batch) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what was noted since the last flush to the file."""
        if self._batch:
            if self._stream is None:
                self._stream = tempfile.TemporaryFile()  # noqa: SIM115 (closed by drain)
            pickle.dump(self._batch, self._stream, pickle.HIGHEST_PROTOCOL)
            self._batch = []
        if self._stream is not None:
            self._stream.flush()

    def extend(self, other: ReadLog) -> None:
        """Add what another log holds (a worker's), read after this one's own."""
        self._more.append(other)

    def drain(self) -> Iterator[tuple[str, tuple[Key, ...]]]:
        """Every output's path and keys, in the order noted; the log is empty after."""
        self.flush()
        stream, self._stream, more, self._more = self._stream, None, self._more, []
        if stream is not None:
            with stream:
                stream.seek(0)
                while stream.tell() < os.fstat(stream.fileno()).st_size:
                    yield from pickle.load(stream)  # our own file, written above
        for other in more:
            yield from other.drain()


@contextmanager
def recording() -> Iterator[set[Key]]:
    """Collect the keys read until the block ends (outputs render one at a time)."""
    global _reads
    outer, _reads = _reads, set()
    try:
        yield _reads
    finally:
        _reads = outer


def record(key: Key) -> None:
    """Note that the output being rendered read ``key``."""
    if _reads is not None:
        _reads.add(key)


class RecordingDict(dict):  # type: ignore[type-arg]
    """A table of the index that notes each lookup while an output is recorded.

    A lookup by key notes that key (present or not: a link drawn only when a
    page exists depends on its absence too); anything that walks the table notes
    :data:`ALL`.
    """

    __slots__ = ("name",)

    def __init__(self, name: str, items: dict[Any, Any]) -> None:
        super().__init__(items)
        self.name = name

    def __reduce__(self) -> tuple[Any, ...]:
        return (RecordingDict, (self.name, dict(self)))

    def __getitem__(self, key: Any) -> Any:
        record((self.name, key))
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        """One value, noted."""
        record((self.name, key))
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        record((self.name, key))
        return super().__contains__(key)

    def _all(self) -> None:
        record((self.name, ALL))

    def __iter__(self) -> Iterator[Any]:
        self._all()
        return super().__iter__()

    def __len__(self) -> int:
        self._all()
        return super().__len__()

    def __bool__(self) -> bool:
        self._all()
        return super().__len__() > 0

    def __reversed__(self) -> Iterator[Any]:
        self._all()
        return super().__reversed__()

    def __eq__(self, other: object) -> bool:
        self._all()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def keys(self) -> Any:
        """The keys, noted as a walk."""
        self._all()
        return super().keys()

    def values(self) -> Any:
        """The values, noted as a walk."""
        self._all()
        return super().values()

    def items(self) -> Any:
        """The pairs, noted as a walk."""
        self._all()
        return super().items()

    def copy(self) -> dict[Any, Any]:
        """A plain copy, noted as a walk."""
        self._all()
        return dict(super().items())

    def __or__(self, other: Any) -> Any:
        self._all()
        return dict(super().items()) | other

    def raw(self) -> dict[Any, Any]:
        """The table as a plain dict, read without noting anything."""
        return dict(super().items())

    def peek(self, key: Any, default: Any = None) -> Any:
        """One value, read without noting anything (for digests)."""
        return super().get(key, default)


# --- Digests ------------------------------------------------------------------------


class Token:
    """Stands for an object whose content is a key of its own (the index, the settings)."""

    def __init__(self, name: str) -> None:
        self.name = name


class Memo(dict[int, bytes]):
    """The accounts of records, models, functions and entries already digested, by identity.

    Each object is held in :attr:`pins` while the memo lives, so that no other
    object takes its identity. A list beside the table rather than a pair per
    entry: the memo holds 21,000 objects at 1,000 briefs, ten times as many at 10,000.
    """

    __slots__ = ("pins",)

    def __init__(self) -> None:
        super().__init__()
        self.pins: list[Any] = []

    def keep(self, value: Any, account: bytes) -> bytes:
        """Remember ``value``'s account, and hold ``value``."""
        self.pins.append(value)
        self[id(value)] = account
        return account


DIGEST_SIZE = 16
"""The length of every digest, in bytes."""


def digest(value: Any, tokens: dict[int, str] | None = None, memo: Memo | None = None) -> bytes:
    """A digest of ``value``'s content, the same in every process for equal content.

    ``memo`` carries the digests of records and models already taken, by identity,
    from one call to the next: the same timeline entry or quote is listed under many
    keys (its month, each of its actors, each of its places), and is walked once.
    Only share it while those objects stay as they are (one run's index). Records
    inside a record are not added to it: they are walked only with the record that
    holds them, and keeping theirs too made the memo hold 34,000 objects instead of
    21,000 at 1,000 briefs.
    """
    canon = _Canon(tokens or {}, Memo() if memo is None else memo)
    canon.feed(value)
    return _hash(canon.parts)


def _hash(parts: list[bytes]) -> bytes:
    return hashlib.blake2b(b"".join(parts), digest_size=DIGEST_SIZE).digest()


def _text(tag: bytes, value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return b"%s%d:%s" % (tag, len(data), data)


class _Canon:
    """Writes a canonical account of a value, type by type, for a hash.

    Each type is told apart by a tag and each variable-length part is preceded by
    its length, so different content never gives the same account. Records and
    models are accounted for by the digest of their own account, taken once per
    object (by identity, in ``memo``, which holds the object so that its identity
    is not reused by another).
    """

    def __init__(self, tokens: dict[int, str], memo: Memo, *, nested: bool = False) -> None:
        self.tokens = tokens
        self.memo = memo
        self.nested = nested
        """Inside a record: the records met here are looked up in ``memo``, not added."""
        self.parts: list[bytes] = []

    def feed(self, value: Any) -> None:
        """Add ``value``'s account: dispatched on its exact type, found once per type."""
        kind = type(value)
        (_FEEDERS.get(kind) or _learn(kind))(self, value)

    def atom(self, value: Any) -> None:
        self.parts.append(_text(b"A", repr(value)))

    def string(self, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self.parts.append(b"s%d:" % len(data))
        self.parts.append(data)

    def enum(self, value: enum.Enum) -> None:
        self.parts.append(_text(b"e", f"{type(value).__qualname__}.{value.name}"))

    def when(self, value: dt.date | dt.time) -> None:
        self.parts.append(_text(b"d", value.isoformat()))

    def raw(self, value: bytes) -> None:
        self.parts.append(b"b%d:" % len(value))
        self.parts.append(bytes(value))

    def sequence(self, value: list[Any] | tuple[Any, ...]) -> None:
        self.parts.append(b"l%d(" % len(value))
        feeders, parts = _FEEDERS, self.parts
        for item in value:  # self.feed, inlined: most values are in lists
            kind = type(item)
            if kind is str:
                data = item.encode("utf-8", "surrogatepass")
                parts.append(b"s%d:" % len(data))
                parts.append(data)
            else:
                (feeders.get(kind) or _learn(kind))(self, item)
        self.parts.append(b")")

    def mapping(self, value: dict[Any, Any]) -> None:
        self.parts.append(b"m%d(" % len(value))
        feed = self.feed
        for key, item in dict.items(value):
            feed(key)
            feed(item)
        self.parts.append(b")")

    def unordered(self, value: set[Any] | frozenset[Any]) -> None:
        """A set: its items' accounts in sorted order, which no hash seed changes."""
        accounts = []
        for item in value:
            one = _Canon(self.tokens, self.memo, nested=self.nested)
            one.feed(item)
            accounts.append(b"".join(one.parts))
        self.parts.append(b"u%d(" % len(value))
        self.parts.extend(sorted(accounts))
        self.parts.append(b")")

    def model(self, value: BaseModel) -> None:
        """A model, serialised in Rust (models hold no sets), digested once per object."""
        found = self.memo.get(id(value))
        if found is None:
            data = value.__pydantic_serializer__.to_json(value)
            head = _text(b"M", type(value).__qualname__)
            found = self.memo.keep(value, _hash([head, b"%d:" % len(data), data]))
        self.parts.append(b"h" + found)

    def partial(self, value: functools.partial[Any]) -> None:
        self.parts.append(b"P(")
        self.feed(value.func)
        self.feed(value.args)
        self.feed(value.keywords)
        self.parts.append(b")")

    def method(self, value: types.MethodType) -> None:
        self.parts.append(b"B(")
        self.feed(value.__func__)
        self.feed(value.__self__)
        self.parts.append(b")")

    def function(self, value: types.FunctionType) -> None:
        """A function by its name, defaults and closure; its account is kept per object."""
        found = self.memo.get(id(value))
        if found is None:
            inner = _Canon(self.tokens, self.memo)
            inner.parts.append(_text(b"F", f"{value.__module__}.{value.__qualname__}"))
            cells = [cell.cell_contents for cell in value.__closure__ or ()]
            inner.feed((value.__defaults__, value.__kwdefaults__, cells))
            found = self.memo.keep(value, b"".join(inner.parts))
        self.parts.append(found)

    def path(self, value: PurePath) -> None:
        self.parts.append(_text(b"p", value.as_posix()))

    def named(self, value: Any) -> None:
        """An object that names its own key (entries, the index): its content is that key's.

        Its account is kept in ``memo`` too: an entry is listed under many keys.
        """
        found = self.memo.get(id(value))
        if found is None:
            token = self.tokens.get(id(value))
            text = _text(b"T", token) if token is not None else _text(b"K", value._digest_key())
            found = self.memo.keep(value, text)
        self.parts.append(found)

    def record(self, value: Any) -> None:
        """A dataclass, field by field, digested once per object (a token: by its name).

        A record that keeps its own digest (:func:`keep_digest`) is not walked.
        """
        token = self.tokens.get(id(value))
        if token is not None:
            self.parts.append(_text(b"T", token))
            return
        found = self.memo.get(id(value))
        if found is None:
            found = getattr(value, KEPT, None)
            if found is not None and VERIFY_KEPT and found != self._walk(value):
                raise AssertionError(f"a {type(value).__qualname__} kept a digest it does not have")
        if found is None:
            found = self._walk(value)
            if not self.nested:
                self.memo.keep(value, found)
        self.parts.append(b"h" + found)

    def _walk(self, value: Any) -> bytes:
        """The digest of a record's own account, field by field."""
        inner = _Canon(self.tokens, self.memo, nested=True)
        head, fields = _record_form(type(value))
        inner.parts.append(head)
        inner.sequence(fields(value))
        return _hash(inner.parts)

    def other(self, value: Any) -> None:
        token = self.tokens.get(id(value))
        if token is None:
            raise TypeError(f"no digest for {type(value).__qualname__}")
        self.parts.append(_text(b"T", token))


KEPT = "_digest"
"""The field in which a record may keep its own digest (:func:`keep_digest`): not content."""

VERIFY_KEPT = False
"""Walk a record that keeps its digest all the same, and fail if they differ: the tests set it."""


def keep_digest(record: Any) -> bytes:
    """Give a record with a :data:`KEPT` field its digest, which :func:`digest` then uses.

    The briefs' events, quotes and proposals are listed under many keys and
    pages, and their fields were walked again in every run that compared
    them: at 10,000 briefs, a publish walked 110,000 of them. A checked brief
    keeps its records' digests, and the check cache keeps them between runs.
    The record must not change afterwards (they are frozen); records within
    it are given theirs first.
    """
    found = getattr(record, KEPT)
    if found is None:
        found = _Canon({}, Memo(), nested=True)._walk(record)
        object.__setattr__(record, KEPT, found)
    return found  # type: ignore[no-any-return]


@functools.cache
def _record_form(kind: type) -> tuple[bytes, Callable[[Any], tuple[Any, ...]]]:
    """A record type's tag, and what reads its fields' values as one tuple."""
    names = [item.name for item in dataclasses.fields(kind) if item.name != KEPT]
    read = operator.attrgetter(*names) if names else lambda _value: ()
    fields = read if len(names) != 1 else lambda value: (read(value),)
    return _text(b"D", kind.__qualname__), fields


_Feeder = Callable[[_Canon, Any], None]

_FEEDERS: dict[type, _Feeder] = {}
"""How each type met so far is fed, by exact type: one lookup per value."""

_BY_KIND: tuple[tuple[type | types.UnionType, _Feeder], ...] = (
    (enum.Enum, _Canon.enum),
    (type(None) | bool | int | float, _Canon.atom),
    (str, _Canon.string),
    (dt.date | dt.datetime | dt.time, _Canon.when),
    (bytes | bytearray, _Canon.raw),
    (list | tuple, _Canon.sequence),
    (dict, _Canon.mapping),
    (set | frozenset, _Canon.unordered),
    (BaseModel, _Canon.model),
    (functools.partial, _Canon.partial),
    (types.MethodType, _Canon.method),
    (types.FunctionType, _Canon.function),
    (PurePath, _Canon.path),
)
"""The first match decides, in this order: an enum may also be a str or an int."""


def _learn(kind: type) -> _Feeder:
    """Find how ``kind`` is fed, and remember it."""
    method = _FEEDERS[kind] = _feeder(kind)
    return method


def _feeder(kind: type) -> _Feeder:
    """How values of ``kind`` are fed: chosen once per type, by what the type is."""
    if hasattr(kind, "_digest_key"):
        return _Canon.named
    for bases, method in _BY_KIND:
        if issubclass(kind, bases):
            return method
    if dataclasses.is_dataclass(kind):
        return _Canon.record
    return _Canon.other
