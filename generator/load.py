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

import codecs
import logging
import re
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

    def forget_positions(self) -> None:
        """Drop the position maps of a document that passed its checks.

        They are most of a loaded brief's memory (every node's line and column);
        :meth:`position` reads the file again in the rare case a later, cross-file
        check needs one.
        """
        self.values, self.keys = {}, {}
        self.forgotten = True

    def position(self, path: KeyPath, *, key: bool = False) -> Position | None:
        """Best position for a key path: the node itself, else its nearest ancestor."""
        if self.forgotten:
            again = load_yaml(self.path, positions=True)
            self.values, self.keys, self.forgotten = again.values, again.keys, False
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            found = table.get(prefix) or self.values.get(prefix)
            if found:
                return found
        return None


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


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
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return None, Problem(
            path,
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}",
            Position(line, column),
            hint="save the file as UTF-8 in your editor",
        )
    return text, None


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (but tab, newline, carriage return) and lone surrogates."""


def _bad_character(path: Path, text: str) -> Problem | None:
    """Reject characters YAML would refuse anyway, with a position and a name."""
    found = _CONTROL.search(text)
    if not found:
        return None
    before = text[: found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    return Problem(
        path,
        f"control character U+{ord(found.group()):04X} is not allowed",
        Position(line, column),
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


def _syntax_problem(path: Path, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {exc.problem or exc.context}"
    hint = next((h for k, h in _SYNTAX_HINTS.items() if k in message), None)
    return Problem(path, message, _position(mark) if mark else None, hint=hint)


_COMMENT_AFTER = re.compile(r"[ \t]+#[^\s#]")
"""After a plain value: a comment glued to a word, which was probably meant as text."""


class _Builder:
    """Turns parser events into plain data, recording positions and problems."""

    def __init__(self, doc: Document, max_depth: int, lines: list[str]) -> None:
        self.doc = doc
        self.lines = lines
        self.max_depth = max_depth
        self.stack: list[tuple[Any, KeyPath]] = []
        self.pending_key: list[str | None] = []
        self.documents = 0
        self.root: Any = None

    def problem(self, event: Any, message: str, hint: str | None = None) -> None:
        self.doc.problems.append(
            Problem(self.doc.path, message, _position(event.start_mark), hint=hint)
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
        end = event.end_mark
        if end.line < len(self.lines) and _COMMENT_AFTER.match(self.lines[end.line], end.column):
            self.doc.problems.append(
                Problem(
                    self.doc.path,
                    f"the text after ' #' was read as a comment, so the value is '{event.value}'",
                    Position(end.line + 1, end.column + 2),
                    hint="put the whole value in quotes if the '#' belongs to it",
                    severity=Severity.WARNING,
                )
            )

    def key(self, event: Any) -> None:
        """A scalar in key position: check for duplicates, then wait for its value."""
        container, path = self.stack[-1]
        if not isinstance(event, yaml.ScalarEvent):
            self.problem(event, "keys must be plain text", "write 'name: value'")
            raise _StopReading
        self.check_node(event)
        name = event.value
        here = _position(event.start_mark)
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
        self.doc.values[path] = _position(event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            plain = not event.style
            if plain and event.value:
                self.check_comment(event)
            self.attach(None if plain and event.value in NULLS else event.value, path)
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
    """Compose in C and walk the nodes to plain data; raise :class:`_NotPlain` on anything odd.

    A plain value that a ' #' cut short is odd too: the exact reader warns about it.
    """
    if "&" in text or _MAYBE_TAG.search(text):  # an anchor, an alias or a '!' tag, maybe
        raise _NotPlain
    try:
        root = _FastComposer(text).get_single_node()
    except yaml.YAMLError:
        raise _NotPlain from None
    lines = text.split("\n") if "#" in text else None
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode

    def walk(node: Any, depth: int) -> Any:
        if node.tag != _UNTAGGED:
            raise _NotPlain
        kind = node.__class__
        if kind is scalar:
            value = node.value
            if node.style:
                return value
            if lines is not None and value:
                end = node.end_mark
                if end.line < len(lines) and _COMMENT_AFTER.match(lines[end.line], end.column):
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
    builder = _Builder(doc, max_depth, text.split("\n"))
    try:
        for event in yaml.parse(text, Loader=StrictLoader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        doc.problems.append(_syntax_problem(path, exc))
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


def _odd_file(path: Path) -> Problem | None:
    """A name that looks like a brief but would not be read as one, or None.

    Skipping it quietly would leave a brief off the site with nobody told.
    """
    suffix = path.suffix
    if suffix.lower() in BRIEF_SUFFIXES and suffix not in BRIEF_SUFFIXES:
        return Problem(
            path,
            f"'{path.name}' ends in '{suffix}', which is not read as a brief",
            hint=f"rename it to '{path.stem}{suffix.lower()}'",
        )
    if suffix in BRIEF_SUFFIXES and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        return Problem(
            path,
            f"'{path.name}' is {what}, not a brief",
            hint="rename it, or move it out of the briefs folder",
        )
    return None


def find_brief_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The brief files in a folder, sorted; symlinks are refused, not followed.

    Editors' files are ignored (:func:`ignored`); names that look like a brief but
    are not read as one (``X.YML``, a folder called ``x.yml``) are reported.
    """
    paths, problems = [], []
    for path in sorted(folder.iterdir()):
        if path.name in BRIEF_SUFFIXES:  # hidden, but an author's mistake, not an editor's file
            problems.append(
                Problem(
                    path,
                    f"'{path.name}' has no name",
                    hint="name it after the brief, like 'nato-summit.yml'",
                )
            )
            continue
        if ignored(path.name) or path.name == ACTORS_FILE:
            continue
        if path.suffix.lower() not in BRIEF_SUFFIXES:
            continue
        if path.is_symlink():
            problems.append(
                Problem(path, "briefs cannot be symbolic links", hint="copy the file instead")
            )
            continue
        odd = _odd_file(path)
        if odd:
            problems.append(odd)
            continue
        paths.append(path)
    return paths, problems


def read_actors(folder: Path) -> Document:
    """Read the actor registry of a briefings folder; a symbolic link is refused, not followed."""
    actors_path = folder / ACTORS_FILE
    refused = None
    if actors_path.is_symlink():
        refused = Problem(
            actors_path,
            "the actor registry cannot be a symbolic link",
            hint="copy the file instead",
        )
    elif actors_path.exists() and not actors_path.is_file():
        refused = Problem(
            actors_path,
            "the actor registry is not a file",
            hint="make briefings/actors.yml a YAML file",
        )
    if refused:
        return Document(actors_path, problems=[refused])
    if actors_path.is_file():  # the registry grows with the site: a larger cap than a brief's
        return load_yaml(actors_path, max_bytes=MAX_REGISTRY_BYTES)
    actors = Document(actors_path, data={})
    actors.problems.append(
        Problem(actors_path, "the actor registry is missing", hint="create it, even if empty")
    )
    return actors
