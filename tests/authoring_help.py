"""Helpers shared by the guide and template tests: uncommenting, and which fields data covers."""

from __future__ import annotations

import re
import typing
from typing import Any, get_args

from pydantic import BaseModel

from generator import models

_COMMENTED = re.compile(r"^(\s*)# (.*)$")
"""A commented-out line of YAML in the template: '# ' before it; prose has '## '."""


def uncomment(text: str) -> str:
    """The template with every optional field switched on, as an author deletes the '# '."""
    lines = []
    for number, line in enumerate(text.splitlines()):
        found = _COMMENTED.match(line)
        if number and found:  # line 0 is the editor's schema line
            line = found.group(1) + found.group(2)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def covered(model: type[BaseModel], data: Any) -> set[tuple[str, str]]:
    """Every (model, key) that ``data``, read as ``model``, gives a value."""
    if not isinstance(data, dict):
        return set()  # a key point written as plain text
    found = set()
    hints = typing.get_type_hints(model, include_extras=True)
    for key, value in data.items():
        found.add((model.__name__, key))
        for inner in _models_in(hints.get(key)):
            for item in value if isinstance(value, list) else [value]:
                found |= covered(inner, item)
    return found


def fields_of(*roots: type[BaseModel]) -> set[tuple[str, str]]:
    """Every key an author can write, of the models reachable from ``roots``."""
    found: set[tuple[str, str]] = set()
    todo, seen = list(roots), set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        hints = typing.get_type_hints(model, include_extras=True)
        for name, info in model.model_fields.items():
            if info.exclude:
                continue  # deprecated, or filled in from the registry key
            found.add((model.__name__, name))
            todo += _models_in(hints[name])
    return found


BRIEF_FIELDS = fields_of(models.Brief)
"""Every key of a brief, at any depth."""
