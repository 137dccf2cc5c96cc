"""Strict YAML reading: plain data plus the position of every key and value.

PyYAML's ``safe_load`` is too forgiving for author input: it keeps the last of
two duplicate keys, turns ``NO`` into ``False`` and ``on:`` into ``True``, and
expands alias bombs. We build the data ourselves instead, so that:

- every scalar stays a string (the model decides what is a date or a number);
- duplicate keys, anchors, aliases, explicit tags and extra documents are errors;
- file size and nesting depth are capped before anything can blow up;
- every key and value keeps its line and column for error messages.

Two readers share that contract. The fast one lets libyaml compose the node
tree in C and walks it once, keeping no positions: almost every brief is valid,
and a valid brief needs none. Anything unusual (a possible anchor, a tag, a
duplicate key, a syntax error, deep nesting) sends the file to the exact one,
which follows the event stream and records every line and column. Positions
are also read that way, on demand, when a later check reports a problem.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import KeyPath, Position, Problem, Severity

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 1024
"""Largest brief accepted; a real brief is a few kilobytes."""

MAX_REGISTRY_BYTES = 8 * 1024 * 1024
"""Largest actor registry accepted: room for tens of thousands of actors."""

MAX_DEPTH = 12
"""Deepest nesting accepted; the brief schema itself is four levels deep."""

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
"""Plain scalars read as 'no value'; quoted ones stay text."""


_DISCARD = "\x00discarded"
"""Key under which the value of a rejected key (a duplicate, a complex key) is dropped."""


class StrictLoader(yaml.CSafeLoader):
    """The C parser under a SafeLoader: the exact reader uses only its event stream."""


_UNTAGGED = "?"
"""What :class:`_FastComposer` gives every untagged node: only explicit tags differ."""


class _FastComposer(yaml.CSafeLoader):
    """libyaml composes the node tree; nothing is resolved to a type, all is text."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _UNTAGGED


@dataclass
class Document:
    """One YAML file read strictly: its data and where each piece came from."""

    path: Path
    data: Any = None
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    forgotten: bool = False
    references: Any = None
    """What the cross-file checks need of ``data``, kept when the data itself is dropped."""
    place_references: Any = None
    """The places a brief names, kept like ``references``."""
    publication: tuple[bool, str | None] | None = None
    """Whether a brief is a draft, and its date as written, kept like ``references``."""
    asked: dict[tuple[KeyPath, bool], Position | None] | None = None
    """The positions a forgotten document was asked for, kept with it (see :meth:`position`)."""

    @functools.cached_property
    def slug(self) -> str:
        """The file's name without its extension: the brief's id, which many checks ask for."""
        return sys.intern(self.path.stem)

    def forget_positions(self) -> None:
        """Drop the position maps of a document that passed its checks.

        They are most of a loaded brief's memory (every node's line and column);
        :meth:`position` reads the file again in the rare case a later, cross-file
        check needs one.
        """
        self.values, self.keys = {}, {}
        self.forgotten = True

    def settle(self) -> None:
        """Drop what only the checks needed, once they are over and their cache is saved.

        Rendering reads a document's path alone. At 10,000 briefs, tracemalloc
        counted 9 MB of references and some 6 MB of positions asked for the
        warnings still alive once the index was built. A position asked later
        is found again, from the file.
        """
        self.forget_positions()
        self.references = self.place_references = self.publication = self.asked = None

    def position(self, path: KeyPath, *, key: bool = False) -> Position | None:
        """Best position for a key path: the node itself, else its nearest ancestor.

        A forgotten document reads its positions again but does not keep them:
        the cross-file checks of a large archive warn about most briefs, and
        every brief's positions at once would be most of the generator's memory.
        The last few are kept aside (:func:`recent_positions`) for the next warnings,
        and the answers themselves stay with the document: the check cache keeps it
        while its file is unchanged, so the next run's same warnings read no file.
        """
        if not self.forgotten:
            return self._find(path, self.values, self.keys, key=key)
        if self.asked is None:
            self.asked = {}
        if (path, key) not in self.asked:
            values, keys = recent_positions(self.path)
            self.asked[path, key] = self._find(path, values, keys, key=key)
        return self.asked[path, key]

    @staticmethod
    def _find(
        path: KeyPath,
        values: dict[KeyPath, Position],
        keys: dict[KeyPath, Position],
        *,
        key: bool,
    ) -> Position | None:
        table = keys if key else values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            found = table.get(prefix) or values.get(prefix)
            if found:
                return found
        return None


Positions = tuple[dict[KeyPath, Position], dict[KeyPath, Position]]
"""A document's value and key positions."""

RECENT_POSITIONS = 16
"""How many forgotten documents' positions stay at hand: the warnings about one brief
come together, so a few spare reading a file once per warning."""

_recent: dict[Path, Positions] = {}


def recent_positions(path: Path) -> Positions:
    """The positions of the file at ``path``, read again unless read lately.

    What was read lately is forgotten by :func:`forget_recent_positions`, which
    each check calls first, so an edited file is never given stale positions.
    """
    found = _recent.pop(path, None)
    if found is None:
        again = load_yaml(path, positions=True)
        found = again.values, again.keys
        while len(_recent) >= RECENT_POSITIONS:
            del _recent[next(iter(_recent))]
    _recent[path] = found  # the most recent last
    return found


def forget_recent_positions() -> None:
    """Forget the positions read again lately: the files may change before the next check."""
    _recent.clear()


_LINE_BREAK = re.compile(r"\r\n?|\n")
"""The line breaks an editor counts. libyaml also breaks lines at U+0085, U+2028
and U+2029, which editors show inside a line, so its own line numbers drift."""


class _Lines:
    r"""Turns a character offset into the line and column an editor shows.

    Lines end at ``\n``, ``\r\n`` or ``\r`` only. Columns count code points
    (Unicode characters) from 1, as Python, Emacs and Sublime Text do, and as the
    'at character N' of our messages does; VS Code counts a character beyond
    U+FFFF (an emoji) as two, so there a column after one on the same line reads
    one more. A tab counts as one column.
    """

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def position(self, index: int) -> Position:
        """The 1-based line and column of the character at ``index``."""
        line = bisect.bisect_right(self.starts, index)
        return Position(line, index - self.starts[line - 1] + 1)

    def at(self, mark: Any) -> Position:
        """Where a libyaml mark points; its ``index`` counts code points, like ours."""
        return self.position(mark.index)


def _decode(path: Path, raw: bytes) -> tuple[str | None, Problem | None]:
    """Decode strict UTF-8 (a BOM is allowed), naming where bad bytes sit."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Problem(
            path,
            "the file is UTF-16, not UTF-8",
            Position(1, 1),
            hint="save it as UTF-8 in your editor",
        )
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        return None, Problem(
            path,
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}",
            _Lines(before).position(len(before)),
            hint="save the file as UTF-8 in your editor",
        )
    return text, None


NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
"""Unicode noncharacters, as a regular-expression class body: U+FDD0 to U+FDEF and the
last two code points of every plane. XML (so the Atom feed) cannot hold them."""

_NONCHARACTER = re.compile(f"[{NONCHARACTERS}]")

_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{NONCHARACTERS}]")
"""Control characters (but tab, newline, carriage return), lone surrogates and
noncharacters: everything libyaml's reader refuses, and more."""


def _bad_character(path: Path, text: str) -> Problem | None:
    """Reject characters YAML would refuse anyway, with a position and a name.

    libyaml refuses some of them too, but names only a character offset, and
    not the file; anywhere in the file (a comment too), they are found here first.
    """
    found = _REFUSED.search(text)
    if not found:
        return None
    code = ord(found.group())
    where = _Lines(text[: found.start()]).position(found.start())
    if _NONCHARACTER.match(found.group()):
        return Problem(
            path,
            f"Unicode noncharacter U+{code:04X} is not allowed",
            where,
            hint="delete it; it is invisible, and feeds and web pages cannot carry it",
        )
    return Problem(
        path,
        f"control character U+{code:04X} is not allowed",
        where,
        hint="delete it; it is invisible and was probably pasted by accident",
    )


_SYNTAX_HINTS = {
    "mapping values are not allowed": "a value that contains ': ' must be put in quotes",
    "cannot start any token": "indent with spaces, not tabs",
    "found character '\\t'": "indent with spaces, not tabs",
    "could not find expected ':'": "each line of a mapping needs 'key: value'; check indentation",
    "did not find expected key": "check the indentation of this line and the one before it",
    "found undefined alias": "aliases (*name) are not allowed; repeat the value instead",
    "did not find expected '-' indicator": "list items must line up under each other",
    "invalid Unicode character escape": "a \\u escape must name a real character; delete it",
}


_QUOTED_THEN_MORE = re.compile(r"""(?:^|:|-)[ \t]+(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*$""")
"""A line that, up to where libyaml stopped, ends in a whole quoted value: the text
after the closing quote is what it could not read."""

_KEY_UNDER_ITEM = re.compile(r"^([ \t]*)([A-Za-z_][\w-]*)[ \t]*$")
"""The start of a line up to a key's colon: indentation and the key."""

_PLAIN_ITEM = re.compile(r"^([ \t]*)-[ \t]+[^\s\"'\[{#][^:#]*$")
"""A list item of plain text, like '  - A plain point', holding no key."""


def _line_at(text: str, index: int) -> tuple[str, str]:
    """The part of the line before ``index``, and the line before that one."""
    start = text.rfind("\n", 0, index) + 1
    previous = text[text.rfind("\n", 0, max(start - 1, 0)) + 1 : max(start - 1, 0)]
    return text[start:index], previous.rstrip("\r")


def _real_fix(exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """A hint naming the real fix, for two slips whose libyaml message points elsewhere.

    Text after a closing quote (``text: "a phrase" — Name``) reads as a key that
    was not found, which says nothing of the quote; a key under a plain list item
    (``- A point`` then ``sources: [a]``) reads as a value holding ': '.
    """
    mark = exc.problem_mark
    if mark is None:
        return None
    before, previous = _line_at(text, mark.index)
    expected = ("did not find expected key", "did not find expected '-' indicator")
    if exc.problem in expected and _QUOTED_THEN_MORE.search(before):
        return (
            "the text after the closing quote is not part of the value; "
            "put the whole value in quotes, or write it on the next line after '>-'"
        )
    if exc.problem and exc.problem.startswith("mapping values are not allowed"):
        key, item = _KEY_UNDER_ITEM.match(before), _PLAIN_ITEM.match(previous)
        if key and item and len(key.group(1)) > len(item.group(1)):
            name = key.group(2)
            return (
                f"an item with '{name}' is a mapping, not plain text: write '- text: …' "
                f"and put '{name}: […]' under it, lined up with 'text'"
            )
    return None


def _syntax_problem(path: Path, exc: yaml.MarkedYAMLError, lines: _Lines, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {exc.problem or exc.context}"
    hint = _real_fix(exc, text) or next((h for k, h in _SYNTAX_HINTS.items() if k in message), None)
    return Problem(path, message, lines.at(mark) if mark else None, hint=hint)


def _reader_problem(path: Path, exc: yaml.reader.ReaderError, text: str) -> Problem:
    """A character libyaml's reader refused that the pre-scan let through, located.

    The reader names only an offset in the UTF-8 bytes it was given (and a
    ``<unicode string>`` for a file name); the offset becomes a line and column here.
    """
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    index = len(text.encode("utf-8")[: exc.position].decode("utf-8", "ignore"))
    return Problem(
        path,
        f"character U+{code:04X} is not allowed: {exc.reason}",
        _Lines(text).position(index),
        hint="delete it; it was probably pasted by accident",
    )


_COMMENT_AFTER = re.compile(r"[ \t]+#[^\s#]")
"""After a plain value: a comment glued to a word, which was probably meant as text."""


class _Builder:
    """Turns parser events into plain data, recording positions and problems."""

    def __init__(self, doc: Document, max_depth: int, text: str) -> None:
        self.doc = doc
        self.text = text
        self.lines = _Lines(text)
        self.max_depth = max_depth
        self.stack: list[tuple[Any, KeyPath]] = []
        self.pending_key: list[str | None] = []
        self.documents = 0
        self.root: Any = None

    def problem(self, event: Any, message: str, hint: str | None = None) -> None:
        self.doc.problems.append(
            Problem(self.doc.path, message, self.lines.at(event.start_mark), hint=hint)
        )

    def child_path(self) -> KeyPath | None:
        """Where the next node goes; None while a mapping awaits its key."""
        if not self.stack:
            return ()
        container, path = self.stack[-1]
        if isinstance(container, list):
            return (*path, len(container))
        key = self.pending_key[-1]
        return None if key is None else (*path, key)

    def attach(self, value: Any, path: KeyPath) -> None:
        if not self.stack:
            self.root = value
            return
        container, _ = self.stack[-1]
        if isinstance(container, list):
            container.append(value)
            return
        if path[-1] != _DISCARD:
            container[path[-1]] = value
        self.pending_key[-1] = None

    def check_node(self, event: Any) -> None:
        if getattr(event, "anchor", None):
            self.problem(
                event,
                f"anchors (&{event.anchor}) are not allowed",
                "write the value out in full where it is needed",
            )
        if getattr(event, "tag", None):
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                event,
                f"explicit tags ({tag}) are not allowed",
                "remove the tag; write plain text, lists and mappings only",
            )
            raise _StopReading  # what a tag would build is unknowable: read no further

    def check_comment(self, event: Any) -> None:
        """Warn when ' #' ends a plain value early: 'Issue #5' reads as 'Issue'.

        A comment written on purpose has a space after its '#' ('# note'); a '#'
        glued to a word ('#5', '#NATO') is almost always part of the text.
        """
        end = event.end_mark.index
        if _COMMENT_AFTER.match(self.text, end):
            self.doc.problems.append(
                Problem(
                    self.doc.path,
                    f"the text after ' #' was read as a comment, so the value is '{event.value}'",
                    self.lines.position(end + 1),
                    hint="put the whole value in quotes if the '#' belongs to it",
                    severity=Severity.WARNING,
                )
            )

    def text_of(self, event: Any, path: KeyPath) -> str:
        r"""A scalar's text, with the noncharacters an escape (``"\uFFFF"``) put in it replaced.

        The first is reported here, where its line is known; the problem keeps
        the brief out of the site (an Atom feed cannot carry it). Each becomes
        U+FFFD, the replacement character, so the rest of the file is checked
        without a second error for the same mistake (a value left empty).
        """
        value: str = event.value
        found = _NONCHARACTER.search(value)
        if not found:
            return value
        self.doc.problems.append(
            Problem(
                self.doc.path,
                f"Unicode noncharacter U+{ord(found.group()):04X} at character "
                f"{found.start() + 1} is not allowed",
                self.lines.at(event.start_mark),
                key_path=path,
                hint="delete the escape that writes it; feeds and web pages cannot carry it",
            )
        )
        return _NONCHARACTER.sub("\ufffd", value)

    def key(self, event: Any) -> None:
        """A scalar in key position: check for duplicates, then wait for its value."""
        container, path = self.stack[-1]
        if not isinstance(event, yaml.ScalarEvent):
            self.problem(event, "keys must be plain text", "write 'name: value'")
            raise _StopReading
        self.check_node(event)
        name = self.text_of(event, (*path, event.value))
        here = self.lines.at(event.start_mark)
        if name in container:
            first = self.doc.keys[(*path, name)]
            self.problem(
                event,
                f"duplicate key '{name}' (first defined at line {first.line}, column {first.column})",
                "keep one of the two and delete the other",
            )
            self.pending_key[-1] = _DISCARD
            return
        self.doc.keys[(*path, name)] = here
        self.pending_key[-1] = name

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problem(
                    event,
                    "a brief holds one YAML document, but a second one starts here",
                    "remove the '---' line, or split the file in two",
                )
            return
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            value, path = self.stack.pop()
            self.pending_key.pop()
            self.attach(value, path)
            return
        path = self.child_path()
        if path is None:
            self.key(event)
            return
        if isinstance(event, yaml.AliasEvent):
            self.problem(
                event,
                f"aliases (*{event.anchor}) are not allowed",
                "write the value out in full where it is needed",
            )
            raise _StopReading  # an alias bomb must not be read any further

        self.check_node(event)
        self.doc.values[path] = self.lines.at(event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            plain = not event.style
            if plain and event.value:
                self.check_comment(event)
            value = self.text_of(event, path)
            self.attach(None if plain and value in NULLS else value, path)
            return
        if len(self.stack) >= self.max_depth:
            self.problem(
                event,
                f"nesting deeper than {self.max_depth} levels",
                "a brief never needs this much nesting; check the indentation",
            )
            raise _StopReading
        container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append((container, path))
        self.pending_key.append(None)


class _StopReading(Exception):
    """Stops reading a file whose structure cannot be followed further."""


class _NotPlain(Exception):
    """The fast reader met something only the exact reader reports well."""


_MAYBE_TAG = re.compile(r"(?:^|[\s\[{,])!")
"""A '!' where a tag could start: libyaml would resolve a bare '!' like no tag at all."""


def _fast_data(text: str, max_depth: int) -> Any:
    r"""Compose in C and walk the nodes to plain data; raise :class:`_NotPlain` on anything odd.

    A plain value that a ' #' cut short is odd too: the exact reader warns about it,
    and so is a ``\u`` escape, which may write a noncharacter.
    """
    if "&" in text or _MAYBE_TAG.search(text):  # an anchor, an alias or a '!' tag, maybe
        raise _NotPlain
    if "\\u" in text or "\\U" in text:
        raise _NotPlain
    try:
        root = _FastComposer(text).get_single_node()
    except yaml.YAMLError:
        raise _NotPlain from None
    comments = "#" in text
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode

    def walk(node: Any, depth: int) -> Any:
        if node.tag != _UNTAGGED:
            raise _NotPlain
        kind = node.__class__
        if kind is scalar:
            value = node.value
            if node.style:
                return value
            if comments and value and _COMMENT_AFTER.match(text, node.end_mark.index):
                raise _NotPlain
            return None if value in NULLS else value
        if depth >= max_depth:
            raise _NotPlain
        if kind is mapping:
            data = {}
            for key, value in node.value:
                if key.__class__ is not scalar or key.tag != _UNTAGGED or key.value in data:
                    raise _NotPlain
                data[key.value] = walk(value, depth + 1)
            return data
        return [walk(item, depth + 1) for item in node.value]

    return None if root is None else walk(root, 0)


def load_yaml(
    path: Path,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_depth: int = MAX_DEPTH,
    positions: bool = False,
) -> Document:
    """Read one YAML file strictly; problems are collected on the returned document.

    Without ``positions`` a file that reads cleanly comes back with its positions
    forgotten (:meth:`Document.position` reads them when asked); any problem, even
    a warning, sends it through the exact reader, so every problem has its place.
    """
    doc = Document(path)
    size = path.stat().st_size
    if size > max_bytes:
        doc.problems.append(
            Problem(
                path,
                f"the file is {size:,} bytes; the limit is {max_bytes:,}",
                Position(1, 1),
                hint="split it into several briefs",
            )
        )
        return doc
    text, problem = _decode(path, path.read_bytes())
    if problem is None and text is not None:
        problem = _bad_character(path, text)
    if problem or text is None:
        doc.problems.append(problem)  # type: ignore[arg-type]
        return doc
    if not positions:
        try:
            doc.data, doc.forgotten = _fast_data(text, max_depth), True
        except _NotPlain:
            pass
        else:
            return doc
    builder = _Builder(doc, max_depth, text)
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        doc.problems.append(_syntax_problem(path, exc, builder.lines, text))
        return doc
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_reader_problem(path, exc, text))
        return doc
    except _StopReading:
        return doc
    doc.data = builder.root
    return doc


ACTORS_FILE = "actors.yml"
"""The actor registry, beside the briefs."""

BRIEF_SUFFIX = ".yml"
"""What a brief's file name ends in, in lowercase."""

BRIEF_SUFFIXES = (".yml", ".yaml")
"""File endings that are read as briefs; ``.yaml`` works too, as YAML tools expect."""

IGNORED_SUFFIXES = (
    "~",
    "#",
    ".swp",
    ".swo",
    ".swx",
    ".bak",
    ".orig",
    ".tmp",
    "___jb_tmp___",
    "___jb_old___",
)
"""Editors' backup, swap and lock files, never briefs: emacs' ``x.yml~`` and ``#x.yml#``,
vim's ``.x.yml.swp``, JetBrains' safe-write copies, merge tools' ``.orig``."""


def ignored(name: str) -> bool:
    """Whether a file in the briefs folder is an editor's or the system's, not the author's.

    Hidden files (emacs' ``.#x.yml`` lock, vim's swap files, macOS' ``.DS_Store``
    and ``._x.yml``) and editors' backups are left alone by the check and the
    preview, so that a brief open in an editor never breaks either.
    """
    return name.startswith(".") or name.endswith(IGNORED_SUFFIXES)


def _odd_file(path: Path, entry: os.DirEntry[str], suffix: str) -> Problem | None:
    """A name that looks like a brief but would not be read as one, or None.

    Skipping it quietly would leave a brief off the site with nobody told.
    """
    if suffix.lower() in BRIEF_SUFFIXES and suffix not in BRIEF_SUFFIXES:
        return Problem(
            path,
            f"'{path.name}' ends in '{suffix}', which is not read as a brief",
            hint=f"rename it to '{path.stem}{suffix.lower()}'",
        )
    if suffix in BRIEF_SUFFIXES and not entry.is_file():
        what = "a folder" if entry.is_dir() else "not a regular file"
        return Problem(
            path,
            f"'{path.name}' is {what}, not a brief",
            hint="rename it, or move it out of the briefs folder",
        )
    return None


_PATHS: dict[str, Path] = {}
"""Each brief file's path, made once: the preview lists 10,000 briefs on every save, and
making their paths took a seventh of a second of it."""


def find_brief_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The brief files in a folder, sorted; symlinks are refused, not followed.

    Editors' files are ignored (:func:`ignored`); names that look like a brief but
    are not read as one (``X.YML``, a folder called ``x.yml``) are reported. The
    folder is read with :func:`os.scandir`, whose entries know their kind without
    another system call, and sorted by name: 10,000 briefs are read on every save.
    """
    paths, problems = [], []
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda entry: entry.name)
    for entry in entries:
        name = entry.name
        if name in BRIEF_SUFFIXES:  # hidden, but an author's mistake, not an editor's file
            problems.append(
                Problem(
                    folder / name,
                    f"'{name}' has no name",
                    hint="name it after the brief, like 'nato-summit.yml'",
                )
            )
            continue
        if ignored(name) or name in (ACTORS_FILE, PLACES_FILE):
            continue
        suffix = os.path.splitext(name)[1]  # noqa: PTH122 (a name, not a path)
        if suffix.lower() not in BRIEF_SUFFIXES:
            continue
        path = _PATHS.get(entry.path) or _PATHS.setdefault(entry.path, folder / name)
        if entry.is_symlink():
            problems.append(
                Problem(path, "briefs cannot be symbolic links", hint="copy the file instead")
            )
            continue
        odd = _odd_file(path, entry, suffix)
        if odd:
            problems.append(odd)
            continue
        paths.append(path)
    return paths, problems


def read_actors(folder: Path) -> Document:
    """Read the actor registry of a briefings folder; a symbolic link is refused, not followed."""
    return read_registry(folder / ACTORS_FILE, "the actor registry", required=True)


def read_registry(path: Path, what: str, *, required: bool) -> Document:
    """Read a registry beside the briefs; a symbolic link is refused, not followed.

    A missing registry is a problem when ``required``; else it is read as empty.
    """
    refused = None
    if path.is_symlink():
        refused = Problem(path, f"{what} cannot be a symbolic link", hint="copy the file instead")
    elif path.exists() and not path.is_file():
        refused = Problem(
            path, f"{what} is not a file", hint=f"make briefings/{path.name} a YAML file"
        )
    if refused:
        return Document(path, problems=[refused])
    if path.is_file():  # a registry grows with the site: a larger cap than a brief's
        return load_yaml(path, max_bytes=MAX_REGISTRY_BYTES)
    registry = Document(path, data={})
    if required:
        registry.problems.append(
            Problem(path, f"{what} is missing", hint="create it, even if empty")
        )
    return registry


PLACES_FILE = "places.yml"
"""The place registry, beside the actor registry; optional."""


def read_places(folder: Path) -> Document:
    """Read the place registry of a briefings folder, like the actor registry; it may be absent."""
    return read_registry(folder / PLACES_FILE, "the place registry", required=False)
