"""Problems found in briefs, each pinned to a file, line, column and key path.

Every stage reports problems instead of raising on the first one, so an author
fixing briefs sees all of them in one run (as MkDocs does for its config).
"""

from __future__ import annotations

import difflib
import enum
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

KeyPath = tuple[str | int, ...]


class Severity(enum.StrEnum):
    """How bad a problem is: errors stop the build, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
"""Letters and symbols that print as nothing: Hangul fillers, the braille blank, the
combining grapheme joiner and Khmer inherent vowels."""

_SHOWN_AS_ESCAPE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
"""Unicode categories a message never prints raw: controls, format characters,
surrogates, private-use and unassigned code points, separators and spaces."""

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e]")


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if char not in BLANK_LOOKING and unicodedata.category(char) not in _SHOWN_AS_ESCAPE:
        return char
    code = ord(char)
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    r"""Text safe to print on one line, with every invisible character written as an escape.

    Problems echo author text, and author text may hold terminal escape sequences
    (``\x1b[2J`` clears the screen), newlines (which would break the one problem
    per line format), or characters that print as nothing (an NBSP, U+2028, a
    Hangul filler). Each is shown as the escape an author could type in a
    double-quoted YAML string: ``\n``, ``\x1b`` for ASCII, ``\u00a0`` and
    ``\U000e0001`` beyond. The ordinary space and every visible character stay.
    A backslash is left alone, so a literal ``\x1b`` typed by the author and an
    escape look the same: the point is that nothing reaches the terminal raw.
    """
    return _NOT_PLAIN_ASCII.sub(_show, text)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_key_path(path: KeyPath) -> str:
    r"""Render a key path the way authors see it: ``quotes[2].speaker``.

    List indexes count from 1, like the items an author sees in the file. A key
    that is not plain letters, digits, ``_`` and ``-`` is quoted (``'tags[0]'``,
    ``'title\u00a0'``), so it cannot pass for a list index or a nested key.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
            continue
        name = part if _PLAIN_KEY.fullmatch(part) else f"'{visible(part)}'"
        out += f".{name}" if out else name
    return out


Paint = Callable[[str, str], str]
"""Styles one part of a problem line: ``paint(role, text) -> text``."""


def _plain(role: str, text: str) -> str:
    return text


def display_path(path: Path) -> str:
    """The path as the author typed it: relative to the working folder when inside it.

    Shown through :func:`visible`: a file name can hold control characters too.
    """
    return _displayed(path, os.getcwd())  # noqa: PTH109 (a str: the cache's key)


@lru_cache(maxsize=16_384)
def _displayed(path: Path, folder: str) -> str:
    """:func:`display_path` from ``folder``; kept, since a brief may say many warnings.

    At 10,000 briefs a run says 32,000 warnings, and working each path out
    again took a quarter of a second of every run that checks.
    """
    try:
        return visible(str(path.relative_to(folder)))
    except ValueError:
        return visible(str(path))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, where it is, and how to fix it."""

    file: Path
    message: str
    position: Position | None = None
    key_path: KeyPath = ()
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        """Make the message and hint printable once, for every output that shows them."""
        object.__setattr__(self, "message", visible(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", visible(self.hint))

    @property
    def line(self) -> int | None:
        """The 1-based line, or None when the problem concerns the whole file."""
        return self.position.line if self.position else None

    @property
    def column(self) -> int | None:
        """The 1-based column, or None when the problem concerns the whole file."""
        return self.position.column if self.position else None

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, then by where they sit in it."""
        pos = self.position or Position(0, 0)
        return (str(self.file), pos.line, pos.column, self.message)

    def render(self, paint: Paint | None = None, *, always_severity: bool = False) -> str:
        """``file:line:col: key.path: message; hint``, each part passed through ``paint``.

        ``paint(role, text)`` lets a terminal colour the parts ('where',
        'severity', 'key', 'hint'); errors name their severity only when asked.
        """
        paint = paint or _plain
        where = display_path(self.file)
        if self.position:
            where += f":{self.position.line}:{self.position.column}"
        text = paint("where", where) + ": "
        if always_severity or self.severity is Severity.WARNING:
            text += paint("severity", self.severity.value) + ": "
        if self.key_path:
            text += paint("key", format_key_path(self.key_path)) + ": "
        text += self.message
        if self.hint:
            text += paint("hint", f"; {self.hint}")
        return text

    def __str__(self) -> str:
        return self.render()


@dataclass
class Report:
    """Problems collected across a run, ordered for printing."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop a build, in file order."""
        return sorted(
            (p for p in self.problems if p.severity is Severity.ERROR), key=Problem.sort_key
        )

    @property
    def warnings(self) -> list[Problem]:
        """The problems that are reported but do not stop a build."""
        return sorted(
            (p for p in self.problems if p.severity is Severity.WARNING), key=Problem.sort_key
        )

    def __bool__(self) -> bool:
        return bool(self.errors)


class BriefingsError(Exception):
    """The project's one error type: carries every problem that stopped a stage."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"{count} {noun}\n" + "\n".join(str(p) for p in self.problems))


class BuildError(Exception):
    """The site could not be built; the previous site was left untouched."""


def did_you_mean(name: str, candidates: Sequence[str]) -> str | None:
    """A 'did you mean' hint for a mistyped name, or None when nothing is close."""
    lowered = name.lower()
    close = difflib.get_close_matches(lowered, candidates, n=1, cutoff=0.6)
    if not close:
        close = [
            c
            for c in candidates
            if min(len(c), len(lowered)) >= 4 and (lowered in c or c in lowered)
        ][:1]
    return f"did you mean '{close[0]}'?" if close else None
