"""Problem reports for people and for machines.

``text`` is for a person at a terminal: one ``file:line:col: …`` line per
problem (editors and terminals make these clickable), grouped by file, in
colour when the output is a terminal. ``json`` is for tools. ``github`` prints
workflow commands, so GitHub marks each problem on its line in a pull request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from itertools import groupby
from typing import TextIO

from generator.errors import Paint, Problem, Severity, display_path, format_key_path

FORMATS = ("text", "json", "github")

_RESET, _BOLD, _RED, _YELLOW, _DIM = "\033[0m", "\033[1m", "\033[31m", "\033[33m", "\033[2m"


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _terminal(problem: Problem) -> Paint:
    """Colours for one problem's parts on a terminal."""
    colours = {
        "where": _BOLD,
        "key": _BOLD,
        "hint": _DIM,
        "severity": _RED if problem.severity is Severity.ERROR else _YELLOW,
    }
    return lambda role, text: f"{colours[role]}{text}{_RESET}"


def _coloured(problem: Problem) -> str:
    return problem.render(_terminal(problem), always_severity=True)


def format_text(problems: Sequence[Problem], *, colour: bool = False) -> str:
    """Problem lines grouped by file, a blank line between files."""
    blocks = []
    for _, group in groupby(problems, key=lambda p: p.file):
        blocks.append("\n".join(_coloured(p) if colour else str(p) for p in group))
    return "\n\n".join(blocks)


def format_json(problems: Sequence[Problem]) -> str:
    """A JSON document with every problem and the counts."""
    items = [
        {
            "file": display_path(p.file),
            "line": p.line,
            "column": p.column,
            "key_path": format_key_path(p.key_path) or None,
            "message": p.message,
            "hint": p.hint,
            "severity": p.severity.value,
        }
        for p in problems
    ]
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    return json.dumps(
        {"problems": items, "errors": errors, "warnings": len(items) - errors},
        indent=2,
        ensure_ascii=False,
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Sequence[Problem]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…::message``."""
    lines = []
    for p in problems:
        props = [f"file={_escape_property(display_path(p.file))}"]
        if p.position:
            props += [f"line={p.position.line}", f"col={p.position.column}"]
        if p.key_path:
            props.append(f"title={_escape_property(format_key_path(p.key_path))}")
        message = p.message + (f"; {p.hint}" if p.hint else "")
        lines.append(f"::{p.severity.value}{' ' + ','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines)
