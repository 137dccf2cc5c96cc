"""Problems found in briefs, each pinned to a file, line, column and key path.

Every stage reports problems instead of raising on the first one, so an author
fixing briefs sees all of them in one run (as MkDocs does for its config).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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


def format_key_path(path: KeyPath) -> str:
    """Render a key path the way authors see it: ``quotes[2].speaker``.

    List indexes count from 1, like the items an author sees in the file.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out


Paint = Callable[[str, str], str]
"""Styles one part of a problem line: ``paint(role, text) -> text``."""


def _plain(role: str, text: str) -> str:
    return text


def display_path(path: Path) -> str:
    """The path as the author typed it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, where it is, and how to fix it."""

    file: Path
    message: str
    position: Position | None = None
    key_path: KeyPath = ()
    hint: str | None = None
    severity: Severity = Severity.ERROR

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
