"""Per-file and cross-file checks, every problem pinned to its line and column.

Per file, pydantic checks a document against the schema and we translate its
errors into author language; the references a brief makes to its own sources,
proposals and ids, and the usual slips, are checked on its raw data, so that a
field error hides none of them. Across files we check what no single file can
know: actor ids, related slugs, answered-by slugs, and the addresses of every
generated file, where two briefs, actors or tags (or one of them and the site's
own pages) must never meet.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import json
import logging
import pickle
import posixpath
import re
import sys
import types
import typing
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from itertools import chain, combinations
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from generator import scaffold
from generator.errors import (
    KeyPath,
    Position,
    Problem,
    Severity,
    did_you_mean,
    display_path,
    format_key_path,
)
from generator.load import Document
from generator.models import (
    RESERVED_SLUGS,
    SLUG_PATTERN,
    WINDOWS_NAMES,
    Actor,
    Brief,
    Event,
    PartialDate,
    Place,
    Tag,
    compact,
    keep_digests,
    slugify,
)
from generator.pickles import fast_state

log = logging.getLogger(__name__)


_SLUG_RE = re.compile(SLUG_PATTERN)
_ACTORS = TypeAdapter(dict[str, Actor])
_BRIEF = TypeAdapter(Brief)
_PLACES = TypeAdapter(dict[str, Place])


@dataclass(frozen=True)
class ValidBrief:
    """A brief that passed its own checks, with the document it was read from."""

    slug: str
    brief: Brief
    doc: Document

    @property
    def path(self) -> Path:
        """The file the brief was read from."""
        return self.doc.path


# --- Translating pydantic errors ------------------------------------------------


def _clean_loc(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """Drop the validator names pydantic puts into locations of wrapped types.

    Such a name (``function-after[…]``) holds a bracket, but so may a key an
    author wrote (``tags[0]: x``); the data tells them apart: a part that is a
    key of the mapping at that place is the author's, whatever it holds.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            path.append(part)
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        elif isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif "[" not in part and "(" not in part:
            path.append(part)  # a field that is missing from the data
            node = None
    return tuple(path)


def _subject(loc: KeyPath) -> str:
    """What a message about one value calls it: its key, or 'this item' in a list."""
    name = loc[-1] if loc else None
    return name if isinstance(name, str) and name else "this item"


def _unwrap(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``list[M]``, ``M | None`` or ``Annotated[M, …]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (list, types.UnionType, typing.Union, typing.Annotated):
        for arg in get_args(annotation):
            found = _unwrap(arg)
            if found:
                return found
    return None


class _ActorsRoot(BaseModel):
    """Stands for the registry's top level, whose keys are actor ids, in key-path lookups."""


class _PlacesRoot(BaseModel):
    """Stands for the place registry's top level, whose keys are place ids."""


_REGISTRY_ROOTS: dict[type[BaseModel], type[BaseModel]] = {_ActorsRoot: Actor, _PlacesRoot: Place}


def _model_at(root: type[BaseModel], path: KeyPath) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path``."""
    if root in _REGISTRY_ROOTS:
        entry = _REGISTRY_ROOTS[root]
        return entry if len(path) == 1 else _model_at(entry, path[1:])
    model: type[BaseModel] | None = root
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _unwrap(field.annotation) if field else None
    return model


def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [n for n, f in model.model_fields.items() if not f.exclude]


_KIND = {dict: "a mapping ('key: value' lines)", list: "a list ('- item' lines)", str: "text"}


def _describe(value: Any) -> str:
    return next((k for t, k in _KIND.items() if isinstance(value, t)), "nothing")


def _translate(
    err: Mapping[str, Any], loc: KeyPath, root: type[BaseModel]
) -> tuple[str, str | None, bool]:
    """Author-facing message and hint for one pydantic error; the flag marks key errors.

    Text lengths are counted in characters after the text is tidied (spaces
    folded), which is what the limit applies to; pydantic reports a limit on
    a validated string as one on 'items', so the input's type decides.
    """
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    name = loc[-1] if loc else ""
    if kind == "missing":
        return f"missing required field '{name}'", f"add '{name}: …'", False
    if kind == "extra_forbidden":
        fields = _field_names(_model_at(root, loc[:-1]))
        hint = did_you_mean(str(name), fields) or "allowed here: " + ", ".join(fields)
        return f"unknown field '{name}'", hint, True
    if kind == "enum":
        allowed = [a.strip(" '") for a in ctx.get("expected", "").replace(" or ", ", ").split(",")]
        hint = did_you_mean(str(value), allowed)
        return f"'{value}' is not one of: {', '.join(allowed)}", hint, False
    if kind in ("string_too_long", "too_long") and isinstance(value, str):
        length = ctx.get("actual_length", len(value))
        return (
            f"{_subject(loc)} is {length:,} characters long; the limit is {ctx['max_length']:,}",
            "shorten it",
            False,
        )
    if kind == "blank":
        subject = _subject(loc)
        write = (
            "write the text or remove the item"
            if subject == "this item"
            else f"write the {subject}"
        )
        return (
            f"{subject} is blank: it has only invisible or blank characters ({ctx['codes']})",
            write,
            False,
        )
    if kind == "too_long":
        return (
            f"{len(value)} items; the limit is {ctx['max_length']}",
            "split the brief or drop the least important items",
            False,
        )
    if kind == "too_short" and not isinstance(value, str):
        return f"needs at least {ctx['min_length']} item(s)", None, False
    if kind in ("string_too_short", "too_short"):
        return "is empty", "write something or remove the key", False
    if kind == "bool_parsing":
        return f"'{value}' is not true or false", "write true or false", False
    if kind in ("string_type", "model_type", "dict_type", "list_type", "model_attributes_type"):
        expected = {"string_type": "text", "list_type": _KIND[list]}.get(kind, _KIND[dict])
        if value is None:
            return (
                f"has no value, but {expected} is expected",
                "fill it in or remove the key",
                False,
            )
        return f"expected {expected}, found {_describe(value)}", None, False
    if kind == "string_pattern_mismatch":
        return f"'{value}' does not have the expected form ({ctx.get('pattern')})", None, False
    return str(err["msg"]).removeprefix("Value error, "), None, False


_AT_KEY = {"anonymous_speaker": "speaker", "position_two_objects": "issue"}
"""Errors of a model validator that weighs two keys, and the key the fix is at: pydantic
puts them at the item, which could be any line of it."""


def _at_its_key(err: Mapping[str, Any], loc: KeyPath, data: Any) -> KeyPath:
    """The location of an error, moved from an item to the key it is about (see ``_AT_KEY``)."""
    key = _AT_KEY.get(err["type"])
    if key is None:
        return loc
    node = data
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return (*loc, key) if isinstance(node, dict) and key in node else loc


def schema_problems(
    doc: Document, adapter: TypeAdapter[Any], root: type[BaseModel]
) -> tuple[Any, list[Problem]]:
    """Validate a document's data; return the value (or None) and located problems.

    ``root`` is the model at the top of the key paths, for did-you-mean hints.
    """
    try:
        return adapter.validate_python(doc.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = _at_its_key(err, _clean_loc(err["loc"], doc.data), doc.data)
            message, hint, at_key = _translate(err, loc, root)
            problems.append(
                Problem(doc.path, message, doc.position(loc, key=at_key), key_path=loc, hint=hint)
            )
        return None, problems


def _expect_mapping(doc: Document, what: str) -> Problem | None:
    if isinstance(doc.data, dict):
        return None
    if doc.data is None:
        return Problem(
            doc.path, "the file is empty", hint=f"a {what} is a mapping of 'key: value' lines"
        )
    return Problem(
        doc.path,
        f"the file holds {_describe(doc.data)}, but a {what} is a mapping of 'key: value' lines",
        doc.position(()),
    )


# --- Per file ----------------------------------------------------------------


def slug_problems(path: Path) -> list[Problem]:
    """Check that a brief's file name makes a safe, portable address."""
    slug = path.stem
    if not _SLUG_RE.match(slug):
        suggestion = slugify(slug) or "my-brief"
        return [
            Problem(
                path,
                f"file name '{path.name}' cannot be a page address",
                hint=f"use lowercase letters, digits and hyphens, like '{suggestion}.yml'",
            )
        ]
    if slug in RESERVED_SLUGS:
        return [
            Problem(
                path,
                f"'{slug}' is reserved for the site's own pages",
                hint=f"rename the file, for example to '{slug}-briefing.yml'",
            )
        ]
    return []


def validate_brief(doc: Document) -> tuple[ValidBrief | None, list[Problem]]:
    """Check one brief on its own: schema, slug and references inside the file."""
    problems = [*doc.problems, *slug_problems(doc.path)]
    if doc.data is None and doc.problems:
        return None, problems  # unreadable: nothing more to check
    not_mapping = _expect_mapping(doc, "brief")
    if not_mapping:
        return None, [*problems, not_mapping]
    brief, schema = schema_problems(doc, _BRIEF, Brief)
    problems += schema
    problems += raw_problems(doc)  # whether or not the model passed: one run tells all
    if brief is None:
        return None, problems
    problems += story_problems(doc, brief)
    problems += change_problems(doc, brief)
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    doc.forget_positions()  # its warnings hold their positions; a later check reads them again
    record = compact(brief)
    keep_digests(record)  # kept with the check: each run compares them again
    return ValidBrief(doc.slug, record, doc), problems


class Registry(dict[str, Actor]):
    """The actors of ``actors.yml`` that passed their checks, by id.

    ``rejected`` holds the ids of the entries that did not: each is reported once,
    in the registry, and a brief naming one is not told again that it is unknown.
    """

    def __init__(
        self, actors: Mapping[str, Actor] | None = None, rejected: Iterable[str] = ()
    ) -> None:
        super().__init__(actors or {})
        self.rejected = frozenset(rejected)


def validate_actors(doc: Document) -> tuple[Registry, list[Problem]]:
    """Check the actor registry entry by entry; return the valid actors with their ids filled in.

    One bad entry is reported and left out; the others still count, so that the
    briefs naming them are not flooded with "unknown actor" errors.
    """
    return _validate_registry(doc, _ACTORS, _ActorsRoot, "actor", "mark-rutte")


def _validate_registry(
    doc: Document, adapter: TypeAdapter[Any], root: type[BaseModel], noun: str, example: str
) -> tuple[Registry, list[Problem]]:
    """Check a registry of ``noun``s by id, entry by entry (see :func:`validate_actors`)."""
    if doc.data is None and doc.problems:
        return Registry(), list(doc.problems)
    not_mapping = _expect_mapping(doc, f"{noun} registry")
    if not_mapping:
        return Registry(), [not_mapping]
    problems = list(doc.problems)
    bad: set[str] = set()
    for key in doc.data:
        message, hint = _registry_id_problem(key, noun, example)
        if message:
            position = doc.position((key,), key=True)
            problems.append(Problem(doc.path, message, position, key_path=(key,), hint=hint))
            bad.add(key)
    entries, schema = schema_problems(doc, adapter, root)
    problems += schema
    if entries is None:  # validate the good entries alone
        bad |= {str(p.key_path[0]) for p in schema if p.key_path}
        entries = adapter.validate_python({k: v for k, v in doc.data.items() if k not in bad})
    valid = {
        key: entry.model_copy(update={"id": key})
        for key, entry in entries.items()
        if key not in bad
    }
    # Briefs may already use the id a bad key's hint suggests: not unknown either.
    rejected = bad | {slugify(key) for key in bad}
    return Registry(valid, rejected), problems


def _registry_id_problem(key: str, noun: str, example: str) -> tuple[str | None, str | None]:
    if _SLUG_RE.match(key):
        return None, None
    suggestion = slugify(key) or example
    return f"'{key}' is not a valid {noun} id", f"use lowercase and hyphens, like '{suggestion}'"


# --- Cross-references inside a brief, read from its raw data -------------------------
#
# These run whether or not the brief passed the schema, so that a bad stance does
# not hide an unknown source: every problem of a brief is reported in one run.
# A value the schema refuses (not an id, not a list) is left to the schema's message.

_CITING = ("key_points", "sections", "proposals", "events", "positions", "changes")
_DISPUTED = ("key_points", "events", "sections")

SOURCE_LISTS: tuple[tuple[str, ...], ...] = (
    *((field, "*", "sources") for field in _CITING),
    ("why_it_matters", "sources"),
    ("whats_next", "sources"),
    *((field, "*", "disputes", "*", "sources") for field in _DISPUTED),
)
"""The lists that cite a brief's own sources by id."""

SOURCE_FIELDS: tuple[tuple[str, ...], ...] = (
    *((*path, "*") for path in SOURCE_LISTS),
    ("quotes", "*", "source"),
)
"""Every place a brief cites one of its own sources."""

ID_LISTS: tuple[tuple[str, ...], ...] = (
    ("actors",),
    ("proposals", "*", "proponents"),
    ("proposals", "*", "opponents"),
    ("events", "*", "actors"),
    ("events", "*", "places"),
    ("events", "*", "not_same_as"),
    *((field, "*", "disputes", "*", "by") for field in _DISPUTED),
    *SOURCE_LISTS,
    ("related",),
    ("questions", "*", "not_answered_by"),
)
"""Lists of ids in which an id written twice is surely a slip (a copied line, a merge)."""

PLACEHOLDERS = frozenset(" ".join(text.split()) for text in scaffold.PLACEHOLDERS)
"""The text and ids that ``briefings new`` puts in its template, with runs of white
space folded as the check folds each value of a brief before comparing."""

_PLACEHOLDER_STARTS = tuple(json.dumps(p)[1:12] for p in PLACEHOLDERS)
"""How each placeholder starts, written as in a JSON string: a cheap first test."""

_EXAMPLE_ADDRESS = re.compile(r"https?://(?:www\.)?example\.(?:org|com|net)(?![\w.-])[^\s)]*")
"""An address on a domain reserved for examples (RFC 2606), like the template's
``https://example.org/article``; made-up outlets on subdomains (``gazette.example.org``)
are the test fixtures' and pass."""

_QUOTE_MARKS = {
    '"': '"',
    "'": "'",
    "\u201c": "\u201d",
    "\u201e": "\u201c",
    "\u2018": "\u2019",
    "\u201a": "\u2018",
    "\u00ab": "\u00bb",
    "\u00bb": "\u00ab",
    "\u2039": "\u203a",
    "\u300c": "\u300d",
}
"""Opening quotation marks and the mark that closes each: English, German, French, Japanese."""


def raw_problems(doc: Document) -> list[Problem]:
    """The brief's references to itself and its slips, checked on the raw data.

    One walk finds every value these checks read (:func:`_scan`): a brief is
    validated on every preview refresh, and 10,000 of them on a build.
    """
    data = doc.data
    found = _scan(data)
    return [
        *_source_problems(doc, data, found),
        *_duplicate_ids(doc, data, "proposals"),
        *_duplicate_ids(doc, data, "events"),
        *_proposal_refs(doc, data, found["proposal"]),
        *_repeated_ids(doc, found["ids"]),
        *_quote_marks(doc, found["quote"]),
        *_contested_warnings(doc),
        *([] if _is_draft(data) else _placeholders(doc, data)),
    ]


_ANY = "\x00any item"
"""Stands for every item of a list in a :func:`_trie`; no key of a brief can be it."""

_Trie = dict[str, Any]


def _trie(patterns: Mapping[str, Sequence[Sequence[str]]]) -> _Trie:
    """Key-path patterns merged into one tree, each end marked with what it finds."""
    root: _Trie = {}
    for tag, paths in patterns.items():
        for pattern in paths:
            node = root
            for part in pattern:
                node = node.setdefault(_ANY if part == "*" else part, {})
            node.setdefault(None, []).append(tag)
    return root


_SCAN = _trie(
    {
        "ids": ID_LISTS,
        "cite": SOURCE_FIELDS,
        "proposal": (("positions", "*", "proposal"),),
        "quote": (("quotes", "*", "text"),),
    }
)

Found = dict[str, list[tuple[KeyPath, Any]]]
"""What :func:`_scan` finds, by tag: each value with its key path, in file order."""


def _scan(data: Any) -> Found:
    """Every value at the end of a pattern of ``_SCAN``, in one walk of the data."""
    found: Found = {"ids": [], "cite": [], "proposal": [], "quote": []}

    def walk(node: Any, trie: _Trie, path: KeyPath) -> None:
        for tag in trie.get(None, ()):
            found[tag].append((path, node))
        if isinstance(node, dict):
            for key, value in node.items():
                below = trie.get(key) if key != _ANY else None
                if below is not None:
                    walk(value, below, (*path, key))
        elif isinstance(node, list) and _ANY in trie:
            below = trie[_ANY]
            if len(below) == 1 and None in below:  # the items themselves: no call for each
                for tag in below[None]:
                    found[tag] += [((*path, i), item) for i, item in enumerate(node)]
                return
            for i, item in enumerate(node):
                walk(item, below, (*path, i))

    walk(data, _SCAN, ())
    return found


def _raw_ids(data: dict[str, Any], field: str) -> list[tuple[int, str]]:
    """The ``id`` of each item of a list, with its index; items without a text id are skipped."""
    items = data.get(field)
    if not isinstance(items, list):
        return []
    return [
        (i, item["id"])
        for i, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def _repeats(ids: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str, int]]:
    """(index, id, index of its first use) for each id used again."""
    first: dict[str, int] = {}
    for i, item_id in ids:
        if item_id in first:
            yield i, item_id, first[item_id]
        first.setdefault(item_id, i)


def _duplicate_ids(
    doc: Document, data: dict[str, Any], field: str, hint: str = "give each item its own id"
) -> list[Problem]:
    return [
        Problem(
            doc.path,
            f"id '{item_id}' is already used by {field}[{first + 1}]",
            doc.position((field, i, "id")),
            key_path=(field, i, "id"),
            hint=hint,
        )
        for i, item_id, first in _repeats(_raw_ids(data, field))
    ]


def _source_problems(doc: Document, data: dict[str, Any], found: Found) -> list[Problem]:
    """Citations of sources the brief does not hold, sources with one id, uncited sources.

    A source copied and left with the first one's id makes the citations meant
    for it unknown. The repeated id is the cause, so it alone is reported, and
    its hint names the ids cited in vain: reporting each citation as unknown,
    with a 'did you mean' pointing to another source, sends the author the wrong way.
    """
    ids = _raw_ids(data, "sources")
    known = {source_id for _, source_id in ids}
    if not known:
        return []  # no source, or none readable: the schema says so, once
    refs = [(path, ref) for path, ref in found["cite"] if isinstance(ref, str)]
    unknown = [(path, ref) for path, ref in refs if ref not in known and _SLUG_RE.match(ref)]
    if len(known) < len(ids):
        hint = "give each source its own id"
        if unknown:
            cited = _and_list([f"'{ref}'" for ref in dict.fromkeys(ref for _, ref in unknown)])
            hint += f"; the brief cites {cited}, which no source has"
        return _duplicate_ids(doc, data, "sources", hint)
    listed = [source_id for _, source_id in ids]
    problems = [
        Problem(
            doc.path,
            f"unknown source '{ref}'",
            doc.position(path),
            key_path=path,
            hint=did_you_mean(ref, listed) or f"sources defined in this brief: {', '.join(listed)}",
        )
        for path, ref in unknown
    ]
    cited = {ref for _, ref in refs}
    # Ids written as text where a list belongs ('sources: ft'): the schema reports the
    # form, and the source is not also reported as never cited.
    cited |= {ref for path, ref in found["ids"] if isinstance(ref, str) and path[-1] == "sources"}
    return [*problems, *_uncited(doc, ids, cited, [ref for _, ref in unknown])]


def _uncited(
    doc: Document, ids: list[tuple[int, str]], cited: set[str], unknown: list[str]
) -> list[Problem]:
    """A source nothing cites is a slip: a citation forgotten, or a source left over.

    Only in a brief that cites: one that cites nothing (a summary and its sources)
    rests on all of them. A source that an unknown citation was probably meant for
    (its 'did you mean') is not reported again; an unknown citation like no source
    could be meant for any of them, and then none is.
    """
    if not cited:
        return []
    uncited = [(i, source_id) for i, source_id in ids if source_id not in cited]
    meant = set()
    for ref in unknown:
        close = difflib.get_close_matches(ref.lower(), [s for _, s in ids], n=1, cutoff=0.6)
        if not close:
            return []
        meant.add(close[0])
    return [
        Problem(
            doc.path,
            f"source '{source_id}' is never cited",
            doc.position(("sources", i, "id")),
            key_path=("sources", i, "id"),
            hint="cite it where the brief relies on it (a 'sources' list, or a quote's "
            "'source'), or remove it",
            severity=Severity.WARNING,
        )
        for i, source_id in uncited
        if source_id not in meant
    ]


def _proposal_refs(
    doc: Document, data: dict[str, Any], refs: list[tuple[KeyPath, Any]]
) -> list[Problem]:
    """A position's ``proposal`` names one of the brief's own proposals."""
    if not isinstance(data.get("proposals", []), list):
        return []  # the schema reports it
    known = [proposal_id for _, proposal_id in _raw_ids(data, "proposals")]
    listed = ", ".join(known) if known else "none; add the proposal under 'proposals'"
    return [
        Problem(
            doc.path,
            f"unknown proposal '{ref}'",
            doc.position(path),
            key_path=path,
            hint=did_you_mean(ref, known) or f"proposals in this brief: {listed}",
        )
        for path, ref in refs
        if isinstance(ref, str) and ref not in known and _SLUG_RE.match(ref)
    ]


def _repeated_ids(doc: Document, lists: list[tuple[KeyPath, Any]]) -> list[Problem]:
    """An id written twice in one list: an error at the second, naming the first."""
    problems = []
    for path, items in lists:
        if not isinstance(items, list) or len(items) < 2:
            continue
        texts = ((i, item) for i, item in enumerate(items) if isinstance(item, str))
        for i, item_id, first in _repeats(texts):
            problems.append(
                Problem(
                    doc.path,
                    f"'{item_id}' is already listed at {format_key_path((*path, first))}",
                    doc.position((*path, i)),
                    key_path=(*path, i),
                    hint="remove this one",
                )
            )
    return problems


def _quote_marks(doc: Document, texts: list[tuple[KeyPath, Any]]) -> list[Problem]:
    """Quotation marks around a quote's text: the page sets its own, so readers see two pairs.

    Only marks that wrap the whole text count: '"Yes," he said, "now."' opens and
    closes with a mark but holds more inside, and is left alone.
    """
    problems = []
    for path, text in texts:
        if not isinstance(text, str):
            continue
        words = text.strip()
        opening = words[:1]
        closing = _QUOTE_MARKS.get(opening)
        if len(words) < 2 or words[-1] != closing:
            continue
        inner = words[1:-1]
        if opening in inner or closing in inner:
            continue
        problems.append(
            Problem(
                doc.path,
                f"the quote is wrapped in quotation marks ({opening}…{closing})",
                doc.position(path),
                key_path=path,
                hint="remove them: the page sets the quotation marks itself",
                severity=Severity.WARNING,
            )
        )
    return problems


def _is_draft(data: dict[str, Any]) -> bool:
    """Whether the raw data marks a draft; a value the schema refuses counts as one."""
    draft = data.get("draft")
    if draft is None:
        return False
    return not isinstance(draft, str) or draft.lower() not in _FALSE


_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
"""What pydantic reads as false: the raw ``draft`` is read before the model is built."""


def _strings(data: Any, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every text value of raw data, with its key path."""
    if isinstance(data, str):
        yield prefix, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*prefix, i))


def _placeholders(doc: Document, data: dict[str, Any]) -> list[Problem]:
    """The template's text and example addresses, left in a brief that is to be published.

    The brief as one JSON string is searched first, in C, for any trace of them:
    nearly every brief has none, and walking all its text in Python cost more
    than the rest of the checks together.
    """
    flat = json.dumps(data, ensure_ascii=False)
    if not _EXAMPLE_ADDRESS.search(flat) and not any(
        start in flat for start in _PLACEHOLDER_STARTS
    ):
        return []
    problems = []
    for path, text in _strings(data):
        folded = " ".join(text.split())
        if "example." in text and (address := _EXAMPLE_ADDRESS.search(text)):
            message = f"'{address.group()}' is the template's example address"
            hint = "give the real address, or remove it; only a draft may keep placeholders"
        elif folded in PLACEHOLDERS:
            shown = folded if len(folded) <= 40 else folded[:40].rsplit(" ", 1)[0] + " …"
            message = f"'{shown}' is the template's placeholder"
            hint = "write what the sources say, or remove it; only a draft may keep placeholders"
        else:
            continue
        problems.append(Problem(doc.path, message, doc.position(path), key_path=path, hint=hint))
    return problems


# --- Disputes, certainty and the objects of positions (issue 12) ------------------


def story_problems(doc: Document, brief: Brief) -> list[Problem]:
    """What a valid brief's positions leave unsaid (see :func:`raw_problems` for the rest)."""
    return _position_object_warnings(doc, brief)


def _position_object_warnings(doc: Document, brief: Brief) -> list[Problem]:
    """Every stance is about something: one of the brief's proposals, or a stated issue.

    A position without either is a warning, not an error, so that briefs written
    before positions named their object still build; the page then shows the
    brief's headline as the object. An unknown proposal is an error, found on the
    raw data (:func:`_proposal_refs`).
    """
    return [
        Problem(
            doc.path,
            "the position does not say what it is about",
            doc.position(("positions", i)),
            key_path=("positions", i),
            hint="add 'proposal: <id of one of the brief's proposals>' or "
            "'issue: <what the stance is about>'",
            severity=Severity.WARNING,
        )
        for i, position in enumerate(brief.positions)
        if not position.proposal and not position.issue
    ]


def _contested_warnings(doc: Document) -> list[Problem]:
    """``contested`` still works, read as ``certainty: {level: disputed}``; authors should move."""
    data = doc.data if isinstance(doc.data, dict) else {}
    paths: list[KeyPath] = [
        (field, i, "contested")
        for field in ("key_points", "events")
        for i, item in enumerate(data.get(field) or [])
        if isinstance(item, dict) and "contested" in item
    ]
    return [
        Problem(
            doc.path,
            "'contested' is deprecated; it is read as 'certainty: {level: disputed}'",
            doc.position(path, key=True),
            key_path=path,
            hint="write 'certainty:' with a 'level' (confirmed, reported, unconfirmed or "
            "disputed) and a short 'reason', and name who disputes it under 'disputes'",
            severity=Severity.WARNING,
        )
        for path in paths
    ]


# --- Across files ---------------------------------------------------------------


ACTOR_FIELDS: tuple[tuple[str, ...], ...] = (
    ("actors", "*"),
    ("quotes", "*", "speaker"),
    ("quotes", "*", "affiliation"),
    ("proposals", "*", "proponents", "*"),
    ("proposals", "*", "opponents", "*"),
    ("events", "*", "actors", "*"),
    ("positions", "*", "actor"),
    ("key_points", "*", "disputes", "*", "by", "*"),
    ("events", "*", "disputes", "*", "by", "*"),
    ("sections", "*", "disputes", "*", "by", "*"),
)
"""Where a brief names actors; ``*`` stands for every item of a list."""

BRIEF_FIELDS: tuple[tuple[str, ...], ...] = (
    ("related", "*"),
    ("questions", "*", "answered_by"),
    ("continues",),
    ("questions", "*", "not_answered_by", "*"),
)
"""Where a brief names other briefs."""

TAG_FIELDS: tuple[tuple[str, ...], ...] = (("tags", "*"),)
"""Where a brief names its topics, each of which gets a page and feeds."""


def _walk(data: Any, pattern: Sequence[str], prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Text values found along ``pattern`` in raw data, with their key paths."""
    if not pattern:
        if isinstance(data, str):
            yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, (*prefix, i))
    elif isinstance(data, dict) and head in data:
        yield from _walk(data[head], rest, (*prefix, head))


def references(data: Any, fields: Sequence[Sequence[str]]) -> list[tuple[KeyPath, str]]:
    """Every reference a brief's raw data makes, in file order.

    Raw data, not the model, so that a brief with a schema error still has its
    references checked and its author sees every problem in one run.
    """
    found = [ref for pattern in fields for ref in _walk(data, pattern)]
    return sorted(
        found, key=lambda ref: [str(p) if isinstance(p, str) else f"{p:06d}" for p in ref[0]]
    )


def _actor_hint(ref: str, actors: Mapping[str, Actor]) -> str:
    """Suggest an actor for a mistyped id: by a word of an id, a name or alias, or spelling."""
    words = set(ref.split("-"))
    for actor in actors.values():
        names = {actor.name.lower(), *(a.lower() for a in actor.aliases)}
        if words <= set(actor.id.split("-")) or ref.replace("-", " ") in names:
            return f"did you mean '{actor.id}'?"
    return did_you_mean(ref, list(actors)) or "add the actor to briefings/actors.yml, or fix the id"


_Pairs = Iterable[tuple[KeyPath, str]]
BriefReferences = tuple[_Pairs, _Pairs, _Pairs]
"""The actors, the other briefs and the tags a brief names, each with its key path."""


def _references(doc: Document) -> BriefReferences:
    if doc.references is None:
        return (
            references(doc.data, ACTOR_FIELDS),
            references(doc.data, BRIEF_FIELDS),
            references(doc.data, TAG_FIELDS),
        )
    return doc.references  # type: ignore[no-any-return]


def settle(doc: Document) -> None:
    """Keep only the references of a checked brief, and drop its raw data.

    The raw data is a third of a loaded brief's memory and, once the model is
    built, only the cross-file checks still read it (for every brief, on every
    preview refresh).
    """
    actors, briefs, tags = _references(doc)
    doc.references = (_shared_refs(actors), _shared_refs(briefs), _shared_refs(tags))
    doc.place_references = _shared_refs(_place_refs(doc))
    doc.publication = _publication(doc)
    doc.data = None


_KEY_PATHS: dict[KeyPath, KeyPath] = {}
"""Each key path once: ten thousand briefs name ``('quotes', 0, 'speaker')`` alike."""


@fast_state
@dataclass(frozen=True, slots=True)
class References:
    """A checked brief's references, read as ``(key path, id)`` pairs, kept as two tuples.

    They are kept for as long as the brief is (in the preview, in a check
    cache): a tuple per pair took about a third of their memory.
    """

    paths: tuple[KeyPath, ...]
    ids: tuple[str, ...]

    def __iter__(self) -> Iterator[tuple[KeyPath, str]]:
        return zip(self.paths, self.ids, strict=True)

    def __len__(self) -> int:
        return len(self.ids)


def _shared_refs(refs: Iterable[tuple[KeyPath, str]]) -> References:
    """References with their key paths shared and their ids interned."""
    paths, ids = [], []
    for path, ref in refs:
        key = _KEY_PATHS.get(path)
        if key is None:
            key = _KEY_PATHS[path] = tuple(
                sys.intern(part) if isinstance(part, str) else part for part in path
            )
        paths.append(key)
        ids.append(sys.intern(ref) if type(ref) is str else ref)
    return References(tuple(paths), tuple(ids))


def _publication(doc: Document) -> tuple[bool, str | None]:
    """Whether a brief is a draft, and its date as written, read from the raw data."""
    if doc.data is None and doc.publication is not None:
        return doc.publication  # type: ignore[no-any-return]
    data = doc.data if isinstance(doc.data, dict) else {}
    date = data.get("date")
    return _is_draft(data), date if isinstance(date, str) else None


def _firsts(refs: Iterable[tuple[KeyPath, str]]) -> Iterator[tuple[KeyPath, str]]:
    """References, without an id repeated in its own list: that is reported as listed twice."""
    seen: set[tuple[KeyPath, str]] = set()
    for path, ref in refs:
        if path and isinstance(path[-1], int):
            if (path[:-1], ref) in seen:
                continue
            seen.add((path[:-1], ref))
        yield path, ref


@dataclass
class CrossChecked:
    """:func:`cross_check`'s problems by document, for the next check of the same briefs.

    They hold while the actors and the names of the brief files stay the same;
    the preview checks every brief on every save, and at 10,000 briefs this
    check took a second of it.
    """

    actors: Mapping[str, Actor] | None = None
    slugs: frozenset[str] = frozenset()
    found: dict[int, tuple[Document, list[Problem]]] = field(default_factory=dict)
    """By the document's identity (kept with it, so that the identity is not reused)."""


def cross_check(
    docs: Sequence[Document], actors: Mapping[str, Actor], kept: CrossChecked | None = None
) -> list[Problem]:
    """Checks that need every file: actor ids and the slugs of other briefs.

    Every brief file counts as existing, valid or not, so that a link to a
    brief with errors of its own is not reported a second time as unknown; so
    does every entry of the actor registry, for the same reason. With ``kept``,
    a document checked before against the same actors and names is not checked again.
    """
    slugs = frozenset(doc.slug for doc in docs)
    if kept is None:
        kept = CrossChecked()
    elif kept.actors is not actors or kept.slugs != slugs:
        kept.actors, kept.slugs, kept.found = actors, slugs, {}
    found = {}
    for doc in docs:
        before = kept.found.get(id(doc))
        found[id(doc)] = (
            before if before and before[0] is doc else (doc, _cross_problems(doc, actors, slugs))
        )
    kept.found = found
    return [problem for _, problems in found.values() for problem in problems]


def _cross_problems(
    doc: Document, actors: Mapping[str, Actor], slugs: frozenset[str]
) -> list[Problem]:
    """:func:`cross_check` of one document."""
    actor_refs, brief_refs, _ = _references(doc)
    hint = partial(_actor_hint, actors=actors)
    problems = _unknown_ids(doc, _firsts(actor_refs), actors, "actor", hint)
    for path, ref in _firsts(brief_refs):
        if not _SLUG_RE.match(ref):
            continue  # reported by the schema check
        if ref == doc.slug:
            message, hint = f"'{ref}' is this brief itself", "point to another brief"
        elif ref not in slugs:
            message = f"unknown brief '{ref}'"
            hint = did_you_mean(ref, sorted(slugs)) or "use the file name of a brief, without .yml"
        else:
            continue
        problems.append(Problem(doc.path, message, doc.position(path), key_path=path, hint=hint))
    return problems


def date_problems(briefs: Sequence[ValidBrief], today: dt.date) -> list[Problem]:
    """Dates that only the day of the build can check: an ``updated`` still to come.

    A future ``date`` is an embargo (see :func:`release`), but a future ``updated``
    is a typo that would pin the feeds' ``<updated>`` to that day until it comes.
    """
    problems = []
    for item in briefs:
        updated = item.brief.updated
        if updated is None or updated <= today or "updated" not in item.brief.model_fields_set:
            continue  # one derived from 'changes' is checked by change_date_problems
        if item.brief.date > today:
            hint = (
                f"the brief is embargoed until {item.brief.date.isoformat()}: leave 'updated' "
                "out until you revise it after that day"
            )
        else:
            hint = "write the day of the last revision; to hold a brief back, set a later 'date'"
        problems.append(
            Problem(
                item.path,
                f"'updated' ({updated.isoformat()}) is later than the day of the build "
                f"({today.isoformat()})",
                item.doc.position(("updated",)),
                key_path=("updated",),
                hint=hint,
            )
        )
    return problems


@dataclass(frozen=True)
class Held:
    """A valid brief kept out of the published site, and why."""

    item: ValidBrief
    reason: str

    @property
    def path(self) -> Path:
        """The brief's file."""
        return self.item.path


def release(
    briefs: Sequence[ValidBrief], today: dt.date, *, preview: bool
) -> tuple[list[ValidBrief], list[Held]]:
    """Split briefs into those to publish and those held back (drafts, embargoes).

    A preview publishes everything, so authors see drafts and embargoed briefs;
    the pages mark them.
    """
    published, held = [], []
    for item in briefs:
        reason = None
        if item.brief.draft:
            reason = "draft: not published until 'draft: true' is removed"
        elif item.brief.date > today:
            reason = f"embargoed until {item.brief.date.isoformat()}: published from that date"
        if reason and not preview:
            held.append(Held(item, reason))
        else:
            published.append(item)
    return published, held


def case_collisions(paths: Sequence[Path]) -> list[Problem]:
    """File names that differ only in case would collide on case-insensitive disks.

    Two files with one name and different extensions ('x.yml', 'x.yaml') are
    reported by :func:`output_collisions`, with the address they would share.
    """
    stems = {posixpath.splitext(posixpath.basename(str(path)))[0] for path in paths}
    if len({stem.lower() for stem in stems}) == len(stems):
        return []  # the usual case, found with strings: a path's parts are slow to take apart
    seen: dict[str, tuple[Path, str]] = {}
    problems = []
    for path in sorted(paths):
        stem = path.stem
        first, first_stem = seen.setdefault(stem.lower(), (path, stem))
        if first_stem != stem:
            problems.append(
                Problem(
                    path,
                    f"'{path.name}' and '{first.name}' differ only in case",
                    hint="give one of them a different name",
                )
            )
    return problems


# --- Generated paths ---------------------------------------------------------------


@dataclass
class _Claim:
    """Something that names generated files: the site itself, a brief, an actor or a tag."""

    label: str
    """How messages name it: "tag 'C++'", "actor 'index'", "the site's own page"."""
    identity: tuple[str, str]
    """The same identity claiming a path again is no collision (one tag in many briefs)."""
    paths: tuple[str, ...] = ()
    doc: Document | None = None
    key_path: KeyPath = ()
    key: bool = False
    hint: str = ""

    @property
    def position(self) -> Position | None:
        """Where it is written, looked up only when a problem names it."""
        return self.doc.position(self.key_path, key=self.key) if self.doc else None

    def where(self) -> str:
        """' (briefings/a.yml:7:5)', for a message about another claim; '' for the site."""
        if self.doc is None:
            return ""
        position = self.position
        at = f":{position.line}:{position.column}" if position else ""
        return f" ({display_path(self.doc.path)}{at})"

    def problem(self, message: str, hint: str, severity: Severity = Severity.ERROR) -> Problem:
        """A problem located at this claim."""
        assert self.doc is not None  # the site's own pages are claimed first and never clash
        return Problem(self.doc.path, message, self.position, self.key_path, hint, severity)


_SITE = _Claim("the site's own page", ("site", ""))


def _brief_claims(docs: Sequence[Document], scheme: OutputScheme) -> Iterator[_Claim]:
    for doc in sorted(docs, key=lambda d: d.path):
        slug = doc.slug
        if _SLUG_RE.match(slug) and slug not in RESERVED_SLUGS:  # else see slug_problems
            yield _Claim(
                f"brief '{doc.path.name}'",
                ("brief", doc.path.name),
                scheme.brief_outputs(slug),
                doc,
                hint="rename one of the files",
            )


def _registry_claims(
    registry: Document | None, kind: str, outputs: Callable[[str], tuple[str, ...]]
) -> Iterator[_Claim]:
    """The pages and feeds each id of a registry (actors, places) names."""
    data = registry.data if registry is not None else None
    for key in data if isinstance(data, dict) else ():
        if _SLUG_RE.match(key):  # a malformed id is reported by the registry's own check
            yield _Claim(
                f"{kind} '{key}'",
                (kind, key),
                outputs(key),
                registry,
                (key,),
                key=True,
                hint=f"choose another id for the {kind}",
            )


def _tag_claims(docs: Sequence[Document], scheme: OutputScheme) -> Iterator[_Claim]:
    outputs: dict[str, tuple[str, ...]] = {}  # a tag is named in many briefs
    for doc in sorted(docs, key=lambda d: d.path):
        for path, raw in _references(doc)[2]:
            name = " ".join(raw.split())
            if name not in outputs:
                tag = Tag(name)
                outputs[name] = scheme.topic_outputs(tag) if tag.slug else ()
            hint = "choose another name for the tag"
            yield _Claim(f"tag '{name}'", ("tag", name), outputs[name], doc, path, hint=hint)


def _letters(name: str) -> str:
    """A tag's letters and digits, whatever their case: 'Air Defence' → 'airdefence'."""
    return "".join(c for c in name.casefold() if c.isalnum())


def _clash(claim: _Claim, other: _Claim, at: str) -> Problem:
    """The problem of ``claim`` meeting ``other``, which took the address ``at`` first."""
    hint = claim.hint
    if claim.identity[0] == other.identity[0] == "tag":
        name, first = claim.identity[1], other.identity[1]
        if _letters(name) == _letters(first):
            return claim.problem(
                f"tag '{name}' and tag '{first}'{other.where()} are one topic, published at {at}",
                "use one spelling in every brief",
                Severity.WARNING,
            )
        hint = "if they are one topic, spell them the same way; if not, rename one"
    return claim.problem(
        f"{claim.label} and {other.label}{other.where()} would both be published at {at}", hint
    )


def _stem(path: str) -> str:
    """'topics/con.md' → 'con'."""
    return posixpath.splitext(posixpath.basename(path))[0]


def _unstorable(claim: _Claim) -> Problem | None:
    """A claim that cannot name a file: no letters at all, or a name Windows refuses."""
    if claim.identity[0] == "tag" and not claim.paths:
        if "\ufffd" in claim.identity[1]:  # the loader's stand-in for a noncharacter it reported
            return None
        return claim.problem(
            f"{claim.label} has no letters or digits to make its page's address from",
            "name the topic in words",
        )
    if claim.paths and _stem(claim.paths[0]) in WINDOWS_NAMES:
        return claim.problem(
            f"{claim.label} would be published as '{claim.paths[0]}', a name Windows cannot store",
            claim.hint,
        )
    return None


class OutputScheme(typing.Protocol):
    """Where the render stage puts each output: handed in, so checking never renders."""

    def brief_outputs(self, slug: str) -> tuple[str, ...]: ...  # noqa: D102
    def actor_outputs(self, actor_id: str) -> tuple[str, ...]: ...  # noqa: D102
    def topic_outputs(self, tag: Tag) -> tuple[str, ...]: ...  # noqa: D102
    def thread_outputs(self, thread_id: str) -> tuple[str, ...]: ...  # noqa: D102
    def place_outputs(self, place_id: str) -> tuple[str, ...]: ...  # noqa: D102
    def address(self, path: str) -> str: ...  # noqa: D102


@dataclass
class Collided:
    """What the last :func:`output_collisions` saw, for the next check of the same briefs.

    With no collision found, none can appear while every brief claims the same
    names (its file name, its tags, the story it continues) and the registries
    and the site's own pages stay the same: the preview checks every brief on
    every save, and at 10,000 briefs this check took a second of it.
    """

    claims: dict[Path, tuple[Document, tuple[object, ...]]] = field(default_factory=dict)
    """Each document's claimed names, by file, with the document they were read from."""
    others: tuple[object, ...] = ()
    """The registries (the very documents, unchanged while they are the same objects) and
    the site's own pages."""
    clear: bool = False
    """Whether that check found nothing."""


def output_collisions(
    docs: Sequence[Document],
    registry: Document,
    scheme: OutputScheme,
    site_outputs: Sequence[str],
    places: Document | None = None,
    kept: Collided | None = None,
) -> list[Problem]:
    """Every generated file must have an address of its own, checked again only if names changed.

    See :func:`_collisions`; with ``kept``, a check that found nothing is not
    repeated while every brief claims the names it claimed then.
    """
    if kept is None:
        return _collisions(docs, registry, scheme, site_outputs, places)
    others = (registry, places, tuple(site_outputs))
    claims = {}
    for doc in docs:
        before = kept.claims.get(doc.path)
        claims[doc.path] = before if before and before[0] is doc else (doc, _claimed_names(doc))
    same = (
        kept.clear
        and len(kept.others) == len(others)
        and all(a is b or a == b for a, b in zip(others, kept.others, strict=True))
        and claims.keys() == kept.claims.keys()
        and all(claims[path][1] == kept.claims[path][1] for path in claims)
    )
    problems = [] if same else _collisions(docs, registry, scheme, site_outputs, places)
    kept.claims, kept.others, kept.clear = claims, others, not problems
    return problems


def _claimed_names(doc: Document) -> tuple[object, ...]:
    """What in a brief names generated files: its file name, its tags and the story it continues."""
    _, briefs, tags = _references(doc)
    continues = [ref for path, ref in briefs if path == ("continues",)]
    return (tuple(" ".join(raw.split()) for _, raw in tags), tuple(continues))


def _collisions(
    docs: Sequence[Document],
    registry: Document,
    scheme: OutputScheme,
    site_outputs: Sequence[str],
    places: Document | None = None,
) -> list[Problem]:
    """Every generated file must have an address of its own.

    Briefs, actors and tags each name pages, feeds or data files. Two of them, or
    one of them and the site's own pages, would meet at one address, and the one
    written last would silently replace the other: an actor 'index' replaces the
    Who's who page, two tags cut to one address share one topic page. Each is
    reported where it is written, naming the other side. Tags that differ only in
    case, spaces or punctuation ('Air Defence', 'air-defence') are one topic, merged
    on one page, with a warning so that authors settle on one spelling; different
    words at one address are an error.
    """
    claimed = {scheme.address(path): _SITE for path in site_outputs}
    problems: list[Problem] = []
    settled: set[tuple[str, str]] = set()  # identities that took their addresses
    for claim in chain(
        _brief_claims(docs, scheme),
        _registry_claims(registry, "actor", scheme.actor_outputs),
        _tag_claims(docs, scheme),
        _thread_claims(docs, scheme),
        _registry_claims(places, "place", scheme.place_outputs),
    ):
        if claim.identity in settled:
            continue
        unstorable = _unstorable(claim)
        if unstorable:
            problems.append(unstorable)
            continue
        addresses = [scheme.address(path) for path in claim.paths]
        taken = [at for at in addresses if at in claimed and claimed[at].identity != claim.identity]
        if taken:
            problems.append(_clash(claim, claimed[taken[0]], taken[0]))
            continue
        for at in addresses:
            claimed.setdefault(at, claim)
        settled.add(claim.identity)
    return problems


# --- Story threads, updates and corrections ------------------------------------------


def change_problems(doc: Document, brief: Brief) -> list[Problem]:
    """A change dated before publication, and an explicit ``updated`` the changes contradict.

    ``updated`` follows the latest change; writing it as well is allowed only when
    the two agree, so that the page, the feeds and ``dateModified`` tell one story.
    """
    problems = []
    for i, change in enumerate(brief.changes):
        if change.date < brief.date:
            path: KeyPath = ("changes", i, "date")
            problems.append(
                Problem(
                    doc.path,
                    f"change dated {change.date.isoformat()} is before 'date' "
                    f"({brief.date.isoformat()})",
                    doc.position(path),
                    key_path=path,
                    hint="a change comes after publication; correct the date",
                )
            )
    if brief.direction and not brief.continues:
        problems.append(
            Problem(
                doc.path,
                "'direction' says where the story went since the brief this one continues, "
                "but 'continues' is missing",
                doc.position(("direction",)),
                key_path=("direction",),
                hint="add 'continues: <slug of the earlier brief>', or remove 'direction'",
            )
        )
    if brief.changes and "updated" in brief.model_fields_set:
        latest = max(c.date for c in brief.changes)
        if brief.updated != latest:
            problems.append(
                Problem(
                    doc.path,
                    f"'updated' ({brief.updated.isoformat() if brief.updated else ''}) "
                    f"disagrees with the latest change ({latest.isoformat()})",
                    doc.position(("updated",)),
                    key_path=("updated",),
                    hint="remove 'updated': it is taken from the latest entry of 'changes'",
                )
            )
    return problems


def change_date_problems(briefs: Sequence[ValidBrief], today: dt.date) -> list[Problem]:
    """Changes dated after the day of the build, like an ``updated`` still to come."""
    problems = []
    for item in briefs:
        for i, change in enumerate(item.brief.changes):
            if change.date <= today:
                continue
            path: KeyPath = ("changes", i, "date")
            problems.append(
                Problem(
                    item.path,
                    f"change dated {change.date.isoformat()} is later than the day of the "
                    f"build ({today.isoformat()})",
                    item.doc.position(path),
                    key_path=path,
                    hint="write the day the brief was changed",
                )
            )
    return problems


def thread_root(slug: str, predecessor: Mapping[str, str]) -> str | None:
    """The first brief of ``slug``'s story, following ``continues``; None on a cycle."""
    seen = {slug}
    while slug in predecessor:
        slug = predecessor[slug]
        if slug in seen:
            return None
        seen.add(slug)
    return slug


def thread_problems(briefs: Sequence[ValidBrief]) -> list[Problem]:
    """What no single brief can tell about ``continues``: cycles, drafts, later predecessors.

    A missing predecessor is reported by :func:`cross_check` ('unknown brief'),
    with the others a brief names. A published brief cannot continue a draft
    (the story would start with a page that does not exist), nor a brief dated
    after it.
    """
    by_slug = {item.slug: item for item in briefs}
    predecessor = {
        item.slug: item.brief.continues
        for item in briefs
        if item.brief.continues and item.brief.continues in by_slug
    }
    problems = []
    for item in briefs:
        earlier = predecessor.get(item.slug)
        if earlier is None:
            continue
        before = by_slug[earlier].brief
        message = hint = None
        if thread_root(item.slug, predecessor) is None:
            cycle = _cycle_from(item.slug, predecessor)
            if not cycle:
                continue  # leads into a cycle: its members are reported
            message = "'continues' makes a cycle: " + " → ".join(cycle)
            hint = "the first brief of a story continues nothing; remove 'continues' there"
        elif before.draft and not item.brief.draft:
            message = f"continues '{earlier}', which is a draft"
            hint = f"publish '{earlier}' first, or remove 'continues'"
        elif before.date > item.brief.date:
            message = f"continues '{earlier}', which is dated later ({before.date.isoformat()})"
            hint = "a brief continues an earlier one; check both dates"
        if message:
            problems.append(
                Problem(
                    item.path,
                    message,
                    item.doc.position(("continues",)),
                    key_path=("continues",),
                    hint=hint,
                )
            )
    return problems


def link_problems(
    docs: Sequence[Document], briefs: Sequence[ValidBrief], today: dt.date
) -> list[Problem]:
    """Warn when a brief to be published links a draft, or a brief embargoed past its own date.

    The build drops such a link without a word (a related briefing goes missing, an
    answered question shows as open), so the author hears of it at check time. A
    draft's links are left alone: it is not published either. Every brief file is
    looked at, valid or not, so that this too is reported in the same run as its
    other problems. ``continues`` is checked by :func:`thread_problems`.
    """
    held = {item.slug: item.brief for item in briefs if item.brief.draft or item.brief.date > today}
    problems: list[Problem] = []
    for doc in docs if held else ():
        draft, written = _publication(doc)
        if draft:
            continue
        for path, slug in _references(doc)[1]:
            target = held.get(slug)
            if target is None or slug == doc.slug:
                continue
            problem = _held_link(doc, path, slug, target, written, today)
            if problem:
                problems.append(problem)
    return problems


def _held_link(
    doc: Document, path: KeyPath, slug: str, target: Brief, written: str | None, today: dt.date
) -> Problem | None:
    """The warning for one link to a held-back brief, or None when both appear together."""
    if path[0] != "related" and path[-1] != "answered_by":
        return None
    drops = "drops this link" if path[0] == "related" else "shows this question as open"
    if target.draft:
        message = f"'{slug}' is a draft: the published site {drops} until it is published"
        hint = f"publish '{slug}' (remove its 'draft: true'), or remove the link"
    elif target.date > today and (written is None or written < target.date.isoformat()):
        message = (
            f"'{slug}' is embargoed until {target.date.isoformat()}: the published site "
            f"{drops} until then"
        )
        hint = f"the link comes back by itself once '{slug}' is published"
    else:
        return None
    return Problem(
        doc.path,
        message,
        doc.position(path),
        key_path=path,
        hint=hint,
        severity=Severity.WARNING,
    )


def _thread_claims(docs: Sequence[Document], scheme: OutputScheme) -> Iterator[_Claim]:
    """The first brief of each story names the thread's page and feeds."""
    predecessor = {
        doc.slug: ref for doc in docs for path, ref in _references(doc)[1] if path == ("continues",)
    }
    slugs = {doc.slug: doc for doc in docs}
    roots = {thread_root(slug, predecessor) for slug in predecessor}
    for root in sorted(r for r in roots if r in slugs and _SLUG_RE.match(r)):
        if root in RESERVED_SLUGS:
            continue  # see slug_problems
        yield _Claim(
            f"story thread '{root}'",
            ("thread", root),
            scheme.thread_outputs(root),
            slugs[root],
            hint="rename the first brief of the story",
        )


def _cycle_from(slug: str, predecessor: Mapping[str, str]) -> list[str]:
    """The briefs from ``slug`` back round to it ('a', 'b', 'a'); empty if it is not on a cycle."""
    path = [slug]
    while path[-1] in predecessor:
        following = predecessor[path[-1]]
        if following == slug:
            return [*path, slug]
        if following in path:
            return []
        path.append(following)
    return []


# --- Shared events ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _EventAt:
    """One event of one brief, for comparing events across briefs."""

    item: ValidBrief
    number: int
    event: Event
    order: tuple[dt.date, str]
    """Older briefs first: the first brief to hold an event gives the id to reuse.
    Worked out once per brief: a large archive compares each event with dozens of others."""


def _within_a_day(one: PartialDate, other: PartialDate) -> bool:
    """Dates known to the day at most a day apart, or month-only dates of one month.

    A month-only date is not compared with a day: "in September" would match
    every event of the month, and most of them are other events.
    """
    if one.day is None or other.day is None:
        return one == other
    first = dt.date(one.year, one.month, one.day)
    second = dt.date(other.year, other.month, other.day)
    return abs((first - second).days) <= 1


def _event_places(event: Event) -> dict[str, str]:
    """Where an event happened: comparable keys, each with how the brief names it."""
    found = {f"place:{event.place.casefold()}": event.place} if event.place else {}
    found.update({f"id:{place_id}": place_id for place_id in event.places})
    return found


def _shared_terms(one: Event, other: Event, actors: Mapping[str, Actor]) -> list[str]:
    """What two events share that suggests they are one: actors, then places, by name."""
    shared = [
        actors[a].name if a in actors else a for a in dict.fromkeys(one.actors) if a in other.actors
    ]
    named = {name.casefold() for name in shared}
    places = _event_places(other)
    common = sorted(set(_event_places(one)) & set(places))
    return shared + [places[key] for key in common if places[key].casefold() not in named]


_DayKey = tuple[int, int, int | None]


def _day_key(date: PartialDate) -> _DayKey:
    return (date.year, date.month, date.day)


def _near_keys(key: _DayKey) -> list[_DayKey]:
    """The dates an event on ``key`` can match (:func:`_within_a_day`): it and both neighbours.

    A month-only date matches only the same month-only date. Filing events by
    day rather than by month keeps the comparisons per event from growing with
    the archive: a month of 10,000 briefs holds thousands of events.
    """
    year, month, day_of_month = key
    if day_of_month is None:
        return [key]
    day = dt.date(year, month, day_of_month)
    return [(d.year, d.month, d.day) for d in (day - _ONE_DAY, day, day + _ONE_DAY)]


_ONE_DAY = dt.timedelta(days=1)


def shared_event_problems(
    briefs: Sequence[ValidBrief], actors: Mapping[str, Actor]
) -> list[Problem]:
    """Warn when an event looks like one another brief holds under another id.

    Two events look alike when their dates are within a day of each other and
    they share an actor or a place; month-only dates of one month must share two,
    as a month holds many events. The
    brief published later is told the id the earlier one gave, so that the
    merged timeline lists the event once; among equally close matches, the
    oldest brief's. A pair is not reported when either
    brief already holds the other's id (its author knew of that event and
    described another), or when one names the other in ``not_same_as``.
    """
    return _problems(briefs, _event_warnings(briefs, actors, lambda at: True, {}))


def _event_warnings(
    briefs: Sequence[ValidBrief],
    actors: Mapping[str, Actor],
    recheck: Callable[[_EventAt], bool],
    kept: Mapping[str, bytes],
) -> dict[str, bytes]:
    """:func:`shared_event_problems` of the events ``recheck`` names; ``kept`` for the others.

    A brief none of whose events is compared again keeps its suggestions as they were packed.
    """
    by_day: dict[_DayKey, list[_EventAt]] = defaultdict(list)
    ids_of: dict[str, set[str]] = {}
    ordered = sorted(briefs, key=lambda b: (b.brief.date, b.slug))
    events = []
    for item in ordered:  # so each day's list is oldest first
        ids_of[item.slug] = {e.id for e in item.brief.events if e.id}
        order = (item.brief.date, item.slug)  # one for all its events: 100,000 at 10,000 briefs
        for number, event in enumerate(item.brief.events):
            at = _EventAt(item, number, event, order)
            by_day[_day_key(event.date)].append(at)
            events.append(at)
    days = {key: _Day(found) for key, found in by_day.items()}
    again = [recheck(this) for this in events]
    touched = {str(this.item.path) for this, yes in zip(events, again, strict=True) if yes}
    old: dict[str, dict[int, Said]] = {}
    found: dict[str, dict[int, Said]] = defaultdict(dict)
    for this, yes in zip(events, again, strict=True):
        name = str(this.item.path)
        if name not in touched:
            continue
        if not yes:
            if name not in old:
                old[name] = _unpack_said(kept.get(name))
            if (said := old[name].get(this.number)) is not None:
                found[name][this.number] = said
        elif match := _earlier_match(this, days, ids_of, actors):
            found[name][this.number] = _said(_shared_event_problem(this, *match))
    packed = {name: _pack_said(said) for name, said in found.items()}
    for name in {str(this.item.path) for this in events} - touched:
        if name in kept:
            packed[name] = kept[name]
    return packed


class _Day:
    """The events of one day, oldest brief first, filed by the actors and places they name.

    Two events can look alike only if they share an actor or a place
    (:func:`_shared_terms`): an event meets only those of the day that do.
    At 10,000 briefs a day holds dozens of events, and comparing each with
    each took twenty seconds.
    """

    __slots__ = ("by_term", "events", "orders")

    def __init__(self, events: list[_EventAt]) -> None:
        self.events = events
        self.orders = [at.order for at in events]
        self.by_term: dict[tuple[str, str], list[int]] = defaultdict(list)
        for number, at in enumerate(events):
            for term in _terms(at.event):
                self.by_term[term].append(number)

    def before(self, order: tuple[dt.date, str], terms: Set[tuple[str, str]]) -> list[_EventAt]:
        """The day's events sharing one of ``terms`` (:func:`_terms`), in the day's order.

        Only those of briefs older than ``order``: only they can give an id to reuse.
        """
        end = bisect.bisect_left(self.orders, order)
        found = {n for term in terms for n in self.by_term.get(term, ()) if n < end}
        return [self.events[n] for n in sorted(found)]


def _terms(event: Event) -> set[tuple[str, str]]:
    """The actors and places of an event, as :func:`_shared_terms` compares them."""
    return {("actor", a) for a in event.actors} | {("place", k) for k in _event_places(event)}


def _earlier_match(
    this: _EventAt,
    days: Mapping[_DayKey, _Day],
    ids_of: Mapping[str, set[str]],
    actors: Mapping[str, Actor],
) -> tuple[_EventAt, list[str]] | None:
    """The event of an earlier brief that ``this`` most looks like, with what they share."""
    best: tuple[int, _EventAt, list[str]] | None = None
    terms = _terms(this.event)
    for key in _near_keys(_day_key(this.event.date)):
        day = days.get(key)
        for other in day.before(this.order, terms) if day else ():
            if other.item.slug == this.item.slug:
                continue
            if this.event.id and this.event.id == other.event.id:
                continue
            if other.event.id in ids_of[this.item.slug] or this.event.id in ids_of[other.item.slug]:
                continue
            if not _within_a_day(this.event.date, other.event.date):
                continue
            if other.event.id in this.event.not_same_as or this.event.id in other.event.not_same_as:
                continue
            shared = _shared_terms(this.event, other.event, actors)
            needed = 1 if this.event.date.day else 2  # a whole month is weaker evidence
            if len(shared) >= needed and (best is None or len(shared) > best[0]):
                best = (len(shared), other, shared)
    return (best[1], best[2]) if best else None


def _shared_event_problem(this: _EventAt, other: _EventAt, shared: list[str]) -> Problem:
    path = ("events", this.number, "id") if this.event.id else ("events", this.number)
    named = f"event '{other.event.id}'" if other.event.id else f"events[{other.number + 1}]"
    what = f"{other.event.date.human()}, {_and_list(shared)}"
    if other.event.id:
        hint = (
            f"if it is the same event, give it the id '{other.event.id}' so that the timeline "
            f"lists it once; if not, add '{other.event.id}' to its 'not_same_as'"
        )
    else:
        hint = (
            f"if it is the same event, give both the same id (in {display_path(other.item.path)} "
            "too) so that the timeline lists it once"
        )
    return Problem(
        this.item.path,
        f"this event looks like {named} of brief '{other.item.slug}' ({what})",
        this.item.doc.position(path),
        key_path=path,
        hint=hint,
        severity=Severity.WARNING,
    )


def _and_list(names: Sequence[str], limit: int = 3) -> str:
    """'Poland, NATO and 2 more': at most ``limit`` names."""
    shown = list(names[:limit])
    if len(names) > limit:
        return ", ".join(shown) + f" and {len(names) - limit} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


# --- Questions other briefs answer ------------------------------------------------------

_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        """a about after against all an and any are as at be been before by can could did do
        does for from has have how in into is it its new not of on or over than that the their
        them then there these they this to under up was were what when where which who whom why
        will with would""",
    )
)
"""Words that say nothing about what a question asks."""


def _folded(text: str) -> frozenset[str]:
    """Content words, folded and roughly singular: 'Drones' and 'drone' are one word.

    Each word is one string however many sets hold it: the suggestions keep the
    words of every brief, and at 1,000 briefs their 26,000 words were 1.3 MB of
    copies. A question's words are taken once, so they are not cached (:func:`_words`).
    """
    words = set()
    for word in re.findall(r"[^\W_]+", text.casefold().replace("'s", "")):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in _STOPWORDS:
            words.add(sys.intern(word))
    return frozenset(words)


_words = lru_cache(maxsize=1 << 17)(_folded)
"""The words of the texts compared again and again: actors' names above all.

An actor's name is compared with every question that might be about it. The
suggestions word each brief's title and ids afresh (:func:`_folded`): each is
read once a check, and kept here they took 20 MB at 10,000 briefs.
"""


def forget_words() -> None:
    """Drop the words :func:`_words` keeps, once the suggestions are made.

    Nothing reads them again in the run; the suggestions keep the words they
    need as tuples (:class:`_Traits`).
    """
    _words.cache_clear()
    _named.cache_clear()


@dataclass(frozen=True)
class _Answer:
    """Why a brief looks like the answer to a question."""

    slug: str
    score: int
    reason: str


MAX_DISTINCTIVE = 50
"""A title word in more briefs than this tells none apart, as in the related scores;
it also bounds the briefs each question is compared with."""


def _distinctive(briefs: Sequence[ValidBrief]) -> Callable[[str], bool]:
    """Title words that tell briefs apart: those in at most a third of the titles (and 50)."""
    counts = Counter(chain.from_iterable(map(_title_words, briefs)))
    limit = _distinctive_limit(len(briefs))
    return lambda word: counts[word] <= limit


def _title_words(
    item: ValidBrief, words: Callable[[str], frozenset[str]] = _words
) -> frozenset[str]:
    """The words of a brief's title and slug, distinctive or not (by ``words``: kept or not)."""
    return words(f"{item.brief.title} {item.slug.replace('-', ' ')}")


def _distinctive_limit(briefs: int) -> int:
    """In how many of ``briefs`` titles a word may be and still be distinctive."""
    return min(max(1, briefs // 3), MAX_DISTINCTIVE)


@dataclass(frozen=True, slots=True)
class _Profile:
    """What a brief offers a question, worked out once per brief rather than per question.

    Held for every brief at once while the questions are compared, the peak of a
    cold check: so tuples of words, not sets (at 10,000 briefs the sets took 30 MB),
    and the actors' tuples shared by the briefs naming them (:func:`_named`).
    """

    item: ValidBrief
    title: tuple[str, ...]
    """Its distinctive title words, sorted."""
    ids: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(kind, id, words) of each proposal and event id of two words or more."""
    actors: tuple[tuple[str, str, frozenset[str]], ...] = ()
    """(id, name, words of the name) of each actor the brief names that the registry holds."""

    @classmethod
    def of(
        cls, item: ValidBrief, distinctive: Callable[[str], bool], actors: Mapping[str, Actor]
    ) -> _Profile:
        """The profile of one brief.

        Its title and ids are worded afresh, not kept by :func:`_words`: each is
        read once here, and the sets kept for them took 15 MB at 10,000 briefs.
        """
        title = _title_words(item, _folded)
        return cls(
            item,
            tuple(sorted(w for w in title if distinctive(w))),
            tuple((k, i, tuple(sorted(ws))) for k, i, ws in _worded_ids(item.brief, _folded)),
            tuple(_named(a, actors[a].name) for a in item.brief.actors if a in actors),
        )

    def names(self, actors: Set[str]) -> bool:
        """Whether the brief names one of ``actors`` (ids) that the registry holds."""
        return any(a in actors for a, _, _ in self.actors)


@cache
def _named(actor_id: str, name: str) -> tuple[str, str, frozenset[str]]:
    """(id, name, words of the name) of an actor: one tuple for all the briefs naming it."""
    return actor_id, name, _words(name)


def _answer_by(
    named: Set[str],
    words: frozenset[str],
    dismissed: Set[str],
    other: _Profile,
) -> _Answer | None:
    """How well ``other`` matches a question: its proposals, events, actors, title.

    A proposal or event counts when the question names every word of its id and
    it is not ``dismissed`` (held by the asking brief, or by a brief the author
    says does not answer the question); actors count when the question
    names them and the asking brief (which names ``named``) does not; title words
    count when they are distinctive. Two of these make a match, one of them a
    title word: actors alone are named by too many briefs.
    """
    slug = other.item.slug
    shared = [word for word in other.title if word in words]  # sorted, as the title is
    for kind, item_id, id_words in other.ids:
        if item_id not in dismissed and words.issuperset(id_words):
            # the brief most about it wins: the one whose title the question echoes
            return _Answer(slug, 10 + len(shared), f"its {kind} '{item_id}'")
    if not shared:
        return None
    about = [name for a, name, said in other.actors if a not in named and said <= words]
    if len(shared) + len(about) < 2:
        return None
    reasons = [f"its title shares {_and_list([repr(w) for w in shared])}"]
    reasons += [f"it is about {_and_list(about)}"] if about else []
    return _Answer(slug, len(shared) + len(about), "; ".join(reasons))


_Pair = tuple[str, str]


def _pairs(words: Iterable[str]) -> Iterator[_Pair]:
    """Every pair of distinct words, each in sorted order."""
    return combinations(sorted(words), 2)


def _ids(brief: Brief) -> list[tuple[str, str]]:
    """(kind, id) of each proposal and of each event that has an id."""
    ids = [("proposal", p.id) for p in brief.proposals]
    return ids + [("event", e.id) for e in brief.events if e.id]


def _worded_ids(
    brief: Brief, worded: Callable[[str], frozenset[str]] = _words
) -> Iterator[tuple[str, str, frozenset[str]]]:
    """(kind, id, words) of each of :func:`_ids` of two words or more (by ``worded``).

    A question names all of an id's words to point to its brief; one word alone says too little.
    """
    for kind, item_id in _ids(brief):
        words = worded(item_id.replace("-", " "))
        if len(words) >= 2:
            yield kind, item_id, words


def _id_spread(briefs: Iterable[ValidBrief]) -> Counter[_Pair]:
    """In how many briefs' ids of two words or more each pair of words is."""
    return _spread([ws for _, _, ws in _worded_ids(item.brief)] for item in briefs)


def _spread_of(traits: Iterable[_Traits]) -> Counter[_Pair]:
    """:func:`_id_spread`, counted from the briefs' traits (which hold their ids' words)."""
    return _spread(kept.ids for kept in traits)


def _spread(ids: Iterable[Iterable[Iterable[str]]]) -> Counter[_Pair]:
    """In how many briefs each pair of words is, given the words of each brief's ids."""
    spread: Counter[_Pair] = Counter()
    for words in ids:
        spread.update(set().union(*(_pairs(ws) for ws in words)))
    return spread


class _Candidates:
    """The briefs a question can point to, so each question meets only those.

    :func:`_answer_by` needs a distinctive title word the question shares, or a
    proposal or event id all of whose words the question names. Title words are
    filed one by one (a distinctive word is in few titles); an id, which has two
    words or more, is filed under its rarest pair of words, all of which the
    question must name. Filing ids under single words instead made each
    question meet hundreds of briefs in a large archive, and comparing every
    question with every brief made a check of 1,000 briefs take minutes.
    """

    def __init__(
        self,
        profiles: Iterable[_Profile],
        spread: Counter[_Pair],
        within: Set[str] | None = None,
    ) -> None:
        """File ``profiles``; with ``within``, only those a question of those words may meet.

        ``spread`` counts the briefs whose ids hold each pair of words
        (:func:`_id_spread`). A brief is met only by a question sharing a
        distinctive title word with it, or naming the rarest pair of words of one
        of its ids (see :meth:`of`). A check after one edit compares a few
        questions again: filing all 10,000 briefs for them held every brief's
        profile at once; now the others' are let go of as soon as they are made.
        """
        self.by_slug: dict[str, _Profile] = {}
        self.by_word: dict[str, list[str]] = defaultdict(list)
        self.by_pair: dict[_Pair, list[_Profile]] = defaultdict(list)
        for profile in profiles:
            rarest = {
                min(_pairs(ws), key=lambda pair: (spread[pair], pair)) for _, _, ws in profile.ids
            }
            if within is not None and within.isdisjoint(profile.title):
                rarest = {pair for pair in rarest if within.issuperset(pair)}
                if not rarest:
                    continue
            self.by_slug[profile.item.slug] = profile
            for word in profile.title:
                self.by_word[word].append(profile.item.slug)
            for pair in rarest:
                self.by_pair[pair].append(profile)

    def of(self, words: frozenset[str], asked: Set[str]) -> dict[str, _Profile]:
        """The briefs a question of ``words`` may be answered by, by slug.

        A brief that shares one title word with the question and holds no id it
        names can only match by being about an actor the question names and its
        brief does not (``asked``): the others are left out unseen. At 10,000
        briefs most candidates were those, and checking each took half a minute.
        """
        shared = Counter(chain.from_iterable(self.by_word.get(word, ()) for word in words))
        by_slug = self.by_slug
        kept = {
            slug: by_slug[slug]
            for slug, count in shared.items()
            if count > 1 or (asked and by_slug[slug].names(asked))
        }
        for pair in _pairs(words):
            for c in self.by_pair.get(pair, ()):
                kept[c.item.slug] = c
        return kept


class _Asked:
    """The actors a question names in full (every word of the name), found by word."""

    def __init__(self, actors: Mapping[str, Actor]) -> None:
        self.by_word: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        self.always: set[str] = set()
        for actor_id, actor in actors.items():
            said = _words(actor.name)
            for word in said:
                self.by_word[word].append((actor_id, said))
            if not said:  # a name of stop words only: every question names it
                self.always.add(actor_id)

    def of(self, words: frozenset[str]) -> set[str]:
        """The ids of the actors whose names ``words`` hold."""
        found = set(self.always)
        for word in words:
            found.update(a for a, said in self.by_word.get(word, ()) if said <= words)
        return found


def _item_ids(brief: Brief) -> set[str]:
    """The ids of a brief's proposals and events."""
    return {item_id for _, item_id in _ids(brief)}


def question_problems(briefs: Sequence[ValidBrief], actors: Mapping[str, Actor]) -> list[Problem]:
    """Warn when another brief looks like the answer to a question still marked open.

    The open-questions page is only true if every question the site answers
    links its answer; the author decides: ``answered_by`` links it, and
    ``not_answered_by`` says a brief that looks like the answer is not.
    """
    return _problems(briefs, _question_warnings(briefs, actors, lambda *_: True, {}))


def _question_warnings(
    briefs: Sequence[ValidBrief],
    actors: Mapping[str, Actor],
    recheck: Callable[[ValidBrief, frozenset[str]], bool],
    kept: Mapping[str, bytes],
    distinctive: Callable[[str], bool] | None = None,
    traits: Mapping[str, _Traits] | None = None,
) -> dict[str, bytes]:
    """:func:`question_problems` of the questions ``recheck`` names; ``kept`` for the others.

    ``recheck`` is given the asking brief and the question's words (:func:`_words`).
    ``distinctive`` tells the distinctive title words, when the caller counted them;
    ``traits`` every brief's :class:`_Traits` by file, when the caller keeps them:
    the spread of id words is then counted from them, and a brief none of the
    questions asked again can meet is not profiled (at 10,000 briefs, a publish
    profiled all of them for a second).
    """
    distinctive = distinctive or _distinctive(briefs)
    by_slug = {item.slug: item for item in briefs}
    again, asked_words = _asked_again(briefs, recheck)
    spread = _id_spread(briefs) if traits is None else _spread_of(traits.values())
    chosen: Iterable[ValidBrief] = briefs
    if traits is not None and asked_words is not None:
        within = asked_words
        chosen = [item for item in briefs if traits[str(item.path)].may_meet(within, distinctive)]
    profiles = (_Profile.of(item, distinctive, actors) for item in chosen)
    candidates_of = _Candidates(profiles, spread, asked_words).of
    asked_of = _Asked(actors).of
    found: dict[str, bytes] = {}
    for at, item in enumerate(briefs):
        name = str(item.path)
        asked = [(n, q) for n, q in enumerate(item.brief.questions) if not q.answered_by]
        if again is not None and all((at, number) not in again for number, _ in asked):
            if asked and name in kept:
                found[name] = kept[name]
            continue
        old = _unpack_said(kept.get(name)) if again is not None else {}
        said_here: dict[int, Said] = {}
        for number, question in asked:
            if again is not None and (at, number) not in again:
                if (said := old.get(number)) is not None:
                    said_here[number] = said
                continue
            words = _folded(question.question)
            named = set(item.brief.actor_ids())
            dismissed = _item_ids(item.brief)
            for slug in question.not_answered_by:
                dismissed |= _item_ids(by_slug[slug].brief) if slug in by_slug else set()
            candidates = candidates_of(words, asked_of(words) - named)
            answers = [
                answer
                for other in candidates.values()
                if other.item.slug not in (item.slug, *question.not_answered_by)
                and (answer := _answer_by(named, words, dismissed, other))
            ]
            if answers:
                best = min(answers, key=lambda a: (-a.score, a.slug))
                path = ("questions", number, "question")
                said_here[number] = _said(
                    Problem(
                        item.path,
                        f"brief '{best.slug}' may answer this question ({best.reason})",
                        item.doc.position(path),
                        key_path=path,
                        hint=(
                            f"if it does, add 'answered_by: {best.slug}' to the question; "
                            f"if not, add '{best.slug}' to its 'not_answered_by'"
                        ),
                        severity=Severity.WARNING,
                    )
                )
        if said_here:
            found[name] = _pack_said(said_here)
    return found


def _asked_again(
    briefs: Sequence[ValidBrief], recheck: Callable[[ValidBrief, frozenset[str]], bool]
) -> tuple[set[tuple[int, int]] | None, set[str] | None]:
    """The open questions ``recheck`` names, by brief and place, and all their words.

    None for both when it names every open question: every brief is then a candidate.
    """
    again: set[tuple[int, int]] = set()
    words: set[str] = set()
    asked = 0
    for at, item in enumerate(briefs):
        for number, question in enumerate(item.brief.questions):
            if question.answered_by:
                continue
            asked += 1
            said = _folded(question.question)
            if recheck(item, said):
                again.add((at, number))
                words |= said
    return (None, None) if len(again) == asked else (again, words)


# --- Suggestions, checked again only where a change can alter them ---------------------

Said = tuple[str, int | None, int | None, KeyPath, str | None]
"""A suggestion as kept between checks: message, line, column, key path and hint."""


def _said(problem: Problem) -> Said:
    return (problem.message, problem.line, problem.column, problem.key_path, problem.hint)


def _pack_said(said: Mapping[int, Said]) -> bytes:
    """One file's suggestions, by the place of the event or question, pickled and compressed.

    Kept as their tuples, the 32,000 suggestions of 10,000 briefs took 30 MB
    while the rest were compared; read back in a publish, 15 MB more than packed.
    """
    return zlib.compress(pickle.dumps(dict(said), pickle.HIGHEST_PROTOCOL))


def _unpack_said(packed: bytes | None) -> dict[int, Said]:
    """What :func:`_pack_said` packed; nothing for None."""
    return pickle.loads(zlib.decompress(packed)) if packed else {}  # type: ignore[no-any-return]


def _problems(briefs: Sequence[ValidBrief], said: Mapping[str, bytes]) -> list[Problem]:
    """The warnings ``said`` of each brief, as problems of its file."""
    problems = []
    for item in briefs:
        for message, line, column, path, hint in _unpack_said(said.get(str(item.path))).values():
            at = Position(line, column) if line is not None and column is not None else None
            problems.append(Problem(item.path, message, at, path, hint, Severity.WARNING))
    return problems


@fast_state
@dataclass(frozen=True, slots=True)
class _Traits:
    """What of a brief decides whose suggestions a change to it can alter.

    Kept for every brief between checks, so kept small: tuples of shared
    words rather than sets, and days as numbers (:func:`_day_number`). As sets,
    the traits of 10,000 briefs took about 25 MB (traced) of every check.
    """

    days: tuple[int, ...]
    """The days of its events (:func:`_day_number`)."""
    title: tuple[str, ...]
    """Every word of its title and slug, distinctive or not."""
    ids: tuple[tuple[str, ...], ...]
    """The words of each proposal and event id of two words or more."""

    @classmethod
    def of(cls, item: ValidBrief) -> _Traits:
        """The traits of one brief, its words worked out afresh.

        Not through :func:`_words`: the sets it keeps for the titles and ids of
        10,000 briefs took 20 MB while the events were compared, the peak of a
        cold check. The questions, compared last, keep them.
        """
        brief = item.brief
        return cls(
            tuple(sorted({_day_number(_day_key(e.date)) for e in brief.events})),
            tuple(sorted(_title_words(item, _folded))),
            tuple(dict.fromkeys(tuple(sorted(ws)) for _, _, ws in _worded_ids(brief, _folded))),
        )

    def may_meet(self, words: Set[str], distinctive: Callable[[str], bool]) -> bool:
        """Whether :class:`_Candidates` may file the brief for questions of ``words``.

        It files a brief for them when they hold one of its distinctive title
        words, or the rarest pair of words of one of its ids: which needs two
        of that id's words.
        """
        return any(w in words and distinctive(w) for w in self.title) or any(
            sum(w in words for w in ws) >= 2 for ws in self.ids
        )


def _day_number(key: _DayKey) -> int:
    """A day as one number (0 for the day of a month-only date), for :class:`_Traits`."""
    year, month, day = key
    return (year * 16 + month) * 32 + (day or 0)


def _day_of_number(number: int) -> _DayKey:
    """The day :func:`_day_number` made ``number`` of."""
    year_month, day = divmod(number, 32)
    year, month = divmod(year_month, 16)
    return (year, month, day or None)


@dataclass
class Suggestions:
    """The suggestions of one check by file and item, kept for the next check.

    With them, the next check compares again only the events and questions
    that the briefs changed since can alter (:func:`suggestions`).
    Comparing every event and open question with the other briefs' took half a
    minute at 10,000 briefs, in every publish, which changes one brief.
    """

    versions: dict[str, bytes]
    """The version (a digest of its bytes) of each brief the suggestions were made from."""
    registry: bytes | None
    """The version of the registries, whose names the suggestions quote."""
    traits: dict[str, _Traits]
    events: dict[str, bytes]
    """By file, by the event's place in its list, packed (:func:`_pack_said`)."""
    questions: dict[str, bytes]
    """By file, by the question's place in its list, packed (:func:`_pack_said`)."""


@dataclass(frozen=True)
class _Reach:
    """The events and questions that changed briefs can alter, told apart from the rest."""

    changed: Set[str]
    """The files of the briefs that changed, or are new: all of theirs are checked again."""
    days: Set[_DayKey]
    """Days within a day of a changed brief's event: only its events can match them."""
    words: Set[str]
    """The title words of changed briefs that are distinctive, or were before the change."""
    ids: Sequence[frozenset[str]]
    """The words of the changed briefs' ids: a question naming all of one may point to it.

    They also cover a changed brief that a question names in ``not_answered_by``:
    its ids count there only when the question names all their words.
    """

    @classmethod
    def of(
        cls,
        changed: Set[str],
        was: Sequence[_Traits],
        now: Sequence[_Traits],
        titles: Counter[str],
        limit: int,
    ) -> _Reach:
        """The reach of the changed briefs as they ``were`` and are ``now``.

        ``titles`` counts the titles holding each word now. A word too common to
        be distinctive both before and after the change makes no brief a
        candidate answer, so a question holding it need not be compared again.
        """
        touched = [*was, *now]
        before = titles.copy()
        before.subtract(chain.from_iterable(t.title for t in now))
        before.update(chain.from_iterable(t.title for t in was))
        return cls(
            changed,
            {near for t in touched for day in t.days for near in _near_keys(_day_of_number(day))},
            {
                word
                for t in touched
                for word in t.title
                if titles[word] <= limit or before[word] <= limit
            },
            [frozenset(words) for t in touched for words in t.ids],
        )

    def event(self, at: _EventAt) -> bool:
        """Whether the event ``at`` is to be compared again."""
        return str(at.item.path) in self.changed or _day_key(at.event.date) in self.days

    def question(self, item: ValidBrief, words: frozenset[str]) -> bool:
        """Whether a question of ``item``, of ``words``, is to be compared again."""
        return (
            str(item.path) in self.changed
            or not words.isdisjoint(self.words)
            or any(i <= words for i in self.ids)
        )


def suggestions(
    briefs: Sequence[ValidBrief],
    actors: Mapping[str, Actor],
    versions: Mapping[str, bytes],
    registry: bytes | None,
    before: Suggestions | None = None,
) -> Suggestions:
    """The suggestions of ``briefs``, comparing again only those changes since ``before`` alter.

    These are :func:`shared_event_problems` and :func:`question_problems`, packed:
    :func:`suggestion_warnings` makes them problems.
    ``versions`` tells each brief's version by file; a brief whose version
    differs from the one ``before`` holds changed. Each changed brief counts in
    its old and its new version, a removed brief in its old one. An event is
    compared again when a changed brief has one within a day of it; a question,
    when it shares a distinctive word with a changed brief's title or names
    every word of one of its ids (see :class:`_Reach`). Other
    registries, or a count of briefs that moves the bar for a distinctive word,
    compare everything again.
    """
    if before is not None and (
        before.registry != registry
        or _distinctive_limit(len(before.versions)) != _distinctive_limit(len(briefs))
    ):
        before = None
    old = before.traits if before else {}
    old_versions = before.versions if before else {}
    names = [str(item.path) for item in briefs]
    changed = {name for name in names if old_versions.get(name) != versions[name]}
    traits = {
        name: _Traits.of(item) if name in changed else old[name]
        for name, item in zip(names, briefs, strict=True)
    }
    limit = _distinctive_limit(len(briefs))
    titles = Counter(chain.from_iterable(t.title for t in traits.values()))
    if before is None:
        reach = _Reach(changed, set(), set(), [])  # every brief is new
    elif not changed and old.keys() == traits.keys():
        return before
    else:
        was = [t for name, t in old.items() if name in changed or name not in traits]
        reach = _Reach.of(changed, was, [traits[name] for name in changed], titles, limit)
    events = _event_warnings(briefs, actors, reach.event, before.events if before else {})
    questions = _question_warnings(
        briefs,
        actors,
        reach.question,
        before.questions if before else {},
        lambda word: titles[word] <= limit,
        traits,
    )
    return Suggestions({n: versions[n] for n in names}, registry, traits, events, questions)


def suggestion_warnings(
    briefs: Sequence[ValidBrief], *tables: Mapping[str, bytes]
) -> list[Problem]:
    """The warnings of :attr:`Suggestions.events` and :attr:`Suggestions.questions`, in that order."""
    return [problem for table in tables for problem in _problems(briefs, table)]


# --- Places ---------------------------------------------------------------------------

PLACE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("events", "*", "places", "*"),
    ("quotes", "*", "place"),
)
"""Where a brief names places of ``briefings/places.yml``."""


def validate_places(doc: Document) -> tuple[Registry, list[Problem]]:
    """Check the place registry entry by entry, like the actor registry.

    One bad entry is reported and left out; the others still resolve.
    """
    return _validate_registry(doc, _PLACES, _PlacesRoot, "place", "warsaw")


def place_registry_problems(
    doc: Document, places: Mapping[str, Place], actors: Mapping[str, Actor]
) -> list[Problem]:
    """A place's country must be an actor of the actor registry."""
    problems = []
    rejected = actors.rejected if isinstance(actors, Registry) else frozenset()
    for place in places.values():
        if place.country is None or place.country in actors or place.country in rejected:
            continue
        path = (place.id, "country")
        problems.append(
            Problem(
                doc.path,
                f"unknown actor '{place.country}'",
                doc.position(path),
                key_path=path,
                hint=_actor_hint(place.country, actors),
            )
        )
    return problems


def _place_refs(doc: Document) -> Iterable[tuple[KeyPath, str]]:
    if doc.data is None and doc.place_references is not None:
        return doc.place_references  # type: ignore[no-any-return]
    return references(doc.data, PLACE_FIELDS)


def place_references(docs: Sequence[Document], places: Mapping[str, Place]) -> list[Problem]:
    """Every place a brief names must be in the place registry."""

    def hint(ref: str) -> str:
        return (
            did_you_mean(ref, sorted(places))
            or "add the place to briefings/places.yml, or fix the id"
        )

    return [
        problem
        for doc in docs
        for problem in _unknown_ids(doc, _place_refs(doc), places, "place", hint)
    ]


def _unknown_ids(
    doc: Document,
    refs: Iterable[tuple[KeyPath, str]],
    registry: Mapping[str, Any],
    noun: str,
    hint: Callable[[str], str],
) -> list[Problem]:
    """A problem for each id of ``refs`` that ``registry`` (actors, places) does not hold.

    An entry the registry's own check rejected counts as held, and a malformed
    id is the schema check's to report.
    """
    rejected = registry.rejected if isinstance(registry, Registry) else frozenset()
    return [
        Problem(
            doc.path, f"unknown {noun} '{ref}'", doc.position(path), key_path=path, hint=hint(ref)
        )
        for path, ref in refs
        if ref not in registry and ref not in rejected and _SLUG_RE.match(ref)
    ]
