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
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

Key = tuple[Any, ...]
"""What an output read: a table's name and a key in it, or ``("brief", slug)``."""

ALL = "*"
"""The key of a read that took a whole table: iterating it, counting it."""

_reads: set[Key] | None = None
"""The keys read by the output being rendered in this process, if one is."""


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


def digest(value: Any, tokens: dict[int, str] | None = None) -> bytes:
    """A digest of ``value``'s content, the same in every process for equal content."""
    hasher = hashlib.blake2b(digest_size=16)
    _Canon(hasher.update, tokens or {}).feed(value)
    return hasher.digest()


class _Canon:
    """Feeds a canonical account of a value to a hash, type by type."""

    def __init__(self, out: Callable[[bytes], object], tokens: dict[int, str]) -> None:
        self.out = out
        self.tokens = tokens

    def text(self, tag: str, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self.out(f"{tag}{len(data)}:".encode())
        self.out(data)

    def feed(self, value: Any) -> None:
        token = self.tokens.get(id(value))
        if token is not None:
            self.text("T", token)
        elif value is None or isinstance(value, bool | int | float):
            self.text("A", repr(value))
        elif isinstance(value, str):
            self.text("s", value)
        elif isinstance(value, enum.Enum):
            self.text("e", f"{type(value).__qualname__}.{value.name}")
        elif isinstance(value, dt.date | dt.datetime | dt.time):
            self.text("d", value.isoformat())
        elif isinstance(value, bytes):
            self.out(f"b{len(value)}:".encode())
            self.out(value)
        elif isinstance(value, list | tuple):
            self.out(f"l{len(value)}(".encode())
            for item in value:
                self.feed(item)
            self.out(b")")
        elif isinstance(value, dict):
            self.out(f"m{len(value)}(".encode())
            for key, item in dict.items(value):
                self.feed(key)
                self.feed(item)
            self.out(b")")
        elif isinstance(value, set | frozenset):
            self.out(f"u{len(value)}(".encode())
            for item in sorted(value, key=repr):
                self.feed(item)
            self.out(b")")
        elif isinstance(value, BaseModel):  # serialised in Rust: models hold no sets
            data = value.__pydantic_serializer__.to_json(value)
            self.text("M", type(value).__qualname__)
            self.out(f"{len(data)}:".encode())
            self.out(data)
        elif isinstance(value, functools.partial):
            self.out(b"P(")
            self.feed(value.func)
            self.feed(value.args)
            self.feed(value.keywords)
            self.out(b")")
        elif isinstance(value, types.MethodType):
            self.out(b"B(")
            self.feed(value.__func__)
            self.feed(value.__self__)
            self.out(b")")
        elif isinstance(value, types.FunctionType):
            self.text("F", f"{value.__module__}.{value.__qualname__}")
            cells = [cell.cell_contents for cell in value.__closure__ or ()]
            self.feed((value.__defaults__, value.__kwdefaults__, cells))
        elif isinstance(value, PurePath):
            self.text("p", value.as_posix())
        else:
            self.other(value)

    def other(self, value: Any) -> None:
        """Objects that name their own key (entries, the index); records field by field."""
        named = getattr(value, "_digest_key", None)
        if named is not None:
            self.text("K", named())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            self.text("D", type(value).__qualname__)
            for item in dataclasses.fields(value):
                self.feed(getattr(value, item.name))
            self.out(b")")
        else:
            raise TypeError(f"no digest for {type(value).__qualname__}")
