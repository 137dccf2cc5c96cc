"""The field reference of the brief format, read from the models themselves.

The author guide and the JSON Schema both come from the pydantic models, so
the documentation cannot drift from what the validator accepts: each key's
type, its limits (read from the constraints the validator enforces) and its
meaning (the attribute docstring), and each fixed value's meaning (the
``meaning`` written beside it in ``models.Choice``).

Everything here is our own text, never an author's, so it is returned as
Markdown: code spans stay code spans (an escaped ``_`` inside backticks would
show as ``&#95;``), and the rest is escaped like any other text.
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator import models
from generator.mdtext import Markdown, escape_inline

MODELS: tuple[type[BaseModel], ...] = (
    models.Brief,
    models.Point,
    models.Section,
    models.Proposal,
    models.Quote,
    models.Event,
    models.Position,
    models.Question,
    models.Source,
    models.Actor,
    models.CertaintyNote,
    models.Dispute,
    models.Cited,
    models.Change,
    models.Place,
)
"""The models an author writes, in the order the guide explains them."""

CHOICES: tuple[type[models.Choice], ...] = (
    models.ProposalStatus,
    models.Stance,
    models.Certainty,
    models.Direction,
    models.ActorKind,
)
"""The fixed sets of values, each value with its meaning, in the order the guide lists them."""

_NAMED_TYPES: dict[object, str] = {
    models.Text: "text",
    models.Title: "short text",
    models.RichText: "rich text",
    models.Slug: "id",
    models.ActorId: "actor id",
    models.PlaceId: "place id",
    models.Latitude: "number (-90 to 90)",
    models.Longitude: "number (-180 to 180)",
    models.Url: "web address",
    models.Date: "date (YYYY-MM-DD)",
    models.PartialDate: "date (YYYY-MM-DD or YYYY-MM)",
    bool: "true or false",
}

_CODE = re.compile(r"``?([^`]+?)``?")
"""A code span in a docstring: reST's ``x`` or Markdown's `x`."""


@dataclass(frozen=True)
class FieldDoc:
    """One key of one model, as the guide lists it."""

    name: Markdown
    type: Markdown
    required: bool
    description: Markdown


@dataclass(frozen=True)
class ModelDoc:
    """One model: its purpose and its keys."""

    name: str
    description: Markdown
    fields: list[FieldDoc]


@dataclass(frozen=True)
class ChoiceDoc:
    """A fixed set of values (statuses, stances, …): its purpose and each value's meaning."""

    name: str
    title: str
    description: Markdown
    values: list[tuple[Markdown, Markdown]]


def code(text: str) -> Markdown:
    """A code span of our own text: shown exactly, with nothing escaped inside it.

    Raises:
        ValueError: the text holds a backtick or a pipe, which would end the span
            or split a table cell; say it another way.

    """
    if "`" in text or "|" in text:
        raise ValueError(f"{text!r} cannot be a code span in the guide's tables")
    return Markdown(f"`{text}`")


def prose(text: str) -> Markdown:
    """Our own documentation text as Markdown: code spans kept, everything else escaped.

    Docstrings mark code reST's way (````.yml````) or Markdown's (```.yml```);
    both become one Markdown code span, so no doubled backtick reaches the page.
    """
    flat = " ".join(text.split())
    parts: list[str] = []
    end = 0
    for found in _CODE.finditer(flat):
        parts += [escape_inline(flat[end : found.start()]), code(found.group(1))]
        end = found.end()
    parts.append(escape_inline(flat[end:]))
    return Markdown("".join(parts))


def _anchor(name: str) -> str:
    return name.lower()


def describe_type(annotation: Any) -> str:
    """A type in words an author understands: 'list of Quote', 'text'."""
    if annotation in _NAMED_TYPES:
        return _NAMED_TYPES[annotation]
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return describe_type(get_args(annotation)[0])
    if origin is list:
        return "list of " + describe_type(get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union):
        return " or ".join(describe_type(a) for a in get_args(annotation) if a is not type(None))
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return "one of: " + ", ".join(str(m.value) for m in annotation)
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation.__name__
    return getattr(annotation, "__name__", str(annotation))


def _linked_type(annotation: Any) -> Markdown:
    """The type in words, with models and fixed sets linked to where the guide explains them."""
    words = escape_inline(describe_type(annotation))
    for model in MODELS:
        words = re.sub(
            rf"\b{model.__name__}\b", f"[{model.__name__}](#{_anchor(model.__name__)})", words
        )
    for choice in CHOICES:
        if _mentions(annotation, choice):
            words = f"{words} ([meanings](#{_anchor(choice.__name__)}))"
    return Markdown(words)


def _mentions(annotation: Any, target: type) -> bool:
    """Whether ``target`` is the annotation or one of its arguments, at any depth."""
    return annotation is target or any(_mentions(a, target) for a in get_args(annotation))


def _max_length(metadata: list[Any]) -> int | None:
    """The tightest length limit among constraints: pydantic enforces every one of them.

    Read by attribute (annotated-types' ``MaxLen``, pydantic's own metadata) rather
    than by class, so no package beyond pydantic is needed.
    """
    limits = [m.max_length for m in metadata if isinstance(getattr(m, "max_length", None), int)]
    return min(limits) if limits else None


def _type_metadata(annotation: Any) -> list[Any]:
    """The constraints a type alias carries itself (``Title``: 1 to 200 characters)."""
    found: list[Any] = []
    for arg in get_args(annotation)[1:] if get_origin(annotation) is typing.Annotated else ():
        found += arg.metadata if isinstance(arg, FieldInfo) else [arg]
    return found


def max_length(annotation: Any) -> int | None:
    """The most characters a type alias allows: ``max_length(models.Slug)`` is 80."""
    return _max_length(_type_metadata(annotation))


def limits(info: FieldInfo, hint: Any) -> str:
    """The field's own limits in words: 'up to 30', 'at least 1, up to 200'.

    A list's limits are always given; a text's only where the field is tighter
    than its type (the guide's Limits paragraph gives each type's).
    """
    if get_origin(info.annotation) is list:
        least = [
            m.min_length for m in info.metadata if isinstance(getattr(m, "min_length", None), int)
        ]
        most = _max_length(info.metadata)
        words = [f"at least {least[0]:,}"] if least and least[0] > 0 else []
        words += [f"up to {most:,}"] if most is not None else []
        return ", ".join(words)
    own = _max_length(info.metadata)
    typical = max_length(hint)
    if own is not None and typical is not None and own < typical:
        return f"up to {own:,} characters"
    return ""


def _field_doc(name: str, info: FieldInfo, hint: Any) -> FieldDoc:
    kind = _linked_type(hint)
    limit = limits(info, hint)
    return FieldDoc(
        name=code(name),
        type=Markdown(f"{kind}, {escape_inline(limit)}" if limit else kind),
        required=info.is_required(),
        description=prose(info.description or ""),
    )


def reference() -> list[ModelDoc]:
    """Every model an author writes, with each of its keys."""
    docs = []
    for model in MODELS:
        hints = typing.get_type_hints(model, include_extras=True)
        docs.append(
            ModelDoc(
                name=model.__name__,
                description=prose(model.__doc__ or ""),
                fields=[
                    _field_doc(name, info, hints[name])
                    for name, info in model.model_fields.items()
                    if not info.exclude
                ],
            )
        )
    return docs


def choices() -> list[ChoiceDoc]:
    """Every fixed set of values, each value with what it means."""
    return [
        ChoiceDoc(
            name=choice.__name__,
            title=re.sub(r"(?<=[a-z])(?=[A-Z])", " ", choice.__name__).capitalize(),
            description=prose(choice.__doc__ or ""),
            values=[(code(member.value), prose(member.meaning)) for member in choice],
        )
        for choice in CHOICES
    ]
